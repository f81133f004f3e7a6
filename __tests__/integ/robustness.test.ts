/**
 * Robustness under random configuration (fast-check): valid configurations, and valid ones with a
 * random field replaced by junk. Each either synthesizes (then the stack has its GCS backend,
 * holds against the google provider's schema as `terraform validate` holds it, and a second
 * synthesis gives the same bytes) or throws a ConfigError whose every problem names a field
 * path. Never a TypeError, or an error from deep inside cdktf.
 */
import fc from "fast-check";
import { Testing } from "cdktf";
import { PolicyError } from "../../lib";
import { ConfigError, EnvironmentStack, parseEnvironmentConfig } from "../../lib/app";
import { validateTerraform } from "../../scripts/terraform-validate";

/** 1,000 configurations, a new sample each run (the integration tier; `npm run test:unit` leaves it out). */
const RUNS = 1000;

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const serviceKey = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
const envName = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/);

/** CPU and memory combinations Cloud Run accepts, and now and then one it refuses. */
const resources = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.constantFrom(
      { cpu: "1", memory: "512Mi" },
      { cpu: "2", memory: "4Gi" },
      { cpu: "4", memory: "8Gi" },
      { cpu: "8", memory: "32Gi" },
      { cpu: "0.5", memory: "512Mi", concurrency: 1, executionEnvironment: "gen1" },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom({ cpu: "1", memory: "8Gi" }, { cpu: "0.5", memory: "2Gi" }) },
);

const service = fc
  .record(
    {
      image: fc.constantFrom("predict-api", "embed", "team/ranker"),
      resources,
      minInstances: fc.integer({ min: 0, max: 3 }),
      maxInstances: fc.integer({ min: 1, max: 50 }),
      timeoutSeconds: fc.integer({ min: 1, max: 3600 }),
      env: fc.dictionary(envName, fc.string({ maxLength: 12 }), { maxKeys: 3 }),
      secretEnv: fc.dictionary(
        envName.map((n) => `S_${n}`),
        fc.record({ secret: fc.constantFrom("db", "api-key"), version: fc.constantFrom("1", "7") }),
        { maxKeys: 2 },
      ),
      ingress: fc.constantFrom("all", "internal", "internal-and-cloud-load-balancing"),
      deletionProtection: fc.boolean(),
      startupProbe: fc.record({
        path: fc.constantFrom("/", "/healthz"),
        periodSeconds: fc.integer({ min: 1, max: 30 }),
      }),
      invokers: fc.array(
        fc.constantFrom("group:ml@acme.example", "serviceAccount:gw@acme-ml-shared.iam.gserviceaccount.com"),
        {
          maxLength: 2,
        },
      ),
    },
    { requiredKeys: ["image"] },
  )
  .map(({ resources: r, ...rest }) => ({ ...rest, ...r }));

const validConfig = fc.record({
  name: fc.constantFrom("dev", "staging", "prod", "qa"),
  app: fc.constantFrom("predict", "search"),
  stage: fc.constantFrom("development", "development", "preproduction", "production"),
  project: fc.constantFrom("acme-ml-dev", "acme-ml-prod"),
  region: fc.constantFrom("europe-west1", "us-central1"),
  stateBucket: fc.constantFrom("acme-ml-tfstate", "acme_state-2"),
  labels: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/), fc.stringMatching(/^[a-z0-9_-]{0,8}$/), {
    maxKeys: 3,
  }),
  repository: fc.record({ repositoryId: fc.constantFrom("models", "images"), immutableTags: fc.boolean() }),
  github: fc.record({
    repository: fc.constantFrom("acme/ml-platform", "Acme-Labs/models.v2"),
    repositoryId: fc.constantFrom("812345678", "1"),
    ownerId: fc.constantFrom("91234567", "42"),
  }),
  services: fc.dictionary(serviceKey, service, { minKeys: 1, maxKeys: 2 }),
});

/** A value that does not belong: wrong type, malformed, out of range, or a trap. */
const junk = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -5, max: 100000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
  fc.constantFrom("latest", "", "Predict_API", "0.07", "64Gi", "sha256:xyz", "allUsers", "constructor", "toString"),
);

