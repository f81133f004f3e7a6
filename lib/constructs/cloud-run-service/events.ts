import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { eventTriggerServiceAccountId, serviceAccountMember } from "../../gcp/iam";
import { bucketName } from "../../gcp/storage";
import * as run from "../../gcp/run";
import { isUnresolved, sortedRecord } from "../../gcp/terraform";
import { Problems } from "../../gcp/validation";
import {
  CloudRunV2ServiceIamMember,
  EventarcTrigger,
  ProjectIamMember,
  ServiceAccount,
  lazyProviders,
} from "../../providers";
import { projectData, projectNumberOf } from "../common";
import { ModelBucket } from "../model-bucket";

/** Objects of a Cloud Storage bucket: written, deleted, archived or changed. */
export interface StorageEventSource {
  /** The bucket: a {@link ModelBucket} (the trigger is then made in its location), or a bucket name. */
  readonly storageBucket: ModelBucket | string;
  /** The event, such as `google.cloud.storage.object.v1.finalized` (an object written). */
  readonly eventType: run.StorageEventType;
}

/** Messages published to a Pub/Sub topic. */
export interface PubSubEventSource {
  /** The topic: its id in the service's project, or `projects/PROJECT/topics/ID`. */
  readonly pubsubTopic: string;
}

/** Options of {@link CloudRunService.addEventTrigger}. */
export interface EventTriggerOptions {
  /** Where the events come from: a bucket's objects, or a topic's messages. */
  readonly source: StorageEventSource | PubSubEventSource;
  /**
   * The path of the service that receives each event, as a POST of a CloudEvent.
   * @default "/"
   */
  readonly path?: string;
  /**
   * The trigger's location. A Cloud Storage trigger must be in its bucket's location (a region,
   * or a dual- or multi-region such as `eu`); a Pub/Sub trigger in a region.
   * @default - a ModelBucket's location, lower-cased; otherwise the service's region
   */
  readonly location?: string;
  /**
   * The project's number, which names the Cloud Storage and Pub/Sub service agents.
   * @default - the service's `projectNumber`, or read with a `google_project` data source
   */
  readonly projectNumber?: string;
  /**
   * Grant the Cloud Storage service agent `roles/pubsub.publisher` on the project, which a Cloud
   * Storage trigger needs (Eventarc carries its events through Pub/Sub). Once per stack and project.
   * Turn it off when it is granted elsewhere.
   * @default true
   */
  readonly grantServiceAgents?: boolean;
  /**
   * An existing account for the trigger to call the service as, instead of the one this method
   * creates: it is granted invoker on this service here, and nothing else (for a Cloud Storage
   * trigger, grant it `roles/eventarc.eventReceiver` on the project where you made it).
   * @default - a dedicated account is created (`SERVICE-ID-ev`), with the receiver role
   */
  readonly serviceAccountEmail?: string;
  /**
   * Grant the Pub/Sub service agent `roles/iam.serviceAccountTokenCreator` on the project, which
   * only projects created on or before April 8, 2021 need (newer ones have it by default). It can
   * mint tokens for every account of the project: off unless asked.
   * @default false
   */
  readonly grantPubSubTokenCreator?: boolean;
}

/** What {@link CloudRunService.addEventTrigger} made. */
export interface EventTrigger {
  /** The `google_eventarc_trigger`. */
  readonly trigger: EventarcTrigger;
  /**
   * The account the trigger calls the service as, which may invoke this service and nothing else,
   * when this method created it (not with `serviceAccountEmail`).
   */
  readonly serviceAccount?: ServiceAccount;
  /** The email of the account the trigger calls the service as. */
  readonly serviceAccountEmail: string;
  /** Its invoker grant on the service. */
  readonly invoker: CloudRunV2ServiceIamMember;
}

