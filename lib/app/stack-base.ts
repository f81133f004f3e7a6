import { Aspects, GcsBackend, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { MANAGED_BY_LABEL } from "../constructs/common";
import { sortedRecord } from "../gcp/terraform";
import { PolicyPack } from "../policies";
import { GoogleProvider } from "../providers";
import { EnvironmentConfig, configLocator } from "./config";

/** Where a stack's configuration comes from, and its state's place. */
export interface StackSource {
  /** The last part of its state prefix, `<app>/<state>`: the environment's name, or `bootstrap-<env>`. */
  readonly state: string;
  /** What the environment's file exported, to tell the fields it states from those it inherits. */
  readonly raw: unknown;
  /** The file (`environments/prod.ts`), named in policy findings with the field they come from. */
  readonly file?: string;
}

/**
 * What every stack of the app starts with, from its environment's configuration: the google
 * provider in the environment's project and region, with the labels every resource carries
 * (`environment`, `app`, `managed-by` and the configuration's own) as default labels; a GCS
 * backend in the environment's state bucket under `<app>/<state>`; and the policy pack at the
 * environment's stage, whose findings name the configuration field they come from.
 *
 * Construct ids (`google`, the backend) are Terraform addresses and stay fixed.
 */
export abstract class AppStack extends TerraformStack {
  /** The configuration, validated. */
  readonly config: EnvironmentConfig;
  /** The policy pack applied to this stack, at the environment's stage. */
  readonly policyPack: PolicyPack;
  /** The labels every resource of the stack carries. */
  readonly labels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, config: EnvironmentConfig, source: StackSource) {
    super(scope, id);
    this.config = config;
    this.labels = { ...config.labels, environment: config.name, app: config.app, ...MANAGED_BY_LABEL };
    const provider = new GoogleProvider(this, "google", { project: config.project, region: config.region });
    // Set through an override: cdktf snake-cases every key of a provider block, map keys included,
    // which would turn the label "cost-center" into "cost_center".
    provider.addOverride("default_labels", sortedRecord(this.labels));
    new GcsBackend(this, { bucket: config.stateBucket, prefix: `${config.app}/${source.state}` });
    this.policyPack = new PolicyPack({
      stage: config.stage,
      environment: config.name,
      locate: configLocator(config, this.node.path, source.file, source.raw),
    });
    Aspects.of(this).add(this.policyPack);
  }
}
