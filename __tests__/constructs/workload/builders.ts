/**
 * Builders and assertions for the tests of what Cloud Run services and jobs share
 * (lib/constructs/workload/), of CloudRunJob, and of ModelBucket, which workloads mount as
 * volumes: base props that pass, one construct in a fresh stack per case, `refused`, which reads
 * a ValidationError as its reader would, and KINDS, to run one test for a service and for a job.
 */
import { Construct } from "constructs";
import {
  CloudRunJob,
  CloudRunJobProps,
  CloudRunService,
  CloudRunServiceProps,
  ModelBucket,
  ModelBucketProps,
  ValidationError,
  WorkloadProps,
} from "../../../lib";
import { IMAGE, Json, Synth, newStack, only, resources, synth } from "../../helpers";

export const PROJECT = "acme-ml-dev";
export const jobBase: CloudRunJobProps = { project: PROJECT, location: "europe-west1", name: "train", image: IMAGE };
export const serviceBase: CloudRunServiceProps = {
  project: PROJECT,
  location: "europe-west1",
  name: "predict",
  image: IMAGE,
};
export const bucketBase: ModelBucketProps = { project: PROJECT, name: "acme-models", location: "europe-west1" };

/** What an L4 needs beside it, for a job (a service also needs cpuIdle: false). */
export const L4 = { gpu: { type: "nvidia-l4" as const }, cpu: "4", memory: "16Gi" };
export const L4_SERVICE = { ...L4, cpuIdle: false };

export const JOB_SUBJECT = 'CloudRunJob "test/train"';
export const SERVICE_SUBJECT = 'CloudRunService "test/predict"';
export const BUCKET_SUBJECT = 'ModelBucket "test/models"';

export const newJob = (props: Partial<CloudRunJobProps> = {}) =>
  new CloudRunJob(newStack(), "train", { ...jobBase, ...props } as CloudRunJobProps);
export const newService = (props: Partial<CloudRunServiceProps> = {}) =>
  new CloudRunService(newStack(), "predict", { ...serviceBase, ...props } as CloudRunServiceProps);
export const newBucket = (props: Partial<ModelBucketProps> = {}) =>
  new ModelBucket(newStack(), "models", { ...bucketBase, ...props } as ModelBucketProps);

/** The ValidationError `fn` throws; fails when it throws nothing or something else. */
export function validationErrorOf(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw new Error(`expected a ValidationError, got ${String(e)}`);
  }
  throw new Error("expected a ValidationError, none was thrown");
}

/** A value as the error message shows it (strings quoted, objects as JSON). */
const shown = (value: unknown): string => (value === undefined ? "undefined" : JSON.stringify(value));

export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * `fn` throws one ValidationError for `subject` whose message has a line naming `path` and the
 * value received, and saying `rule`. Returns the error for further checks.
 */
export function refused(
  fn: () => unknown,
  subject: string,
  path: string,
  value: unknown,
  rule: RegExp,
): ValidationError {
  const err = validationErrorOf(fn);
  expect(err.message).toMatch(new RegExp(`^${escapeRegExp(subject)} has \\d+ invalid props?:\n`));
  const prefix = `  - ${path}: got ${shown(value)}; `;
  const lines = err.message.split("\n").filter((l) => l.startsWith(prefix));
  expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(rule)]));
  expect(err.problems).toEqual(expect.arrayContaining([expect.objectContaining({ path, value })]));
  return err;
}

export const jobPasses = (props: Partial<CloudRunJobProps>) => expect(() => newJob(props)).not.toThrow();
export const jobFails = (props: Partial<CloudRunJobProps>, path: string, value: unknown, rule: RegExp) =>
  refused(() => newJob(props), JOB_SUBJECT, path, value, rule);
export const servicePasses = (props: Partial<CloudRunServiceProps>) => expect(() => newService(props)).not.toThrow();
export const serviceFails = (props: Partial<CloudRunServiceProps>, path: string, value: unknown, rule: RegExp) =>
  refused(() => newService(props), SERVICE_SUBJECT, path, value, rule);