/** What a service tells a trigger about itself. */
export interface TriggerTarget {
  readonly scope: Construct;
  readonly serviceName: string;
  readonly serviceResourceName: string;
  readonly location: string;
  readonly project?: string;
  readonly projectNumber?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Checks a trigger's id and options: every problem, with option paths. Without a scope (the
 * environments app's configuration checks), a second trigger of one id is not looked for.
 */
export function checkEventTrigger(
  p: Problems,
  target: Pick<TriggerTarget, "serviceName" | "location"> & { readonly scope?: Construct },
  id: string,
  options: EventTriggerOptions,
): void {
  p.check("id", id, run.eventTriggerId);
  // The trigger is named SERVICE-ID. Eventarc's own length limit is not stated where we looked
  // (its REST reference, the provider's docs): it is kept to a DNS label's 63 characters.
  const name = `${target.serviceName}-${id}`;
  if (!isUnresolved(target.serviceName) && name.length > run.MAX_TRIGGER_NAME) {
    p.add(
      "id",
      id,
      `names the trigger ${name}, ${name.length} characters; with the service name it must be at most ${run.MAX_TRIGGER_NAME}`,
    );
  }
  if (target.scope?.node.tryFindChild(`events-${id}`) !== undefined) {
    p.add("id", id, "is already a trigger of this service; trigger ids must be unique");
  }
  const source = options.source as Partial<StorageEventSource & PubSubEventSource> | undefined;
  if (source === undefined || typeof source !== "object") {
    p.add("source", source, "must be { storageBucket, eventType } or { pubsubTopic }");
  } else if (source.storageBucket !== undefined && source.pubsubTopic !== undefined) {
    p.add("source", source, "must be a bucket's events or a topic's messages, not both");
  } else if (source.storageBucket !== undefined) {
    if (typeof source.storageBucket === "string") p.check("source.storageBucket", source.storageBucket, bucketName);
    else if (!(source.storageBucket instanceof ModelBucket)) {
      p.add("source.storageBucket", source.storageBucket, "must be a ModelBucket or a bucket name");
    }
    p.check("source.eventType", source.eventType as string, run.storageEventType);
  } else if (source.pubsubTopic !== undefined) {
    p.check("source.pubsubTopic", source.pubsubTopic, run.pubsubTopic);
  } else {
    p.add("source", source, "must have storageBucket (with eventType) or pubsubTopic");
  }
  p.check("path", options.path, run.probePath);
  p.check("location", options.location, (v) =>
    /^[a-z]+(?:-[a-z]+[0-9]*)*$/.test(v) ? undefined : "must be a location such as europe-west1 or eu",
  );
  if (options.location !== undefined && source?.pubsubTopic !== undefined && !/[0-9]$/.test(options.location)) {
    p.add("location", options.location, `a Pub/Sub trigger must be in a region, such as ${target.location}`);
  }
}

/**
 * Makes an Eventarc trigger to `target` under `scope` (construct id `events-ID`): its own account
 * (`SERVICE-ID-ev`), granted `roles/run.invoker` on this service only (`invoker`) and, for direct
 * events (Cloud Storage), `roles/eventarc.eventReceiver` on the project (`event-receiver`); the
 * service agents' roles once per stack; and the trigger (`trigger`), which waits for them all.
 */
export function makeEventTrigger(target: TriggerTarget, id: string, options: EventTriggerOptions): EventTrigger {
  const scope = new Construct(target.scope, `events-${id}`);
  const source = options.source;
  const storage = "storageBucket" in source ? source : undefined;
  const account =
    options.serviceAccountEmail === undefined
      ? new ServiceAccount(scope, "service-account", {
          project: target.project,
          accountId: eventTriggerServiceAccountId(target.serviceName, id),
          displayName: `Eventarc: ${id} to ${target.serviceName}`,
          description: `Eventarc trigger ${id} calls the Cloud Run service ${target.serviceName} as this account; invoker on that service only`,
        })
      : undefined;
  const email = options.serviceAccountEmail ?? account!.email;
  const member = account?.member ?? serviceAccountMember(email);
  const invoker = new CloudRunV2ServiceIamMember(scope, "invoker", {
    project: target.project,
    location: target.location,
    name: target.serviceResourceName,
    role: "roles/run.invoker",
    member,
  });
  const project = target.project ?? projectData(target.scope, undefined).projectId;
  const waits: (ProjectIamMember | CloudRunV2ServiceIamMember)[] = [invoker];
  if (storage !== undefined && account !== undefined) waits.push(grantEventReceiver(scope, project, member));
  // The project's number names the agents: given, or one google_project data source per service.
  const number = () => options.projectNumber ?? projectNumberOf(target.scope, target.projectNumber, target.project);
  if (storage !== undefined && options.grantServiceAgents !== false) {
    waits.push(grantStorageAgentPublisher(target.scope, project, number()));
  }
  if (options.grantPubSubTokenCreator) {
    const agent = run.EVENT_AGENTS.pubsub(number());
    waits.push(
      agentGrant(target.scope, project, "pubsub-token-creator", "roles/iam.serviceAccountTokenCreator", agent),
    );
  }
  const bucket = storage === undefined ? undefined : storage.storageBucket;
  const location =
    options.location ??
    (bucket instanceof ModelBucket && !isUnresolved(bucket.location) ? bucket.location.toLowerCase() : target.location);
  const Trigger = lazyProviders.EventarcTrigger();
  const trigger = new Trigger(scope, "trigger", {
    project: target.project,
    location,
    name: `${target.serviceName}-${id}`,
    labels: sortedRecord(target.labels),
    serviceAccount: email,
    eventDataContentType: "application/json",
    matchingCriteria:
      storage === undefined
        ? [{ attribute: "type", value: run.PUBSUB_EVENT_TYPE }]
        : [
            { attribute: "type", value: storage.eventType },
            { attribute: "bucket", value: typeof bucket === "string" ? bucket : bucket!.bucket.name },
          ],
    transport: "pubsubTopic" in source ? { pubsub: { topic: source.pubsubTopic } } : undefined,
    destination: {
      cloudRunService: { service: target.serviceResourceName, region: target.location, path: options.path ?? "/" },
    },
    dependsOn: waits,
  });
  return { trigger, serviceAccount: account, serviceAccountEmail: email, invoker };
}

/** The role a trigger's account needs on the project to receive direct events (Cloud Storage). */
export const EVENT_RECEIVER_ROLE = "roles/eventarc.eventReceiver";

/** Lets a trigger's account receive direct events: `roles/eventarc.eventReceiver` on the project (`event-receiver`). */
export function grantEventReceiver(scope: Construct, project: string, member: string): ProjectIamMember {
  return new ProjectIamMember(scope, "event-receiver", { project, role: EVENT_RECEIVER_ROLE, member });
}

/**
 * The Cloud Storage service agent's `roles/pubsub.publisher` on the project, which Cloud Storage
 * triggers need, made once per stack and project (see {@link EventTriggerOptions.grantServiceAgents}).
 */
export function grantStorageAgentPublisher(scope: Construct, project: string, projectNumber: string): ProjectIamMember {
  return agentGrant(
    scope,
    project,
    "storage-publisher",
    "roles/pubsub.publisher",
    run.EVENT_AGENTS.storage(projectNumber),
  );
}

/**
 * A service agent's role on the project, made once per stack, project and role (a second trigger
 * reuses it: two resources for one binding would drop it when either is destroyed).
 */
function agentGrant(scope: Construct, project: string, what: string, role: string, agent: string): ProjectIamMember {
  const stack = TerraformStack.of(scope);
  const holder =
    (stack.node.tryFindChild("eventarc-service-agents") as Construct | undefined) ??
    new Construct(stack, "eventarc-service-agents");
  const id = isUnresolved(project) ? what : `${what}-${project}`;
  return (
    (holder.node.tryFindChild(id) as ProjectIamMember | undefined) ??
    new ProjectIamMember(holder, id, { project, role, member: serviceAccountMember(agent) })
  );
}
