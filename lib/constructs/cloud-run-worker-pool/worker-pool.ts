import { Construct } from "constructs";
import { sortedRecord } from "../../gcp/terraform";
import { throwIfInvalid } from "../../gcp/validation";
import { CloudRunV2WorkerPool, CloudRunV2WorkerPoolConfig, ServiceAccount, lazyProviders } from "../../providers";
import { guardPolicyPlacement } from "../common";
import { IGrantee } from "../grants";
import { binaryAuthorizationOf, mainContainer, volumesOf, vpcAccessOf, workloadRuntime } from "../workload";
import { CloudRunWorkerPoolProps, WORKER_POOL_DEFAULTS, withPoolDefaults } from "./props";
import { validateCloudRunWorkerPoolProps } from "./validate";

/**
 * A Cloud Run worker pool (v2 API): always-on instances that pull their work (a Pub/Sub
 * subscription, a queue) and serve no request, with no URL. Manual scaling: `instanceCount`
 * instances run, each billed as active. It runs as its own least-privilege service account
 * (`NAME-pool`), with the volumes, VPC egress, key, Binary Authorization and labels every
 * workload takes, and deletion protection on by default.
 *
 * Construct ids inside (`worker-pool`, `service-account`, `log-writer`, `metric-writer`,
 * `secret-access-…`, `cloudsql-client`) become Terraform addresses; they never change between
 * versions.
 */
export class CloudRunWorkerPool extends Construct implements IGrantee {
  /** The `google_cloud_run_v2_worker_pool` resource. */
  readonly workerPool: CloudRunV2WorkerPool;
  /** The worker pool's name. */
  readonly workerPoolName: string;
  /** The email of the service account the pool runs as. */
  readonly serviceAccountEmail: string;
  /** The IAM member of that account: pass the pool to another construct's grant method. */
  readonly member: string;
  /** The runtime service account this construct created, unless an existing one was passed. */
  readonly serviceAccount?: ServiceAccount;
  /** The region. */
  readonly location: string;
  /** The project, when given (otherwise the provider's). */
  readonly project?: string;
  /** The instances it runs, as written. */
  readonly instanceCount: number;

  constructor(scope: Construct, id: string, props: CloudRunWorkerPoolProps) {
    super(scope, id);
    guardPolicyPlacement(this);
    throwIfInvalid(this, "CloudRunWorkerPool", validateCloudRunWorkerPoolProps(props));
    this.workerPoolName = props.name;
    this.location = props.location;
    this.project = props.project;
    this.instanceCount = props.instanceCount ?? WORKER_POOL_DEFAULTS.instanceCount;
    const { identity, grants, depends } = workloadRuntime(this, props, "workerPool");
    this.serviceAccountEmail = identity.email;
    this.serviceAccount = identity.account;
    this.member = identity.member;
    const WorkerPool = lazyProviders.CloudRunV2WorkerPool();
    this.workerPool = new WorkerPool(this, "worker-pool", {
      ...workerPoolConfig(props, this.serviceAccountEmail),
      dependsOn: depends(grants),
    });
  }
}

/** How the props become the `google_cloud_run_v2_worker_pool`: every default written explicitly. */
function workerPoolConfig(given: CloudRunWorkerPoolProps, serviceAccountEmail: string): CloudRunV2WorkerPoolConfig {
  const props = withPoolDefaults(given);
  const { volumes, volumeMounts } = volumesOf(props);
  return {
    project: props.project,
    location: props.location,
    name: props.name,
    description: props.description,
    labels: sortedRecord(props.labels),
    deletionProtection: props.deletionProtection ?? WORKER_POOL_DEFAULTS.deletionProtection,
    binaryAuthorization: binaryAuthorizationOf(props),
    scaling: { scalingMode: "MANUAL", manualInstanceCount: props.instanceCount ?? WORKER_POOL_DEFAULTS.instanceCount },
    // Every instance runs the latest revision, the one this template makes.
    instanceSplits: [{ type: "INSTANCE_SPLIT_ALLOCATION_TYPE_LATEST", percent: 100 }],
    template: {
      serviceAccount: serviceAccountEmail,
      encryptionKey: props.encryptionKey,
      vpcAccess: vpcAccessOf(props),
      labels: sortedRecord(props.labels),
      volumes,
      containers: [
        {
          ...mainContainer(props),
          resources: {
            limits: { cpu: props.cpu ?? WORKER_POOL_DEFAULTS.cpu, memory: props.memory },
          },
          volumeMounts,
        },
      ],
    },
  };
}
