import { Aspects, GcsBackend, TerraformOutput, TerraformStack, dependable } from "cdktf";
import { Construct } from "constructs";
import { ArtifactRepository } from "../constructs/artifact-repository";
import { CloudRunService } from "../constructs/cloud-run-service";
import { ProjectServices } from "../constructs/project-services";
import { sortedRecord } from "../gcp/terraform";
import { PolicyPack, acknowledge } from "../policies";
import { GoogleProvider } from "../providers";
import { apiFor, resourcesUnder } from "./apis";
import {
  EnvironmentConfig,
  configLocator,
  imageReference,
  parseEnvironmentConfig,
  repositoryProps,
  serviceProps,
} from "./config";
import { ParityMetadata } from "./parity";

/**
 * One environment's stack, from its configuration: the google provider, a GCS backend, the APIs
 * its resources need, the Artifact Registry repository, each Cloud Run service (whose runtime
 * account can pull from the repository), and outputs.
 *
 * Construct ids are Terraform addresses and stay fixed: `apis`, `repository`, one per service
 * key. Renaming a service key in the configuration destroys and recreates that service.
 */
export class EnvironmentStack extends TerraformStack {
  /** The configuration, validated. */
  readonly config: EnvironmentConfig;
  readonly repository: ArtifactRepository;
  /** The services, by their key in the configuration. */
  readonly services: Readonly<Record<string, CloudRunService>>;
  /** The APIs enabled, derived from the resources the stack creates. */
  readonly apis: ProjectServices;
  /** The policy pack applied to this stack, at the environment's stage. */
  readonly policyPack: PolicyPack;

  /**
   * @param config the environment's configuration, typed or untyped; it is validated with
   *   {@link parseEnvironmentConfig}, which throws `ConfigError` before anything is created.
   * @param options.source the file the configuration comes from (`environments/prod.ts`), named
   *   in policy findings with the field they come from
   */
  constructor(
    scope: Construct,
    id: string,
    config: EnvironmentConfig | unknown,
    options: { readonly source?: string } = {},
  ) {
    const parsed = parseEnvironmentConfig(config);
    super(scope, id);
    this.config = parsed;
    const labels = { ...parsed.labels, environment: parsed.name, app: parsed.app, "managed-by": "cdktf-cloud-run" };

    const provider = new GoogleProvider(this, "google", { project: parsed.project, region: parsed.region });
    // Set through an override: cdktf snake-cases every key of a provider block, map keys included,
    // which would turn the label "cost-center" into "cost_center".
    provider.addOverride("default_labels", sortedRecord(labels));
    new GcsBackend(this, { bucket: parsed.stateBucket, prefix: `${parsed.app}/${parsed.name}` });
    new ParityMetadata(this, "parity", {
      environment: parsed.name,
      project: parsed.project,
      differences: sortedRecord(parsed.differences) ?? {},
    });

    this.repository = new ArtifactRepository(this, "repository", repositoryProps(parsed));
    new TerraformOutput(this, "repository_url", {
      value: this.repository.repositoryUrl,
      description: `Artifact Registry repository for ${parsed.app} images in ${parsed.name}; push to ${this.repository.repositoryUrl}/IMAGE`,
      staticId: true,
    });

    const services: Record<string, CloudRunService> = {};
    for (const key of Object.keys(parsed.services).sort()) {
      const image = imageReference(parsed.services[key].image, this.repository.repositoryUrl);
      const service = new CloudRunService(this, key, { ...serviceProps(parsed, key), image });
      this.repository.grantReader(`serviceAccount:${service.serviceAccountEmail}`);
      services[key] = service;
      new TerraformOutput(this, `${key}_url`, {
        value: service.uri,
        description: `URL of the Cloud Run service ${service.serviceName} in ${parsed.name}`,
        staticId: true,
      });
      new TerraformOutput(this, `${key}_service_account`, {
        value: service.serviceAccountEmail,
        description: `Runtime service account of ${service.serviceName} in ${parsed.name}`,
        staticId: true,
      });
    }
    this.services = services;

    // Enable exactly the APIs the resources above need, and make each resource wait for its own.
    const resources = resourcesUnder(this);
    this.apis = new ProjectServices(this, "apis", {
      project: parsed.project,
      services: resources.map(apiFor),
    });
    for (const resource of resources) {
      const api = this.apis.resource(apiFor(resource));
      resource.dependsOn = [...(resource.dependsOn ?? []), dependable(api)];
    }

    // The policy pack, at this environment's stage, and the findings the environment accepts.
    this.policyPack = new PolicyPack({
      stage: parsed.stage,
      environment: parsed.name,
      locate: configLocator(parsed, this.node.path, options.source, config),
    });
    Aspects.of(this).add(this.policyPack);
    for (const ack of parsed.acknowledgements ?? []) {
      acknowledge(ack.service === undefined ? this : this.services[ack.service], ack.rule, ack.reason);
    }
  }
}
