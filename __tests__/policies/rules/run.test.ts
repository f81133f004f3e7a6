/**
 * The Cloud Run rules (lib/policies/rules/run/), cdk-nag style: each rule's compliant and
 * non-compliant cases (cases/run.ts), then services and grants written by hand, read as Terraform
 * reads them, worker pools, secret volumes and breakglass, and every container of a service read.
 */
import { TerraformDataSource, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { CloudRunService, PolicyPack, RULES, acknowledge } from "../../../lib";
import { evaluateView } from "../../../lib/policies/evaluate";
import { stackView } from "../../../lib/policies/terraform-json";
import { CloudRunV2ServiceIamMember, GoogleProvider } from "../../../lib/providers";
import { DIGEST, Json } from "../../helpers";
import { findingsOf as findings, generic, job, runCases, service, stackWith, workerPool } from "../builders";
import { CASES } from "./cases/run";
import { PROJECT, REGION, grpcProps } from "../../constructs/serving-fixture";

runCases(CASES);

describe("hand-written resources, read as Terraform reads them", () => {
  describe("RUN-011 reads names as words and values by their shape, and never prints a value", () => {
    const env = (vars: [string, string][]) => (s: Construct) =>
      service(s, (c) => vars.forEach(([name, value]) => c.template.containers[0].env.push({ name, value })));
    const flagged: [string, string][] = [
      ["DB_PASSWORD", "hunter2hunter2"],
      ["PGPASSWORD", "hunter2hunter2"],
      ["DB_PASS", "hunter2hunter2"],
      ["MYSQL_PWD", "hunter2hunter2"],
      ["OPENAI_KEY", "not-a-real-key"],
      ["OPENAI_API_KEY", "not-a-real-key"],
      ["CREDENTIALS", "admin:admin"],
      ["HF_TOKEN", "not-a-real-token"],
      ["hfToken", "not-a-real-token"],
      ["HFTOKEN", "not-a-real-token"],
      ["AWS_ACCESS_KEY_ID", "not-a-real-id"],
      ["AWS_SECRET_ACCESS_KEY", "not-a-real-secret"],
      ["STRIPE_CLIENT_SECRET", "x-x-x-x-x"],
      ["GITHUB_PAT", "not-a-real-token"],
      ["SSH_KEY", "not-a-real-key"],
      ["signingKey", "not-a-real-key"],
      ["DB_PASSWORD_FILE", "hunter2hunter2"], // a _FILE that holds no path is the secret itself
      ["AUTHORIZATION", "let-me-in-please"],
      ["AZURE_STORAGE_CONNECTION_STRING", "DefaultEndpointsProtocol=https;AccountName=a"],
    ];
    const shaped: [string, string, string][] = [
      ["DATABASE_URL", "postgres://app:hunter2@10.0.0.5:5432/app", "a URL with a password"],
      ["BROKER", "amqp://:hunter2@broker/", "a URL with a password"],
      ["TLS", "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "a private key"],
      ["GCP_SA", '{"type": "service_account", "project_id": "p"}', "a service account key"],
      ["UPSTREAM", "AKIAIOSFODNN7EXAMPLE", "an AWS access key"],
      ["MAPS", "AIza" + "A".repeat(35), "a Google API key"],
      ["GH", "ghp_" + "a1".repeat(18), "a GitHub token"],
      ["GH2", "github_pat_" + "A1_".repeat(15), "a GitHub token"],
      ["LLM", "sk-proj-" + "x".repeat(40), "an OpenAI key"],
      ["SLACK", "xoxb-123456789012-abcdef", "a Slack token"],
      ["HUB", "hf_" + "Ab".repeat(17), "a Hugging Face token"],
      ["GL", "glpat-" + "x".repeat(20), "a GitLab token"],
      ["PAY", "sk_live_" + "4".repeat(24), "a Stripe live key"],
      ["SESSION", "eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl", "a JSON web token"],
      ["DATABASE_URL", "postgresql://db/app?sslmode=require&password=hunter2", "a password parameter"],
      ["STORE", "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=" + "Q".repeat(40), "a storage account key"],
      ["UPSTREAM_AUTH", "Bearer abcdefghijklmnop", "a bearer or basic credential"],
      ["MAIL", "SG." + "a".repeat(22) + "." + "b".repeat(43), "a SendGrid key"],
      ["GCP", "ya29." + "c".repeat(40), "a Google OAuth access token"],
      ["REPLICATE", "r8_" + "d".repeat(37), "a Replicate token"],
      ["DB_CONN", "${data.google_secret_manager_secret_version.db.secret_data}", "a secret read into plain text"],
    ];
    const clean: [string, string][] = [
      ["TOKENIZERS_PARALLELISM", "false"],
      ["MAX_NEW_TOKENS", "512"],
      ["MAX_TOKENS", "4096"],
      ["TOKEN_TTL", "3600"],
      ["GOOGLE_APPLICATION_CREDENTIALS", "/var/secrets/google/key.json"],
      ["POSTGRES_PASSWORD_FILE", "/run/secrets/db"],
      ["DB_SECRET_NAME", "projects/p/secrets/db"],
      ["CACHE_KEY", "v3"],
      ["PARTITION_KEY", "tenant"],
      ["PUBLIC_KEY", "ssh-ed25519 AAAA"],
      ["KEYBOARD_LAYOUT", "us"],
      ["PASSTHROUGH", "on"],
      ["AUTH_HEADER", "Authorization"],
      ["DATABASE_URL", "postgres://10.0.0.5:5432/app"],
      ["SENTRY_DSN", "https://public@o0.ingest.sentry.io/1"],
      ["REQUIRE_TOKEN", "true"],
      ["DB_PASSWORD", ""],
      ["MODEL", "gs://models/predict/v7"],
      ["PAD_TOKEN", "<pad>"],
      ["EOS_TOKEN_ID", "2"],
      ["KEY_PREFIX", "predict/"],
      ["GCS_KEY_PREFIX", "models/"],
      ["SECRET_MANAGER_PROJECT", "acme-secrets"],
      ["OAUTH_TOKEN_URI", "https://oauth2.googleapis.com/token"],
      ["KEY_COLUMN", "id"],
      ["HF_HUB_ENABLE_HF_TRANSFER", "1"],
      ["MAX_BATCH_TOKENS", "8192"],
      ["API_KEY_HEADER", "x-api-key"],
    ];

    test.each(flagged)("%s is a secret by its name", (name, value) => {
      const found = findings(env([[name, value]]));
      expect(found).toEqual([expect.stringMatching(new RegExp(`^error RUN-011: .*${name} set as plain text`))]);
      expect(found[0]).not.toContain(value);
    });

    test.each(shaped)("%s holds %s by its value's shape", (name, value, shape) => {
      const found = findings(env([[name, value]]));
      expect(found).toEqual([expect.stringContaining(`RUN-011: `)]);
      expect(found[0]).toContain(`${name} (its value is ${shape}) set as plain text`);
      expect(found[0]).not.toContain(value);
    });

    test.each(clean)("%s=%s is not a secret", (name, value) => {
      expect(findings(env([[name, value]]))).toEqual([]);
    });

    test("every secret of a container is named in one finding", () => {
      expect(
        findings(
          env([
            ["HF_TOKEN", "x"],
            ["MAX_NEW_TOKENS", "5"],
            ["DB_PASS", "y"],
          ]),
        ),
      ).toEqual([expect.stringMatching(/RUN-011: .*HF_TOKEN, DB_PASS set as plain text/)]);
    });

    test("a secret from Secret Manager is not plain", () => {
      const fromSecret = (s: Construct) =>
        service(s, (c) =>
          c.template.containers[0].env.push({
            name: "DB_PASSWORD",
            valueSource: { secretKeyRef: { secret: "db", version: "4" } },
          }),
        );
      expect(findings(fromSecret)).toEqual([]);
    });
  });

  test("RUN-003 sees the default compute account written as an expression, and reports an unknown account", () => {
    const account = (sa: string) => (s: Construct) => service(s, (c) => (c.template.serviceAccount = sa));
    expect(findings(account("${data.google_project.p.number}-compute@developer.gserviceaccount.com"))).toEqual([
      expect.stringMatching(/^error RUN-003: .*is a default account/),
    ]);
    expect(findings(account("${var.runtime_account}"))).toEqual([
      expect.stringMatching(/^warning RUN-003: could not be checked/),
    ]);
    expect(findings(account("${google_service_account.runtime.email}"))).toEqual([]);
  });

  test("RUN-006 and RUN-007: manual scaling, a service-level minimum, and a maximum of 0", () => {
    expect(findings((s) => service(s, (c) => (c.scaling = { scalingMode: "MANUAL", manualInstanceCount: 2 })))).toEqual(
      [],
    );
    expect(
      findings((s) =>
        service(s, (c) => {
          c.template.scaling.minInstanceCount = 0;
          c.scaling = { minInstanceCount: 2 };
        }),
      ),
    ).toEqual([]);
    expect(findings((s) => service(s, (c) => (c.template.scaling.maxInstanceCount = 0)), "preproduction")).toEqual([
      expect.stringMatching(/^error RUN-006: .*the maximum instance count is 0, which means unset/),
    ]);
  });

  test("RUN-004 reads the tag or digest, whatever builds the registry path; only an unknown tag is unknown", () => {
    const image = (ref: string) => (s: Construct) => service(s, (c) => (c.template.containers[0].image = ref));
    const registry = "europe-west1-docker.pkg.dev/${google_artifact_registry_repository.r.project}/models";
    expect(findings(image(`${registry}/predict:1.4.2`))).toEqual([
      expect.stringMatching(/^error RUN-004: .*predict:1\.4\.2" is not pinned by digest/),
    ]);
    expect(findings(image(`${registry}/predict@${DIGEST}`))).toEqual([]);
    expect(findings(image(`${registry}/predict:\${var.tag}`))).toEqual([
      expect.stringMatching(/^warning RUN-004: could not be checked/),
    ]);
  });

  test("RUN-010 reports a secret version known only at apply instead of passing it", () => {
    expect(
      findings((s) =>
        service(s, (c) => (c.template.containers[0].env[1].valueSource.secretKeyRef.version = "${var.v}")),
      ),
    ).toEqual([expect.stringMatching(/^warning RUN-010: could not be checked: API_KEY uses version \$\{var.v\}/)]);
  });

  test("RUN-001: a service account's member attribute is never public; data-source members known at apply are unknown", () => {
    expect(
      findings(
        (s) =>
          new CloudRunV2ServiceIamMember(s, "i", {
            name: "predict",
            location: "europe-west1",
            role: "roles/run.invoker",
            member: "${google_service_account.gateway.member}",
          }),
      ),
    ).toEqual([]);
    expect(
      findings((s) => {
        const ds = new TerraformDataSource(s, "invokers", { terraformResourceType: "google_iam_policy" });
        ds.addOverride("binding", [{ role: "roles/run.invoker", members: "${var.invokers}" }]);
        generic(s, "p", "google_cloud_run_v2_service_iam_policy", {
          name: "predict",
          policy_data: `\${${ds.fqn}.policy_data}`,
        });
      }),
    ).toEqual([
      expect.stringMatching(/^warning RUN-001: could not be checked: the members of data.google_iam_policy.invokers/),
    ]);
  });
});

/** The results of a rule on each resource it reads, in a stack built in stackWith; unknowns watched or not. */
function statuses(id: string, build: (s: Construct) => void, watchUnknowns = false): string[] {
  const rules = RULES.filter((r) => r.id === id);
  return evaluateView(stackView(stackWith(build)), rules, { watchUnknowns }).map((o) => o.result.status);
}

describe("worker pools", () => {
  test("RUN-004, RUN-010 and RUN-011 read a worker pool's containers", () => {
    expect(
      findings((s) =>
        workerPool(s, (a) => {
          const [container] = a.template.containers;
          container.image = "europe-west1-docker.pkg.dev/acme-ml-prod/workers/queue:2.0";
          container.env[0].value_source.secret_key_ref.version = "latest";
          container.env.push({ name: "BROKER_PASSWORD", value: "hunter2" });
        }),
      ),
    ).toEqual([
      expect.stringMatching(/^error RUN-004: .*queue:2\.0" is not pinned by digest/),
      expect.stringMatching(/^error RUN-010: .*QUEUE_KEY uses version "latest"/),
      expect.stringMatching(/^error RUN-011: .*BROKER_PASSWORD set as plain text/),
    ]);
  });

  test("RUN-003: a worker pool's account known only at apply is unknown; the default compute account as an expression is not", () => {
    const account = (sa: string) => (s: Construct) => workerPool(s, (a) => (a.template.service_account = sa));
    expect(findings(account("${var.pool_account}"))).toEqual([
      expect.stringMatching(/^warning RUN-003: could not be checked: the service account is \$\{var.pool_account\}/),
    ]);
    expect(findings(account("${data.google_project.p.number}-compute@developer.gserviceaccount.com"))).toEqual([
      expect.stringMatching(/^error RUN-003: .*is a default account/),
    ]);
  });

  test("a compliant worker pool has no finding at any stage", () => {
    for (const stage of ["development", "preproduction", "production"] as const) {
      expect(findings((s) => workerPool(s), stage)).toEqual([]);
    }
  });
});

describe("RUN-012: secret volumes", () => {
  const volumes = (list: Json[]) => (s: Construct) => workerPool(s, (a) => (a.template.volumes = list));
  const secret = (name: string, items?: Json[]) => ({ name, secret: { secret: `${name}-secret`, items } });

  test("not applicable without a secret volume: none, or only Cloud Storage, in-memory, NFS and Cloud SQL ones", () => {
    expect(statuses("RUN-012", volumes([]))).toEqual(["not-applicable"]);
    expect(statuses("RUN-012", (s) => workerPool(s))).toEqual(["not-applicable"]);
    const others = volumes([
      { name: "models", gcs: { bucket: "acme-models", read_only: true } },
      { name: "scratch", empty_dir: { medium: "MEMORY", size_limit: "256Mi" } },
      { name: "shared", nfs: { server: "10.0.0.2", path: "/share1", read_only: true } },
      { name: "cloudsql", cloud_sql_instance: { instances: ["acme-ml-prod:europe-west1:features"] } },
    ]);
    expect(statuses("RUN-012", others)).toEqual(["not-applicable"]);
    expect(findings(others)).toEqual([]);
  });

  test("a pinned file passes; a version known only at apply is unknown, not passed", () => {
    expect(statuses("RUN-012", volumes([secret("tls", [{ path: "key.pem", version: "5" }])]))).toEqual(["compliant"]);
    const open = volumes([secret("tls", [{ path: "key.pem", version: "${var.tls_version}" }])]);
    expect(statuses("RUN-012", open)).toEqual(["unknown"]);
    expect(findings(open)).toEqual([
      expect.stringMatching(
        /^warning RUN-012: could not be checked: volume tls mounts tls-secret version \$\{var.tls_version\}, known only at apply/,
      ),
    ]);
  });

  test("every unpinned file of every volume is named in one finding: latest, an alias, no version, no items", () => {
    expect(
      findings(
        volumes([
          secret("tls", [
            { path: "cert.pem", version: "5" },
            { path: "key.pem", version: "latest" },
          ]),
          secret("db", [{ path: "password", version: "current" }]),
          secret("hub", [{ path: "token" }]),
          secret("legacy"),
          { name: "models", gcs: { bucket: "acme-models" } },
        ]),
      ),
    ).toEqual([
      "error RUN-012: Secret volumes pin the version of each file they mount (not latest), and list their files: " +
        [
          'volume tls mounts tls-secret version "latest"',
          'volume db mounts db-secret version "current"',
          "volume hub mounts hub-secret with no version, so its latest",
          "volume legacy mounts legacy-secret without items, so its latest version",
        ].join("; ") +
        ".",
    ]);
  });

  test("a finding stands beside a version known only at apply", () => {
    expect(
      statuses(
        "RUN-012",
        volumes([secret("a", [{ path: "x", version: "${var.v}" }]), secret("b", [{ path: "y", version: "latest" }])]),
      ),
    ).toEqual(["non-compliant"]);
  });

  test("a dynamic volumes block, read from files, is unknown", () => {
    expect(statuses("RUN-012", (s) => workerPool(s, (a) => (a.template.volumes = "${dynamic volumes}")), true)).toEqual(
      ["unknown"],
    );
  });

  test("services and jobs are read where each keeps its volumes (v1 services: the cases)", () => {
    const latest = [secret("creds", [{ path: "key", version: "latest" }])];
    const pattern = /^error RUN-012: .*: volume creds mounts creds-secret version "latest"\.$/;
    expect(findings((s) => service(s, (c) => (c.template.volumes = latest)))).toEqual([expect.stringMatching(pattern)]);
    expect(findings((s) => job(s).addOverride("template.template.volumes", latest))).toEqual([
      expect.stringMatching(pattern),
    ]);
    // A volume where the type does not keep them is not read: a job's template.volumes.
    expect(statuses("RUN-012", (s) => job(s).addOverride("template.volumes", latest))).toEqual(["not-applicable"]);
  });
});

describe("RUN-013: breakglass", () => {
  const breakglass = (b: Json) => (s: Construct) => workerPool(s, (a) => (a.binary_authorization = b));

  test("not applicable without Binary Authorization or without a breakglass", () => {
    expect(statuses("RUN-013", (s) => workerPool(s))).toEqual(["not-applicable"]);
    expect(statuses("RUN-013", breakglass({ use_default: true }))).toEqual(["not-applicable"]);
    expect(statuses("RUN-013", breakglass({ use_default: true, breakglass_justification: "" }))).toEqual([
      "not-applicable",
    ]);
    // A plan writes the block as a list of one.
    expect(statuses("RUN-013", breakglass([{ use_default: true, breakglass_justification: null }]))).toEqual([
      "not-applicable",
    ]);
    expect(statuses("RUN-013", breakglass([{ use_default: true, breakglass_justification: "INC-7" }]))).toEqual([
      "non-compliant",
    ]);
  });

  test("a justification known only at apply is a breakglass all the same; a whole block known only at apply is unknown", () => {
    // Any justification is a breakglass: what it says is known at apply, that there is one is known now.
    expect(findings(breakglass({ use_default: true, breakglass_justification: "${var.breakglass}" }))).toEqual([
      expect.stringMatching(/^error RUN-013: .*deployed with breakglass: the expression \$\{var.breakglass\}/),
    ]);
    expect(
      findings(breakglass({ use_default: true, breakglass_justification: '${"incident response override"}' })),
    ).toEqual([expect.stringMatching(/^error RUN-013: /)]);
    expect(statuses("RUN-013", breakglass("${var.binary_authorization}"))).toEqual(["unknown"]);
  });

  test("a v1 service's breakglass annotation, on the service or its template, is a breakglass", () => {
    const annotation = "run.googleapis.com/binary-authorization-breakglass";
    const rule = RULES.find((r) => r.id === "RUN-013")!;
    const v1 = (attrs: Record<string, unknown>) => {
      const stack = { resources: [], dataSources: {}, providers: {} };
      const address = "google_cloud_run_service.legacy";
      const result = rule.check!({
        type: "google_cloud_run_service",
        name: "legacy",
        address,
        path: address,
        attrs,
        stack,
      });
      return [`${result.status}: ${"detail" in result ? result.detail : ""}`];
    };
    expect(v1({ metadata: { annotations: { [annotation]: "incident 42 emergency" } } })).toEqual([
      'non-compliant: deployed with breakglass: "incident 42 emergency"; Binary Authorization\'s policy was bypassed',
    ]);
    expect(v1({ template: [{ metadata: [{ annotations: { [annotation]: "incident 42" } }] }] })).toEqual([
      expect.stringMatching(/^non-compliant: deployed with breakglass: "incident 42"/),
    ]);
    expect(v1({ metadata: { annotations: { "run.googleapis.com/ingress": "all" } } })).toEqual(["not-applicable: "]);
  });

  test("production refuses a breakglass unless it is acknowledged with its reason; earlier stages do not look", () => {
    const bypassed = breakglass({ use_default: true, breakglass_justification: "INC-4711: attestor down" });
    expect(findings(bypassed, "preproduction")).toEqual([]);
    expect(findings(bypassed, "development")).toEqual([]);
    const stack = stackWith((s) => {
      bypassed(s);
      acknowledge(s, "RUN-013", "INC-4711: the attestor is down; reverted once the image is attested");
    });
    const report = new PolicyPack({ stage: "production" }).evaluate(stack);
    expect(report.findings).toEqual([]);
    expect(report.acknowledged.map((f) => [f.ruleId, f.message])).toEqual([
      ["RUN-013", expect.stringContaining('deployed with breakglass: "INC-4711: attestor down"')],
    ]);
  });
});

describe("the policy pack reads every container", () => {
  // The production serving setup of the constructs' tests: a gRPC service with a sidecar.
  test("a sidecar image by tag in production is RUN-004's finding, naming the image", () => {
    const s = new TerraformStack(Testing.app(), "serving");
    new GoogleProvider(s, "google", { project: PROJECT, region: REGION });
    new CloudRunService(s, "grpc", {
      ...grpcProps,
      sidecars: [{ name: "otel-collector", image: "otel/opentelemetry-collector:0.98.0" }],
    });
    const findings = new PolicyPack({ stage: "production" })
      .evaluate(s)
      .findings.filter((f) => f.ruleId === "RUN-004")
      .map((f) => f.message);
    expect(findings).toEqual([
      expect.stringMatching(/image "otel\/opentelemetry-collector:0.98.0" is not pinned by digest/),
    ]);
  });
});
