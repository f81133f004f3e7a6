import { Token } from "cdktf";
import { iamMember, isPublicMember } from "../../gcp/iam";
import { imagePinnedByDigest, imageReference } from "../../gcp/images";
import * as run from "../../gcp/run";
import { Problem, Problems } from "../../gcp/validation";
import {
  checkCpuAndMemory,
  checkIdentity,
  checkProbe,
  checkWorkloadBasics,
  checkWorkloadContainer,
  checkWorkloadNetwork,
} from "../workload";
import { CloudRunServiceProps, DEFAULTS } from "./props";

/** The startup window Cloud Run gives a service's containers, as checkProbe reads it. */
const STARTUP_WINDOW = { max: run.MAX_STARTUP_WINDOW.service, why: "Cloud Run for a service" };

/** Checks {@link CloudRunServiceProps}; returns every problem, with prop paths. */
export function validateCloudRunServiceProps(props: CloudRunServiceProps): Problem[] {
  const p = new Problems();
  checkWorkloadBasics(p, props, "service");
  if (props.description !== undefined && props.description.length > 512) {
    p.add("description", props.description, "must be at most 512 characters");
  }
  checkResources(p, props);

  // Scaling.
  p.check("minInstances", props.minInstances, run.minInstances);
  p.check("maxInstances", props.maxInstances, run.maxInstances);
  const min = props.minInstances ?? DEFAULTS.minInstances;
  const max = props.maxInstances ?? DEFAULTS.maxInstances;
  if (!Token.isUnresolved(min) && !Token.isUnresolved(max) && min > max) {
    p.add("minInstances", min, `must not exceed maxInstances (${max})`);
  }

  p.check("ingress", props.ingress, run.ingress);

  checkWorkloadContainer(p, props, "service");
  if (props.gpu !== undefined && (props.cpuIdle ?? DEFAULTS.cpuIdle) !== false) {
    p.add(
      "cpuIdle",
      props.cpuIdle ?? DEFAULTS.cpuIdle,
      `a service with a GPU needs cpuIdle: false, CPU always allocated (${run.GPU_SOURCE.service})`,
    );
  }
  checkProbe(p, "startupProbe", props.startupProbe, run.MAX_PROBE_PERIOD.startup, STARTUP_WINDOW);
  checkProbe(p, "livenessProbe", props.livenessProbe, run.MAX_PROBE_PERIOD.liveness);
  checkTraffic(p, props);
  checkContainers(p, props);
  checkWorkloadNetwork(p, props);
  (props.customAudiences ?? []).forEach((a, i) => {
    p.check(`customAudiences[${i}]`, a, (v) =>
      v.trim() !== "" && !/\s/.test(v) ? undefined : "must be a URL or audience string, without spaces",
    );
  });
  if (props.customAudiences && new Set(props.customAudiences).size !== props.customAudiences.length) {
    p.add("customAudiences", props.customAudiences, "must not name an audience twice");
  }
  p.check("serviceMinInstances", props.serviceMinInstances, run.minInstances);
  const serviceMin = props.serviceMinInstances ?? DEFAULTS.serviceMinInstances;
  if (!Token.isUnresolved(serviceMin) && !Token.isUnresolved(max) && serviceMin > max) {
    p.add("serviceMinInstances", serviceMin, `must not exceed maxInstances (${max})`);
  }
  checkIdentity(p, props);
  (props.invokers ?? []).forEach((m, i) => checkInvoker(p, `invokers[${i}]`, m, props.allowPublic ?? false));
  if (props.invokerIamDisabled === true) {
    const why = "the invoker check is off (invokerIamDisabled): anyone who reaches the URL may call the service";
    if ((props.invokers ?? []).length > 0)
      p.add("invokers", props.invokers, `must be empty: ${why}, so invoker grants mean nothing`);
    if (props.allowPublic === true) p.add("allowPublic", true, `must not be set: ${why} already`);
  }
  return [...p.list];
}

/**
 * The execution environment, CPU, memory, concurrency and timeout: each alone, then together
 * (only when each alone is well formed).
 */
