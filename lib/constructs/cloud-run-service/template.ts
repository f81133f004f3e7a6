import { INGRESS } from "../../gcp/run";
import { sortedRecord } from "../../gcp/terraform";
import {
  CloudRunV2ServiceConfig,
  CloudRunV2ServiceTemplateContainersEnv,
  CloudRunV2ServiceTraffic,
} from "../../providers";
import { CloudRunServiceProps, DEFAULTS, HttpProbe, TrafficTarget } from "./props";

/**
 * How the props become the `google_cloud_run_v2_service`: every default written explicitly.
 * `revision` is this template's revision name, and the traffic target a target without a
 * revision means.
 */
export function serviceConfig(
  props: CloudRunServiceProps,
  serviceAccountEmail: string,
  revision: string,
): CloudRunV2ServiceConfig {
  return {
    project: props.project,
    location: props.location,
    name: props.name,
    description: props.description,
    labels: sortedRecord(props.labels),
    ingress: INGRESS[props.ingress ?? DEFAULTS.ingress],
    deletionProtection: props.deletionProtection ?? DEFAULTS.deletionProtection,
    template: { ...revisionTemplate(props, serviceAccountEmail), revision },
    traffic: traffic(props.traffic, revision),
  };
}

/**
 * The revision template, without its name: what a revision is made of. The name is derived from
 * it (see revisionName), so it must hold everything that makes one revision differ from another.
 */
export function revisionTemplate(props: CloudRunServiceProps, serviceAccountEmail: string) {
  const port = props.containerPort ?? DEFAULTS.containerPort;
  const gen = props.executionEnvironment ?? DEFAULTS.executionEnvironment;
  return {
    serviceAccount: serviceAccountEmail,
    executionEnvironment: gen === "gen1" ? "EXECUTION_ENVIRONMENT_GEN1" : "EXECUTION_ENVIRONMENT_GEN2",
    maxInstanceRequestConcurrency: props.concurrency ?? DEFAULTS.concurrency,
    timeout: `${props.timeoutSeconds ?? DEFAULTS.timeoutSeconds}s`,
    labels: sortedRecord(props.labels),
    scaling: {
      minInstanceCount: props.minInstances ?? DEFAULTS.minInstances,
      maxInstanceCount: props.maxInstances ?? DEFAULTS.maxInstances,
    },
    containers: [
      {
        image: props.image,
        ports: { containerPort: port },
        env: environment(props),
        resources: {
          limits: { cpu: props.cpu ?? DEFAULTS.cpu, memory: props.memory ?? DEFAULTS.memory },
          cpuIdle: props.cpuIdle ?? DEFAULTS.cpuIdle,
          startupCpuBoost: props.startupCpuBoost ?? DEFAULTS.startupCpuBoost,
        },
        startupProbe: probe(props.startupProbe, port),
        livenessProbe: probe(props.livenessProbe, port),
      },
    ],
  };
}

/** Plain variables, then secret ones, each sorted by name. */
function environment(props: CloudRunServiceProps): CloudRunV2ServiceTemplateContainersEnv[] | undefined {
  const plain = Object.entries(sortedRecord(props.env) ?? {}).map(([name, value]) => ({ name, value }));
  const secret = Object.entries(sortedRecord(props.secretEnv) ?? {}).map(([name, ref]) => ({
    name,
    valueSource: { secretKeyRef: { secret: ref.secret, version: ref.version } },
  }));
  const all = [...plain, ...secret];
  return all.length > 0 ? all : undefined;
}

/** An HTTP probe with every timing written (Cloud Run's defaults where not given). */
function probe(p: HttpProbe | undefined, port: number) {
  if (p === undefined) return undefined;
  return {
    initialDelaySeconds: p.initialDelaySeconds ?? 0,
    periodSeconds: p.periodSeconds ?? 10,
    timeoutSeconds: p.timeoutSeconds ?? 1,
    failureThreshold: p.failureThreshold ?? 3,
    httpGet: { path: p.path, port: p.port ?? port },
  };
}

/** Traffic targets, each by revision name; a target without one is this template's revision. */
function traffic(targets: readonly TrafficTarget[] | undefined, revision: string): CloudRunV2ServiceTraffic[] {
  return (targets ?? [{ percent: 100 }]).map((t) => ({
    type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION",
    revision: t.revision ?? revision,
    percent: t.percent,
    tag: t.tag,
  }));
}
