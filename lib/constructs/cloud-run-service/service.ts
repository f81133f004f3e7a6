import { guardPolicyPlacement } from "../common";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { resolveTokens, shortHash } from "../../gcp/terraform";
import { Problems, throwIfInvalid } from "../../gcp/validation";
import { CloudRunV2Service, CloudRunV2ServiceIamMember, ServiceAccount } from "../../providers";
import { Grant, Grantee, IGrantee, grantOf, grantOnce, memberOf } from "../grants";
import { grantId } from "../common";
import { httpPathOf, workloadRuntime } from "../workload";
import { CloudRunServiceProps, DEFAULTS, Ingress, InvokerOptions } from "./props";
import { revisionTemplate, serviceConfig } from "./template";
import { checkInvoker, validateCloudRunServiceProps } from "./validate";
import { EventTrigger, EventTriggerOptions, checkEventTrigger, makeEventTrigger } from "./events";

/** The role {@link CloudRunService.grantInvoker} grants: call the service. */
const INVOKER_ROLE = "roles/run.invoker";

/**
 * A Cloud Run service (v2 API) running as its own least-privilege service account, with scaling
 * capped, resources validated together, and deletion protection on by default.
 *
 * Construct ids inside (`service`, `service-account`, `log-writer`, `metric-writer`,
 * `secret-access-…`, `cloudsql-client`, `invoker-…`, `events-…`) become Terraform addresses; they
 * never change between versions.
 */
export class CloudRunService extends Construct implements IGrantee {
  /** The `google_cloud_run_v2_service` resource. */
  readonly service: CloudRunV2Service;
  /** The service name. */
  readonly serviceName: string;
  /** The service's main URL (`https://…run.app`), known after apply. */
  readonly uri: string;
  /** The email of the service account the service runs as. */
  readonly serviceAccountEmail: string;
  /**
   * The IAM member of the account the service runs as (`serviceAccount:…`): pass the service
   * itself to another construct's grant method to grant it something.
   */
  readonly member: string;
  /** The runtime service account this construct created, unless an existing one was passed. */
  readonly serviceAccount?: ServiceAccount;
  /**
   * The name of this template's revision: `SERVICE-` and 8 hex digits of the SHA-256 of the
   * template (everything a revision is made of, as synthesized). Any change to the template gives
   * a new name, and the same template keeps its name, so a name never collides with a revision
   * of different content: Cloud Run refuses a template whose revision name exists ("409 revision
   * already exists", provider issue 14569), which a fixed name hits on the next change. Known at
   * synthesis (a token until then).
   */
  readonly revisionName: string;
  /** The region. */
  readonly location: string;
  /** The project, when given (otherwise the provider's). */
  readonly project?: string;
  /** The most instances it may run, as written. */
  readonly maxInstances: number;
  /** The path its health checks call: the startup probe's, else the liveness probe's. */
  readonly healthCheckPath?: string;
  /** Where requests may come from. */
  readonly ingress: Ingress;
  /** The audiences, besides its URL, that tokens for it may be minted for. */
  readonly customAudiences: readonly string[];

  private readonly props: CloudRunServiceProps;

  constructor(scope: Construct, id: string, props: CloudRunServiceProps) {
    super(scope, id);
    guardPolicyPlacement(this);
    throwIfInvalid(this, "CloudRunService", validateCloudRunServiceProps(props));
    this.props = props;
    this.serviceName = props.name;
    this.location = props.location;
    this.project = props.project;
    this.maxInstances = props.maxInstances ?? DEFAULTS.maxInstances;
    this.healthCheckPath = httpPathOf(props.startupProbe, props.livenessProbe);
    this.ingress = props.ingress ?? DEFAULTS.ingress;
    this.customAudiences = props.customAudiences ?? [];
    const { identity, grants, depends } = workloadRuntime(this, props, "service");
    this.serviceAccountEmail = identity.email;
    this.serviceAccount = identity.account;
    this.member = identity.member;
    const template = revisionTemplate(props, this.serviceAccountEmail);
    // Named once, when first resolved: the template is fixed at construction, and its tokens
    // resolve to the addresses of what they name, which do not change. Synthesis resolves the
    // name several times (the policy check, the stack's preparation, its output).
    let name: string | undefined;
    this.revisionName = Lazy.stringValue({
      produce: () => (name ??= `${props.name}-${shortHash(JSON.stringify(resolveTokens(this, template)))}`),
    });
    this.service = new CloudRunV2Service(this, "service", {
      ...serviceConfig(props, this.serviceAccountEmail, this.revisionName),
      dependsOn: depends(grants),
    });
    this.uri = this.service.uri;

    (props.invokers ?? []).forEach((m) => this.grantInvoker(m));
  }

  /**
   * Routes events to the service through Eventarc: objects written to (or deleted from) a Cloud
   * Storage bucket, or messages published to a Pub/Sub topic, each POSTed to `path` as a
   * CloudEvent. The trigger calls the service as its own account (`SERVICE-ID-ev`), which may
   * invoke this service and nothing else; a Cloud Storage trigger's account also receives events
   * (`roles/eventarc.eventReceiver` on the project, as Eventarc requires), and the Cloud Storage
   * service agent may publish to Pub/Sub (`roles/pubsub.publisher` on the project, once per
   * stack). Enable the Eventarc API (`eventarc.googleapis.com`, and `pubsub.googleapis.com`)
   * first. Construct ids: `events-ID/{service-account,invoker,event-receiver,trigger}`.
   * @see https://cloud.google.com/eventarc/docs/run/route-trigger-cloud-storage
   */
  addEventTrigger(id: string, options: EventTriggerOptions): EventTrigger {
    const target = {
      scope: this,
      serviceName: this.serviceName,
      serviceResourceName: this.service.name,
      location: this.location,
      project: this.project,
      projectNumber: this.props.projectNumber,
      labels: this.props.labels,
    };
    const p = new Problems();
    checkEventTrigger(p, target, id, options);
    p.throwIfAny(`CloudRunService "${this.node.path}".addEventTrigger("${id}")`);
    return makeEventTrigger(target, id, options);
  }

  /**
   * Lets `grantee` call the service (`roles/run.invoker`), additively: other grants on the
   * service are left alone. `allUsers` and `allAuthenticatedUsers` need `allowPublic`.
   * Granting the same member twice returns the first grant. Construct id: `invoker-<member>`.
   */
  grantInvoker(grantee: Grantee, options: InvokerOptions = {}): Grant {
    const member = memberOf(grantee);
    const subject = `CloudRunService "${this.node.path}".grantInvoker()`;
    const p = new Problems();
    checkInvoker(p, "member", member, options.allowPublic ?? this.props.allowPublic ?? false);
    p.throwIfAny(subject);
    const id = grantId(this, "invoker", member);
    const resource = grantOnce(
      this,
      id,
      { role: INVOKER_ROLE, member },
      () =>
        new CloudRunV2ServiceIamMember(this, id, {
          project: this.props.project,
          location: this.props.location,
          name: this.service.name,
          role: INVOKER_ROLE,
          member,
        }),
      { subject, path: "member", value: member },
    );
    return grantOf(member, [{ role: INVOKER_ROLE, resource }]);
  }
}