const FIELD_PATHS = [
  "name",
  "app",
  "stage",
  "project",
  "region",
  "stateBucket",
  "labels",
  "labels.team",
  "deletionProtection",
  "repository",
  "repository.repositoryId",
  "github",
  "github.repository",
  "github.repositoryId",
  "github.ownerId",
  "repository.cleanup",
  "repository.unknownKey",
  "services",
  "services.*",
  "services.*.image",
  "services.*.build",
  "services.*.cpu",
  "services.*.memory",
  "services.*.minInstances",
  "services.*.maxInstances",
  "services.*.minInstance",
  "services.*.concurrency",
  "services.*.timeoutSeconds",
  "services.*.env",
  "services.*.env.PORT",
  "services.*.secretEnv",
  "services.*.traffic",
  "services.*.startupProbe",
  "services.*.startupProbe.path",
  "services.*.ingress",
  "services.*.invokers",
  "services.*.labels",
  "differences",
  "acknowledgements",
  "unknownTopLevel",
];

/** Sets a value at a dotted path (`*` is the first service), creating objects on the way. */
function setAt(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split(".");
  let at: Record<string, unknown> = target;
  for (const [i, part] of parts.entries()) {
    const key = part === "*" ? (Object.keys(at)[0] ?? "svc") : part;
    if (i === parts.length - 1) {
      at[key] = value;
      return;
    }
    if (typeof at[key] !== "object" || at[key] === null || Array.isArray(at[key])) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
}

const config = fc.oneof(
  { weight: 1, arbitrary: validConfig },
  {
    weight: 3,
    arbitrary: fc.tuple(validConfig, fc.constantFrom(...FIELD_PATHS), junk).map(([c, at, value]) => {
      const copy = structuredClone(c) as Record<string, unknown>;
      setAt(copy, at, value);
      return copy;
    }),
  },
);

/** A release for each service the configuration names (when it names any): digests a or b. */
function releaseFor(raw: unknown): unknown {
  const services = (raw as { services?: unknown })?.services;
  if (typeof services !== "object" || services === null) return undefined;
  const keys = Object.keys(services);
  return {
    services: Object.fromEntries(
      keys.map((k, i) => [
        k,
        { digest: digest(i % 2 ? "a" : "b"), ran: [digest(i % 2 ? "a" : "b")], provenance: { verb: "pin", time: "t" } },
      ]),
    ),
  };
}

function synthOnce(raw: unknown): string {
  return Testing.synth(new EnvironmentStack(Testing.app(), "env", raw, { release: releaseFor(raw) }));
}

test(`${RUNS} random configurations: each synthesizes soundly, or fails with field paths or policy findings`, () => {
  let synthesized = 0;
  let refused = 0;
  let refusedByPolicy = 0;
  fc.assert(
    fc.property(config, (raw) => {
      let first: string;
      try {
        parseEnvironmentConfig(raw);
        first = synthOnce(raw);
      } catch (e) {
        if (e instanceof PolicyError) {
          // A valid configuration the pack refuses (ingress open in production, say): every
          // error names its rule, a resource path under the stack and the config field.
          const errors = e.report.findings.filter((f) => f.severity === "error");
          const unnamed = errors.filter(
            (f) => !/^[A-Z]+-\d{3}$/.test(f.ruleId) || !f.path.startsWith("env") || !f.source,
          );
          expect([errors.length > 0, unnamed]).toEqual([true, []]);
          refusedByPolicy++;
          return;
        }
        if (!(e instanceof ConfigError)) throw new Error(`not a ConfigError: ${(e as Error)?.stack ?? String(e)}`);
        // One assertion per configuration: jest's expect costs tens of microseconds a call.
        const unnamed = e.problems.filter(
          (p) => !/^(\(root\)|[A-Za-z_$][\w$-]*)/.test(p.path) || !e.message.includes(`  - ${p.path}: got `),
        );
        expect([e.problems.length > 0, unnamed]).toEqual([true, []]);
        expect(e.message).toMatch(/^environment "(?:[^"\\]|\\.)*" has \d+ invalid fields?:/);
        refused++;
        return;
      }
      const tf = JSON.parse(first);
      expect(Object.keys(tf.terraform.backend)).toEqual(["gcs"]);
      expect(validateTerraform(tf)).toEqual([]);
      expect(synthOnce(raw)).toBe(first);
      synthesized++;
    }),
    { numRuns: RUNS },
  );
  // Both main outcomes must be exercised, or the test proves little. (A valid configuration the
  // pack refuses is rare here, about 1 in 1,000; the policy tests cover that path on purpose.)
  expect(synthesized).toBeGreaterThan(RUNS / 20);
  expect(refused).toBeGreaterThan(RUNS / 20);
  expect(synthesized + refused + refusedByPolicy).toBe(RUNS);
}, 120_000);
