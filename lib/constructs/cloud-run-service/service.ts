import { ITerraformDependable, Lazy } from "cdktf";
import { Construct } from "constructs";
import { resolveTokens, shortHash } from "../../gcp/terraform";
import { Problems, throwIfInvalid } from "../../gcp/validation";
import { CloudRunV2Service, CloudRunV2ServiceIamMember, ServiceAccount } from "../../providers";
import { SERVICE_AGENTS } from "../../gcp/run";
import { grantId, grantKeyUse, projectNumberOf, resolveDependencies } from "../common";
import { CloudRunServiceProps, DEFAULTS, Ingress, InvokerOptions, Probe } from "./props";
import { grantSecretAccess } from "./service-account";
import { grantVolumeAccess, runtimeIdentity } from "../workload";
import { revisionTemplate, serviceConfig } from "./template";
import { checkInvoker, validateCloudRunServiceProps } from "./validate";

/**
 * A Cloud Run service (v2 API) running as its own least-privilege service account, with scaling
 * capped, resources validated together, and deletion protection on by default.
 *
 * Construct ids inside (`service`, `service-account`, `log-writer`, `metric-writer`,
 * `secret-access-…`, `invoker-…`) become Terraform addresses; they never change between versions.
 */
export class CloudRunService extends Construct {
  /** The `google_cloud_run_v2_service` resource. */
  readonly service: CloudRunV2Service;
  /** The service name. */
  readonly serviceName: string;
  /** The service's main URL (`https://…run.app`), known after apply. */
  readonly uri: string;
  /** The email of the service account the service runs as. */
  readonly serviceAccountEmail: string;
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
    throwIfInvalid(this, "CloudRunService", validateCloudRunServiceProps(props));
    this.props = props;
    this.serviceName = props.name;
    this.location = props.location;
    this.project = props.project;
    this.maxInstances = props.maxInstances ?? DEFAULTS.maxInstances;
    const httpPath = (probe: Probe | undefined) => (probe !== undefined && "path" in probe ? probe.path : undefined);
    this.healthCheckPath = httpPath(props.startupProbe) ?? httpPath(props.livenessProbe);
    this.ingress = props.ingress ?? DEFAULTS.ingress;
    this.customAudiences = props.customAudiences ?? [];
    const dependsOn = resolveDependencies(props.dependsOn);
    const depends = (extra: ITerraformDependable[] = []): ITerraformDependable[] | undefined =>
      dependsOn.length + extra.length > 0 ? [...dependsOn, ...extra] : undefined;

    const identity = runtimeIdentity(this, props, "service", depends());
    this.serviceAccountEmail = identity.email;
    this.serviceAccount = identity.account;
    const member = identity.member;

    const secretGrants = props.grantSecretAccess === false ? [] : grantSecretAccess(this, props, member, depends());
    const bucketGrants = grantVolumeAccess(this, props.volumes, member, depends());
    // The Cloud Run service agent may use the key; the service waits for the grant, and the grant
    // for dependsOn (the agent appears when the API is enabled).
    const keyGrants: ITerraformDependable[] = [];
    if (props.encryptionKey !== undefined && props.grantKeyAccess !== false) {
      const number = projectNumberOf(this, props.projectNumber, props.project);
      keyGrants.push(grantKeyUse(this, props.encryptionKey, SERVICE_AGENTS.run(number), depends()));
    }
    const template = revisionTemplate(props, this.serviceAccountEmail);
    this.revisionName = Lazy.stringValue({
      produce: () => `${props.name}-${shortHash(JSON.stringify(resolveTokens(this, template)))}`,
    });
    this.service = new CloudRunV2Service(this, "service", {
      ...serviceConfig(props, this.serviceAccountEmail, this.revisionName),
      dependsOn: depends([...secretGrants, ...bucketGrants, ...keyGrants]),
    });
    this.uri = this.service.uri;

    (props.invokers ?? []).forEach((m) => this.grantInvoker(m));
  }

  /**
   * Lets `member` call the service (`roles/run.invoker`), additively: other grants on the
   * service are left alone. `allUsers` and `allAuthenticatedUsers` need `allowPublic`.
   * Returns the IAM member; granting the same member twice returns the first.
   */
  grantInvoker(member: string, options: InvokerOptions = {}): CloudRunV2ServiceIamMember {
    const p = new Problems();
    checkInvoker(p, "member", member, options.allowPublic ?? this.props.allowPublic ?? false);
    p.throwIfAny(`CloudRunService "${this.node.path}".grantInvoker()`);
    const id = grantId(this, "invoker", member);
    const existing = this.node.tryFindChild(id);
    if (existing instanceof CloudRunV2ServiceIamMember) return existing;
    return new CloudRunV2ServiceIamMember(this, id, {
      project: this.props.project,
      location: this.props.location,
      name: this.service.name,
      role: "roles/run.invoker",
      member,
    });
  }
}