function checkResources(p: Problems, props: CloudRunServiceProps): void {
  const gen = props.executionEnvironment ?? DEFAULTS.executionEnvironment;
  p.check("executionEnvironment", props.executionEnvironment, run.executionEnvironment);
  const concurrency = props.concurrency ?? DEFAULTS.concurrency;
  const cpus = checkCpuAndMemory(p, props, gen === "gen1" ? "gen1" : "gen2");
  p.check("concurrency", props.concurrency, run.concurrency);
  p.check("timeoutSeconds", props.timeoutSeconds, run.timeoutSeconds);
  if (cpus !== undefined && cpus < 1) {
    const why = `below 1 CPU (cpu is "${props.cpu ?? DEFAULTS.cpu}") Cloud Run requires`;
    if (concurrency !== 1) p.add("concurrency", concurrency, `${why} concurrency 1`);
    if (gen !== "gen1") p.add("executionEnvironment", gen, `${why} "gen1"`);
    if (props.cpuIdle === false) p.add("cpuIdle", false, `${why} cpuIdle true (request-based billing)`);
  }
}

function checkTraffic(p: Problems, props: CloudRunServiceProps): void {
  const traffic = props.traffic;
  if (traffic === undefined) return;
  if (traffic.length === 0) {
    p.add("traffic", traffic, "must have at least one target, or be left out for 100% to this template's revision");
    return;
  }
  let total = 0;
  let resolvedTotal = true;
  const tags = new Map<string, number>();
  const targets = new Map<string, number>();
  traffic.forEach((t, i) => {
    const at = `traffic[${i}]`;
    p.check(`${at}.percent`, t.percent, run.percent);
    if (Token.isUnresolved(t.percent)) resolvedTotal = false;
    else total += t.percent;
    const target = t.revision ?? "(template)";
    if (targets.has(target)) {
      p.add(`${at}.revision`, t.revision, `targets the same revision as traffic[${targets.get(target)}]; merge them`);
    }
    targets.set(target, i);
    if (t.revision !== undefined && !Token.isUnresolved(t.revision) && !Token.isUnresolved(props.name)) {
      p.check(`${at}.revision`, t.revision, run.revisionOf(props.name));
    }
    if (t.tag !== undefined && !Token.isUnresolved(t.tag)) {
      p.check(`${at}.tag`, t.tag, run.trafficTag);
      if (tags.has(t.tag))
        p.add(`${at}.tag`, t.tag, `is already used by traffic[${tags.get(t.tag)}]; tags must be unique`);
      tags.set(t.tag, i);
      if (!Token.isUnresolved(props.name) && t.tag.length + props.name.length > run.MAX_TAG_AND_SERVICE_NAME) {
        p.add(
          `${at}.tag`,
          t.tag,
          `tag and service name together must be at most ${run.MAX_TAG_AND_SERVICE_NAME} characters (got ${t.tag.length + props.name.length})`,
        );
      }
    }
  });
  if (resolvedTotal && total !== 100) {
    p.add(
      "traffic",
      traffic.map((t) => t.percent),
      `percents must total 100 (they total ${total})`,
    );
  }
}

/** An invoker: an IAM principal, public only when allowed. */
export function checkInvoker(p: Problems, path: string, member: string, allowPublic: boolean): void {
  p.check(path, member, iamMember);
  if (!Token.isUnresolved(member) && isPublicMember(member) && !allowPublic) {
    p.add(
      path,
      member,
      "makes the service callable by anyone on the internet; set allowPublic: true if that is intended (checkov CKV_GCP_102)",
    );
  }
}

