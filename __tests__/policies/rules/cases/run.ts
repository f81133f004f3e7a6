/**
 * The cases of the Cloud Run rules, one compliant and one non-compliant stack
 * each (lib/policies/rules/run/): rules/run.test.ts runs them, and pack.test.ts checks that every
 * rule of the folder has one.
 */
import { Construct } from "constructs";
import { CloudRunV2ServiceIamMember, ServiceAccount } from "../../../../lib/providers";
import { Case, IMAGE, SA, generic, job, service, workerPool } from "../../builders";

/** A secret volume of one file, `api-key` at `version`, in Terraform JSON's shape. */
const secretVolume = (version: string) => ({
  name: "creds",
  secret: { secret: "api-key", default_mode: 292, items: [{ path: "api-key", version, mode: 256 }] },
});

export const CASES: Case[] = [
  [
    "RUN-001",
    "development",
    (s) =>
      new CloudRunV2ServiceIamMember(s, "i", {
        name: "predict",
        location: "europe-west1",
        role: "roles/run.invoker",
        member: "group:ml@acme.example",
      }),
    (s) =>
      new CloudRunV2ServiceIamMember(s, "i", {
        name: "predict",
        location: "europe-west1",
        role: "roles/run.invoker",
        member: "allUsers",
      }),
    /roles\/run.invoker is granted to allUsers on a Cloud Run workload/,
  ],
  [
    "RUN-001",
    "development",
    (s) =>
      generic(s, "j", "google_cloud_run_v2_job_iam_binding", {
        name: "train",
        role: "roles/run.invoker",
        members: ["serviceAccount:scheduler@acme-ml-prod.iam.gserviceaccount.com"],
      }),
    (s) =>
      generic(s, "j", "google_cloud_run_v2_job_iam_binding", {
        name: "train",
        role: "roles/run.invoker",
        members: ["allAuthenticatedUsers"],
      }),
    /granted to allAuthenticatedUsers/,
  ],
  [
    "RUN-001",
    "development",
    (s) =>
      generic(s, "svc-policy", "google_cloud_run_service_iam_policy", {
        service: "predict",
        policy_data: JSON.stringify({ bindings: [{ role: "roles/run.invoker", members: ["user:ana@acme.example"] }] }),
      }),
    (s) =>
      generic(s, "svc-policy", "google_cloud_run_service_iam_policy", {
        service: "predict",
        policy_data: JSON.stringify({ bindings: [{ role: "roles/run.invoker", members: ["allUsers"] }] }),
      }),
    /granted to allUsers/,
  ],
  [
    "RUN-002",
    "development",
    (s) => service(s),
    (s) => service(s, (c) => (c.invokerIamDisabled = true)),
    /invoker_iam_disabled is true/,
  ],
  [
    "RUN-003",
    "development",
    (s) => service(s),
    (s) => service(s, (c) => (c.template.serviceAccount = "123456789012-compute@developer.gserviceaccount.com")),
    /the service account is 123456789012-compute@developer.gserviceaccount.com, a default account/,
  ],
  [
    "RUN-003",
    "development",
    (s) =>
      generic(s, "job", "google_cloud_run_v2_job", {
        name: "train",
        location: "europe-west1",
        template: { template: { service_account: SA, containers: [{ image: IMAGE }] } },
      }),
    (s) =>
      generic(s, "job", "google_cloud_run_v2_job", {
        name: "train",
        location: "europe-west1",
        template: { template: { containers: [{ image: IMAGE }] } },
      }),
    /no service account is set, so it runs as the default compute service account/,
  ],
  [
    "RUN-003",
    "development",
    (s) => {
      const account = new ServiceAccount(s, "pool-sa", { accountId: "queue-pool" });
      workerPool(s, (a) => (a.template.service_account = account.email));
    },
    (s) => workerPool(s, (a) => delete a.template.service_account),
    /no service account is set, so it runs as the default compute service account/,
  ],
  [
    "RUN-003",
    "development",
    (s) => workerPool(s),
    (s) => workerPool(s, (a) => (a.template.service_account = "123-compute@developer.gserviceaccount.com")),
    /the service account is 123-compute@developer.gserviceaccount.com, a default account/,
  ],
  [
    "RUN-004",
    "preproduction",
    (s) => service(s),
    (s) =>
      service(
        s,
        (c) => (c.template.containers[0].image = "europe-west1-docker.pkg.dev/acme-ml-prod/models/predict:1.4.2"),
      ),
    /image "europe-west1-docker.pkg.dev\/acme-ml-prod\/models\/predict:1.4.2" is not pinned by digest/,
  ],
  [
    "RUN-005",
    "preproduction",
    (s) => service(s),
    (s) => service(s, (c) => (c.deletionProtection = false)),
    /deletion_protection is false/,
  ],
  [
    "RUN-005",
    "preproduction",
    (s) => workerPool(s),
    (s) => workerPool(s, (a) => (a.deletion_protection = false)),
    /deletion_protection is false/,
  ],
  [
    "RUN-006",
    "preproduction",
    (s) => service(s),
    (s) => service(s, (c) => delete c.template.scaling.maxInstanceCount),
    /no maximum instance count/,
  ],
  [
    "RUN-007",
    "production",
    (s) => service(s),
    (s) => service(s, (c) => (c.template.scaling.minInstanceCount = 0)),
    /min_instance_count is 0/,
  ],
  [
    "RUN-008",
    "production",
    (s) => service(s),
    (s) => service(s, (c) => delete c.template.containers[0].startupProbe),
    /1 container\(s\) have no startup probe/,
  ],
  [
    "RUN-009",
    "production",
    (s) => service(s),
    (s) => service(s, (c) => (c.ingress = "INGRESS_TRAFFIC_ALL")),
    /ingress is INGRESS_TRAFFIC_ALL/,
  ],
  [
    "RUN-010",
    "development",
    (s) => service(s),
    (s) => service(s, (c) => (c.template.containers[0].env[1].valueSource.secretKeyRef.version = "latest")),
    /API_KEY uses version "latest"/,
  ],
  [
    "RUN-011",
    "development",
    (s) => service(s),
    (s) => service(s, (c) => c.template.containers[0].env.push({ name: "DB_PASSWORD", value: "hunter2" })),
    /DB_PASSWORD set as plain text/,
  ],
  [
    "RUN-012",
    "development",
    (s) =>
      service(
        s,
        (c) =>
          (c.template.volumes = [
            { name: "creds", secret: { secret: "api-key", items: [{ path: "api-key", version: "3" }] } },
          ]),
      ),
    (s) =>
      service(
        s,
        (c) =>
          (c.template.volumes = [
            { name: "creds", secret: { secret: "api-key", items: [{ path: "api-key", version: "latest" }] } },
          ]),
      ),
    /volume creds mounts api-key version "latest"/,
  ],
  [
    "RUN-012",
    "development",
    (s) => job(s).addOverride("template.template.volumes", [secretVolume("4")]),
    (s) => job(s).addOverride("template.template.volumes", [{ name: "creds", secret: { secret: "api-key" } }]),
    /volume creds mounts api-key without items, so its latest version/,
  ],
  [
    "RUN-012",
    "development",
    (s) => workerPool(s, (a) => (a.template.volumes = [secretVolume("7")])),
    (s) => workerPool(s, (a) => (a.template.volumes = [secretVolume("latest")])),
    /volume creds mounts api-key version "latest"/,
  ],
  [
    "RUN-012",
    "development",
    (s) => v1Service(s, "2"),
    (s) => v1Service(s, "latest"),
    /volume creds mounts api-key version "latest"/,
  ],
  [
    "RUN-013",
    "production",
    (s) => service(s, (c) => (c.binaryAuthorization = { useDefault: true })),
    (s) =>
      service(
        s,
        (c) => (c.binaryAuthorization = { useDefault: true, breakglassJustification: "INC-4711: attestor down" }),
      ),
    /deployed with breakglass: "INC-4711: attestor down"; Binary Authorization's policy was bypassed/,
  ],
  [
    "RUN-013",
    "production",
    (s) =>
      job(s).addOverride("binary_authorization", {
        policy: "projects/acme-ml-prod/platforms/cloudrun/policies/strict",
      }),
    (s) =>
      job(s).addOverride("binary_authorization", {
        policy: "projects/acme-ml-prod/platforms/cloudrun/policies/strict",
        breakglass_justification: "hotfix before the attestation pipeline runs",
      }),
    /deployed with breakglass: "hotfix before the attestation pipeline runs"/,
  ],
  [
    "RUN-013",
    "production",
    (s) => workerPool(s, (a) => (a.binary_authorization = { use_default: true })),
    (s) => workerPool(s, (a) => (a.binary_authorization = { use_default: true, breakglass_justification: "INC-42" })),
    /deployed with breakglass: "INC-42"; Binary Authorization's policy was bypassed/,
  ],
];

/** A v1 service (google_cloud_run_service) mounting `api-key` at `version` (v1 calls the version `key`). */
function v1Service(s: Construct, version: string) {
  return generic(s, "legacy", "google_cloud_run_service", {
    name: "legacy",
    location: "europe-west1",
    template: {
      spec: {
        service_account_name: SA,
        containers: [{ image: IMAGE }],
        volumes: [{ name: "creds", secret: { secret_name: "api-key", items: [{ key: version, path: "api-key" }] } }],
      },
    },
  });
}
