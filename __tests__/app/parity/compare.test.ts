/**
 * Environment parity (compareStacks): stacks synthesized from the tests' own environments (a
 * development, a preproduction and a production one) differ only where they declare it; drift,
 * stale declarations, release state and services not deployed yet.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { synthesize } from "../../../lib/app";
import { StackJson, compareStacks, isClean, renderMarkdown, renderText } from "../../../lib/app/parity";
import { fixtureFile, fixtureRelease, fixtureService } from "../../fixtures/environment";
import { PARITY_ENVIRONMENTS, SERVICE, parityStacks, synthesizeAll } from "../../fixtures/parity";
import { Json } from "../../helpers";
import { MODEL, declare, editedStacks, service } from "./stacks";

let original: Record<string, StackJson>;

beforeAll(() => {
  original = parityStacks().stacks;
});

/** The stacks with `edit` applied to a copy of one or more of them. */
const edited = (edits: Record<string, (stack: Json) => void>) => editedStacks(original, edits);

describe("environment parity", () => {
  test("environments that differ only where they declare it are clean; each declaration is used", () => {
    const report = compareStacks(original);
    expect(report.drift).toEqual([]);
    expect(report.stale).toEqual([]);
    expect(isClean(report)).toBe(true);
    expect(report.declared.find((r) => r.path === `${SERVICE}.template.scaling.max_instance_count`)).toEqual({
      path: `${SERVICE}.template.scaling.max_instance_count`,
      values: { alpha: "3", beta: "20", gamma: "20" },
      reasons: { alpha: "a small cost ceiling for development traffic" },
      kind: "attribute",
    });
    expect(report.declared.find((r) => r.path === `${SERVICE}.deletion_protection`)?.reasons).toEqual({
      alpha: "alpha is torn down and rebuilt freely",
    });
  });

  test("project ids, environment names and names derived from them are not differences", () => {
    const report = compareStacks(original);
    const paths = [...report.declared, ...report.drift].map((r) => r.path);
    expect(paths.filter((p) => /backend|provider|project|labels|account_id|output/.test(p))).toEqual([]);
  });

  test("an undeclared difference injected into one stack is caught and named", () => {
    const report = compareStacks(edited({ beta: (s) => (service(s).template.max_instance_request_concurrency = 32) }));
    expect(isClean(report)).toBe(false);
    expect(report.drift).toEqual([
      {
        path: `${SERVICE}.template.max_instance_request_concurrency`,
        values: { alpha: "8", beta: "32", gamma: "8" },
        reasons: {},
        kind: "attribute",
      },
    ]);
    expect(renderText(report)).toMatch(
      /google_cloud_run_v2_service\.predict_service\.template\.max_instance_request_concurrency\s+8\s+32\s+8/,
    );
  });

  test("a declared difference passes", () => {
    const report = compareStacks(
      edited({
        beta: (s) => {
          service(s).template.max_instance_request_concurrency = 32;
          declare(s, `${SERVICE}.template.max_instance_request_concurrency`, "load test of a higher concurrency");
        },
      }),
    );
    expect(report.drift).toEqual([]);
    expect(isClean(report)).toBe(true);
  });

  test("a declaration exempts its own environment only: the others are still compared, values in full", () => {
    // alpha declares its model different; beta and gamma were given different models.
    const uri = (c: string) => `gs://acme-models/sentiment/${c.repeat(64)}/model.safetensors`;
    const setModel = (s: Json, c: string) =>
      service(s).template.containers[0].env.push({ name: "MODEL_URI", value: uri(c) });
    const report = compareStacks(
      edited({
        alpha: (s) => {
          setModel(s, "a");
          declare(s, MODEL, "alpha tries each new model first");
        },
        beta: (s) => setModel(s, "c"),
        gamma: (s) => setModel(s, "b"),
      }),
    );
    expect(report.drift).toEqual([
      {
        path: `${MODEL}.value`,
        values: { alpha: `"${uri("a")}"`, beta: `"${uri("c")}"`, gamma: `"${uri("b")}"` },
        reasons: { alpha: "alpha tries each new model first" },
        kind: "attribute",
      },
    ]);
    // Every value is readable where it differs, in full; what the three share is left out.
    const text = renderText(report);
    for (const c of ["a", "b", "c"]) expect(text).toMatch(new RegExp(`\\s…sentiment/${c.repeat(64)}…\\s`));
    expect(text).not.toContain("gs://acme-models");
    expect(renderMarkdown(report)).toContain(`\`…sentiment/${"b".repeat(64)}…\``);

    // When beta and gamma agree again, alpha's declaration covers the difference.
    const agreed = compareStacks(
      edited({
        alpha: (s) => {
          setModel(s, "a");
          declare(s, MODEL, "alpha tries each new model first");
        },
        beta: (s) => setModel(s, "c"),
        gamma: (s) => setModel(s, "c"),
      }),
    );
    expect(agreed.drift).toEqual([]);
    expect(agreed.declared.map((r) => r.path)).toContain(`${MODEL}.value`);
  });

  test("release state is not compared: images, revision names and traffic differ on purpose", () => {
    const report = compareStacks(
      edited({
        gamma: (s) => {
          service(s).template.containers[0].image =
            "europe-west1-docker.pkg.dev/acme-fx-gamma/images/predict-api@sha256:" + "9".repeat(64);
          service(s).template.revision = "predict-99999999";
          service(s).traffic = [
            { percent: 100, revision: "predict-99999999", type: "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION" },
          ];
        },
      }),
    );
    expect(report.drift).toEqual([]);
    expect(isClean(report)).toBe(true);
  });

  test("a resource present in one environment and missing in another is drift", () => {
    const report = compareStacks(
      edited({
        gamma: (s) => {
          const members = s.resource.google_cloud_run_v2_service_iam_member;
          for (const id of Object.keys(members)) if (id.startsWith("predict_invoker-")) delete members[id];
        },
      }),
    );
    expect(report.drift).toEqual([
      expect.objectContaining({
        kind: "resource",
        path: expect.stringMatching(/^google_cloud_run_v2_service_iam_member\.predict_invoker-/),
        values: { alpha: "(present)", beta: "(present)", gamma: undefined },
      }),
    ]);
  });

  test("a declaration whose environment no longer differs is stale", () => {
    const report = compareStacks(
      edited({
        gamma: (s) => declare(s, `${SERVICE}.ingress`, "only the load balancer may call gamma"),
        // beta declares the max it shares with gamma: alpha differs, but alpha declared it.
        beta: (s) => declare(s, `${SERVICE}.template.scaling.max_instance_count`, "the same ceiling as gamma"),
      }),
    );
    expect(report.stale).toEqual([
      {
        environment: "beta",
        path: `${SERVICE}.template.scaling.max_instance_count`,
        reason: "the same ceiling as gamma",
      },
      { environment: "gamma", path: `${SERVICE}.ingress`, reason: "only the load balancer may call gamma" },
    ]);
    expect(isClean(report)).toBe(false);
    expect(renderText(report)).toMatch(/Stale declarations: 2/);
  });

  test("before any release (placeholder in development, nothing deployed later), declarations wait and nothing drifts", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-parity-fresh-"));
    try {
      const files = PARITY_ENVIRONMENTS.map((c) => fixtureFile(c, { services: {} }));
      expect(synthesize({ files, outdir: dir, environmentsOnly: true }).errors).toEqual([]);
      const stacks = Object.fromEntries(
        PARITY_ENVIRONMENTS.map((c) => [
          c.name,
          JSON.parse(fs.readFileSync(path.join(dir, "stacks", c.name, "cdk.tf.json"), "utf8")) as StackJson,
        ]),
      );
      // alpha declares how its services differ; beta and gamma deploy none to compare with yet.
      expect(compareStacks(stacks)).toMatchObject({ drift: [], stale: [] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a service not deployed yet in one environment is compared among the others only", () => {
    const two = PARITY_ENVIRONMENTS.map((c) => ({ ...c, services: { ...c.services, explain: fixtureService() } }));
    const gamma = two[2];
    // gamma has no release of explain yet, and already declares how explain will differ there.
    gamma.differences = {
      "google_cloud_run_v2_service.explain_service.template.scaling.min_instance_count": "warm in gamma",
    };
    const released = fixtureRelease(gamma);
    const files = two.map((c) =>
      c === gamma ? fixtureFile(c, { services: { predict: released.services.predict } }) : fixtureFile(c),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-parity-pending-"));
    try {
      expect(synthesize({ files, outdir: dir, environmentsOnly: true }).errors).toEqual([]);
      const read = (env: string) =>
        JSON.parse(fs.readFileSync(path.join(dir, "stacks", env, "cdk.tf.json"), "utf8")) as StackJson;
      const stacks = Object.fromEntries(two.map((c) => [c.name, read(c.name)]));
      const report = compareStacks(stacks);
      expect(report.drift).toEqual([]);
      expect(report.stale).toEqual([]);
      expect(renderText(report)).toMatch(/explain_service\.deletion_protection\s+false\s+true\s+\(not deployed\)/);

      // beta deploys explain: a difference there is still drift, shown beside gamma's "not deployed".
      const betaService = Object.entries(stacks.beta.resource as Json).flatMap(([, byId]) =>
        Object.entries(byId as Json).filter(([id]) => id.startsWith("explain_service")),
      )[0][1] as Json;
      betaService.template.max_instance_request_concurrency = 3;
      const drifted = compareStacks(stacks);
      expect(drifted.drift).toEqual([
        expect.objectContaining({
          path: "google_cloud_run_v2_service.explain_service.template.max_instance_request_concurrency",
          values: { alpha: "8", beta: "3" },
          notDeployed: ["gamma"],
        }),
      ]);
      expect(renderText(drifted)).toMatch(/max_instance_request_concurrency\s+8\s+3\s+\(not deployed\)/);

      // A resource of a deployed service that goes missing is still drift.
      delete (stacks.beta.resource as Json).google_cloud_run_v2_service_iam_member;
      expect(compareStacks(stacks).drift.map((r) => r.kind)).toContain("resource");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a wildcard declaration covers a second service", () => {
    const two = PARITY_ENVIRONMENTS.map((c) => ({ ...c, services: { ...c.services, explain: fixtureService() } }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-parity-two-"));
    const report = compareStacks(synthesizeAll(two, dir));
    fs.rmSync(dir, { recursive: true, force: true });
    expect(report.drift).toEqual([]);
    expect(report.declared.map((r) => r.path)).toEqual(
      expect.arrayContaining([
        "google_cloud_run_v2_service.explain_service.deletion_protection",
        `${SERVICE}.deletion_protection`,
      ]),
    );
  });
});