export const bucketPasses = (props: Partial<ModelBucketProps>) => expect(() => newBucket(props)).not.toThrow();
export const bucketFails = (props: Partial<ModelBucketProps>, path: string, value: unknown, rule: RegExp) =>
  refused(() => newBucket(props), BUCKET_SUBJECT, path, value, rule);

/** The one resource of `type` whose logical id starts with `idPrefix`, with its logical id. */
export function entry(out: Synth, type: string, idPrefix: string): { id: string; ref: string; value: Json } {
  const found = Object.entries(resources(out, type)).filter(([id]) => id.startsWith(idPrefix));
  if (found.length !== 1) throw new Error(`expected one ${type} ${idPrefix}…, found ${found.length}`);
  const [id, value] = found[0];
  return { id, ref: `${type}.${id}`, value };
}

/** Every resource of the stack, of any type, as [type, logical id, config]. */
export function allResources(out: Synth): [string, string, Json][] {
  return Object.entries(out.resource).flatMap(([type, byId]) =>
    Object.entries(byId).map(([id, value]) => [type, id, value] as [string, string, Json]),
  );
}

/** A CloudRunJob "train" over jobBase in a fresh stack, synthesized; `then` may call its methods. */
export const synthJob = (props: Partial<CloudRunJobProps> = {}, then?: (job: CloudRunJob) => void) =>
  synth((s) => {
    const job = new CloudRunJob(s, "train", { ...jobBase, ...props } as CloudRunJobProps);
    then?.(job);
  });
export const jobOf = (out: Synth) => only(out, "google_cloud_run_v2_job");

// ---------------------------------------------------------------------------------------------
// Both kinds: one test for a service and for a job
// ---------------------------------------------------------------------------------------------

/** Props both kinds take (their execution environments are typed apart), and a service's cpuIdle. */
export type SharedProps = Partial<Omit<WorkloadProps, "executionEnvironment">> & { readonly cpuIdle?: boolean };

/** One kind of workload, as a shared test builds and reads it. */
export interface Kind {
  readonly kind: "service" | "job";
  /** The subject of its ValidationError. */
  readonly subject: string;
  /** What an L4 GPU needs beside it, for this kind. */
  readonly l4: SharedProps;
  /** The props over the kind's base pass. */
  passes(props: SharedProps): void;
  /** The props over the kind's base are refused at `path`, naming `value` and saying `rule`. */
  fails(props: SharedProps, path: string, value: unknown, rule: RegExp): ValidationError;
  /** Builds the workload (id "predict" or "train") in `scope`, with `props` over the kind's base. */
  build(scope: Construct, props: SharedProps): CloudRunService | CloudRunJob;
  /** The Terraform resource type it synthesizes. */
  readonly type: string;
  /** The template that holds the containers and volumes of the synthesized resource. */
  template(resource: Json): Json;
  /** The logical id prefix of the runtime account it creates. */
  readonly accountPrefix: string;
}

export const SERVICE: Kind = {
  kind: "service",
  subject: SERVICE_SUBJECT,
  l4: L4_SERVICE,
  passes: (props) => servicePasses(props as Partial<CloudRunServiceProps>),
  fails: (props, path, value, rule) => serviceFails(props as Partial<CloudRunServiceProps>, path, value, rule),
  build: (scope, props) => new CloudRunService(scope, "predict", { ...serviceBase, ...props } as CloudRunServiceProps),
  type: "google_cloud_run_v2_service",
  template: (resource) => resource.template,
  accountPrefix: "predict_service-account_",
};

export const JOB: Kind = {
  kind: "job",
  subject: JOB_SUBJECT,
  l4: L4,
  passes: (props) => jobPasses(props as Partial<CloudRunJobProps>),
  fails: (props, path, value, rule) => jobFails(props as Partial<CloudRunJobProps>, path, value, rule),
  build: (scope, props) => new CloudRunJob(scope, "train", { ...jobBase, ...props } as CloudRunJobProps),
  type: "google_cloud_run_v2_job",
  template: (resource) => resource.template.template,
  accountPrefix: "train_service-account_",
};

/** Both kinds, for `test.each(KINDS)("$kind: …", (k) => …)`. */
export const KINDS: readonly Kind[] = [SERVICE, JOB];
