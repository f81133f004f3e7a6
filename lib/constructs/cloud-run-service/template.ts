import { EXECUTION_ENVIRONMENTS, INGRESS } from "../../gcp/run";
import { sortedRecord } from "../../gcp/terraform";
import { CloudRunV2ServiceConfig, CloudRunV2ServiceTraffic } from "../../providers";
import { binaryAuthorizationOf, environment, gpuOf, listOf, probe, volumesOf, vpcAccessOf } from "../workload";
import { CloudRunServiceProps, DEFAULTS, TrafficTarget } from "./props";

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
    invokerIamDisabled: props.invokerIamDisabled ?? false,
    binaryAuthorization: binaryAuthorizationOf(props),
    template: { ...revisionTemplate(props, serviceAccountEmail), revision },
    traffic: traffic(props.traffic, revision),
    customAudiences: listOf(props.customAudiences),
    scaling: { minInstanceCount: props.serviceMinInstances ?? DEFAULTS.serviceMinInstances },
  };
}

/**
 * The revision template, without its name: what a revision is made of. The name is derived from
 * it (see revisionName), so it must hold everything that makes one revision differ from another.
 */
export function revisionTemplate(props: CloudRunServiceProps, serviceAccountEmail: string) {
  const port = props.containerPort ?? DEFAULTS.containerPort;
  const gen = props.executionEnvironment ?? DEFAULTS.executionEnvironment;
  const gpu = gpuOf(props.gpu, true);
  const { volumes, volumeMounts } = volumesOf(props);
  const sidecars = props.sidecars ?? [];
  return {
    serviceAccount: serviceAccountEmail,
    encryptionKey: props.encryptionKey,
    vpcAccess: vpcAccessOf(props),
    executionEnvironment: EXECUTION_ENVIRONMENTS[gen],
    maxInstanceRequestConcurrency: props.concurrency ?? DEFAULTS.concurrency,
    timeout: `${props.timeoutSeconds ?? DEFAULTS.timeoutSeconds}s`,
    labels: sortedRecord(props.labels),
    scaling: {
      minInstanceCount: props.minInstances ?? DEFAULTS.minInstances,
      maxInstanceCount: props.maxInstances ?? DEFAULTS.maxInstances,
    },
    nodeSelector: gpu.nodeSelector,
    gpuZonalRedundancyDisabled: gpu.gpuZonalRedundancyDisabled,
    // Only when on: see CloudRunServiceProps.sessionAffinity.
    sessionAffinity: props.sessionAffinity === true ? true : undefined,
    volumes,
    containers: [
      {
        // Named only beside sidecars, which refer to it: a service's first revisions keep their names.
        name: sidecars.length > 0 ? (props.containerName ?? DEFAULTS.containerName) : undefined,
        image: props.image,
        command: listOf(props.command),
        args: listOf(props.args),
        workingDir: props.workingDir,
        dependsOn: listOf(props.startAfter),
        ports: { containerPort: port, ...(props.http2 ? { name: "h2c" } : {}) },
        env: environment(props),
        resources: {
          limits: { cpu: props.cpu ?? DEFAULTS.cpu, memory: props.memory ?? DEFAULTS.memory, ...gpu.limit },
          cpuIdle: props.cpuIdle ?? DEFAULTS.cpuIdle,
          startupCpuBoost: props.startupCpuBoost ?? DEFAULTS.startupCpuBoost,
        },
        startupProbe: probe(props.startupProbe, port),
        livenessProbe: probe(props.livenessProbe, port),
        volumeMounts,
      },
      ...sidecars.map((sc) => ({
        name: sc.name,
        image: sc.image,
        env: environment({ env: sc.env }),
        // Once limits are set, cpu_idle must be written (provider 6.50): the main container's.
        resources: {
          limits: { cpu: sc.cpu ?? DEFAULTS.sidecarCpu, memory: sc.memory ?? DEFAULTS.sidecarMemory },
          cpuIdle: props.cpuIdle ?? DEFAULTS.cpuIdle,
          startupCpuBoost: props.startupCpuBoost ?? DEFAULTS.startupCpuBoost,
        },
        startupProbe: probe(sc.startupProbe, port),
        dependsOn: listOf(sc.startAfter),
      })),
    ],
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