/** The containers: names unique and valid, sidecars' images and resources, start order. */
function checkContainers(p: Problems, props: CloudRunServiceProps): void {
  p.check("workingDir", props.workingDir, (v) => (v.startsWith("/") ? undefined : "must be an absolute path"));
  const sidecars = props.sidecars ?? [];
  const main = props.containerName ?? DEFAULTS.containerName;
  p.check("containerName", props.containerName, run.containerName);
  const names = new Map<string, string>([
    [
      main,
      props.containerName === undefined
        ? `the main container ("${main}", the default of containerName)`
        : "the main container (containerName)",
    ],
  ]);
  sidecars.forEach((sc, i) => {
    const at = `sidecars[${i}]`;
    p.check(`${at}.name`, sc.name, run.containerName);
    if (names.has(sc.name))
      p.add(`${at}.name`, sc.name, `is already the name of ${names.get(sc.name)}; container names must be unique`);
    names.set(sc.name, at);
    p.check(`${at}.image`, sc.image, imageReference);
    if (props.requireImageDigest && imageReference(sc.image) === undefined)
      p.check(`${at}.image`, sc.image, imagePinnedByDigest);
    p.check(`${at}.cpu`, sc.cpu, run.cpu);
    // A sidecar's own limit may be small; the instance's total is what gen2's 512 MiB minimum is
    // about (the main container's alone already meets it). Unverified per-container minimum: 128 MiB.
    p.check(`${at}.memory`, sc.memory, run.memory("gen1"));
    // Cloud Run sets PORT in the main container only: a sidecar may set its own.
    for (const name of Object.keys(sc.env ?? {})) {
      if (name !== "PORT") p.check(`${at}.env.${name}`, name, run.envName);
    }
    const probePort = (pr: NonNullable<typeof sc.startupProbe>) =>
      "grpc" in pr ? pr.grpc.port : "tcp" in pr ? pr.tcp.port : (pr as { port?: number }).port;
    if (sc.startupProbe !== undefined && probePort(sc.startupProbe) === undefined) {
      p.add(
        `${at}.startupProbe`,
        sc.startupProbe,
        "must give its port: a sidecar has no port of its own, and the default is the main container's",
      );
    }
    checkProbe(p, `${at}.startupProbe`, sc.startupProbe, run.MAX_PROBE_PERIOD.startup, STARTUP_WINDOW);
  });
  // Start order: names that exist, not the container itself, no cycle.
  const after = new Map<string, readonly string[]>([[main, props.startAfter ?? []]]);
  sidecars.forEach((sc) => after.set(sc.name, sc.startAfter ?? []));
  const order = (path: string, self: string, list: readonly string[] | undefined) =>
    (list ?? []).forEach((n, j) => {
      if (!names.has(n)) p.add(`${path}[${j}]`, n, `must be one of the containers: ${[...names.keys()].join(", ")}`);
      else if (n === self) p.add(`${path}[${j}]`, n, "must not be the container itself");
    });
  order("startAfter", main, props.startAfter);
  sidecars.forEach((sc, i) => order(`sidecars[${i}].startAfter`, sc.name, sc.startAfter));
  // Cloud Run starts a container after another once that one's startup probe passes: a container
  // others wait for needs one. The API's refusal: "Dependent container 'sidecar' must have startup
  // probe specified" (GoogleCloudPlatform/cloud-run-samples#230).
  const probed = new Set<string>([
    ...(props.startupProbe ? [main] : []),
    ...sidecars.filter((sc) => sc.startupProbe !== undefined).map((sc) => sc.name),
  ]);
  const needsProbe = (path: string, list: readonly string[] | undefined) =>
    (list ?? []).forEach((n, j) => {
      if (names.has(n) && !probed.has(n)) {
        p.add(
          `${path}[${j}]`,
          n,
          `names a container with no startup probe; Cloud Run starts the others only after its startup probe passes, so give ${n} one`,
        );
      }
    });
  needsProbe("startAfter", props.startAfter);
  sidecars.forEach((sc, i) => needsProbe(`sidecars[${i}].startAfter`, sc.startAfter));
  const visiting = new Set<string>();
  const done = new Set<string>();
  const cyclic = (n: string): boolean => {
    if (done.has(n)) return false;
    if (visiting.has(n)) return true;
    visiting.add(n);
    const found = (after.get(n) ?? []).some((m) => names.has(m) && m !== n && cyclic(m));
    visiting.delete(n);
    done.add(n);
    return found;
  };
  if ([...names.keys()].some((n) => cyclic(n))) {
    p.add("startAfter", Object.fromEntries(after), "the containers' start order has a cycle: none of them could start");
  }
}
