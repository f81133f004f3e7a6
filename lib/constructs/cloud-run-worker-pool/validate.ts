import * as run from "../../gcp/run";
import { Problem, Problems } from "../../gcp/validation";
import {
  checkCpuAndMemory,
  checkIdentity,
  checkWorkloadBasics,
  checkWorkloadContainer,
  checkWorkloadNetwork,
} from "../workload";
import { CloudRunWorkerPoolProps, withPoolDefaults } from "./props";

/** Checks {@link CloudRunWorkerPoolProps}; returns every problem, with prop paths. */
export function validateCloudRunWorkerPoolProps(given: CloudRunWorkerPoolProps): Problem[] {
  const p = new Problems();
  const props = withPoolDefaults(given);
  checkWorkloadBasics(p, props, "workerPool");
  if (props.description !== undefined && props.description.length > 512) {
    p.add("description", props.description, "must be at most 512 characters");
  }
  checkCpuAndMemory(p, props, "gen2");
  p.check("instanceCount", props.instanceCount, run.workerPoolInstanceCount);
  const v = props.vpcAccess as { connector?: unknown } | undefined;
  if (v?.connector !== undefined) {
    p.add(
      "vpcAccess.connector",
      v.connector,
      "is not offered for a worker pool (the google provider 6.50 has no connector there): use direct VPC egress, network and subnetwork",
    );
  }
  checkWorkloadContainer(p, props, "workerPool");
  checkWorkloadNetwork(p, props);
  checkIdentity(p, props);
  return [...p.list];
}
