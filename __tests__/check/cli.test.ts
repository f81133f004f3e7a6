/**
 * `cdktf-cloud-run check` as users run it (runCli, what the bin calls): the policy pack over HCL
 * written by hand, each finding on its line; variables give unknowns, never passes; the three
 * formats, SARIF validated against the SARIF 2.1.0 schema (Microsoft's jest-sarif, which holds
 * OASIS's sarif-2.1.0-rtm.5.json); acknowledgements in comments and in a file; the exit codes;
 * nothing written but --output.
 */
import "@microsoft/jest-sarif";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCli } from "../../lib/check/cli";
import { RULES } from "../../lib/policies/rules";

const fixtures = path.join(__dirname, "..", "fixtures", "check");
const repo = path.resolve(__dirname, "..", "..");

/** Runs the command from the repository's root, paths relative to it, as a user in a checkout would. */
const check = (...argv: string[]) => runCli(["check", ...argv], repo);
const rel = (p: string) => path.relative(repo, p);

/** The line of the first line of `file` that starts with `text`. */
function lineOf(file: string, text: string): number {
  return (
    fs
      .readFileSync(file, "utf8")
      .split("\n")
      .findIndex((l) => l.startsWith(text)) + 1
  );
}

describe("a service written in HCL with everything the pack refuses at production", () => {
  const dir = path.join(fixtures, "public-service");
  const main = path.join(dir, "main.tf");

  test("RUN-001, RUN-003, RUN-004 and RUN-005, each on its block's line, with the fix; exit 1", async () => {
    const result = await check(rel(dir), "--format", "json");
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    const found = report.findings
      .filter((f: { level: string }) => f.level === "error")
      .map((f: { rule: string; address: string; file: string; line: number }) => [f.rule, f.address, f.file, f.line]);
    const service = lineOf(main, 'resource "google_cloud_run_v2_service" "api"');
    const member = lineOf(main, 'resource "google_cloud_run_v2_service_iam_member" "public"');
    expect(found).toEqual(
      expect.arrayContaining([
        ["RUN-001", "google_cloud_run_v2_service_iam_member.public", rel(main), member],
        ["RUN-003", "google_cloud_run_v2_service.api", rel(main), service],
        ["RUN-004", "google_cloud_run_v2_service.api", rel(main), service],
        ["RUN-005", "google_cloud_run_v2_service.api", rel(main), service],
      ]),
    );
    for (const f of report.findings) expect(f.fix).toBe(RULES.find((r) => r.id === f.rule)!.fix);
  });

  test("text names the rule, the address, the file and line, what is wrong and the fix", async () => {
    const result = await check(rel(dir));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^ERROR {3}RUN-001 google_cloud_run_v2_service_iam_member\\.public ${rel(main).replace(/\./g, "\\.")}:\\d+\\n {8}.*allUsers`,
        "m",
      ),
    );
    expect(result.stdout).toMatch(/Fix: /);
    expect(result.stdout).toMatch(/error\(s\).*at stage production: \d+ resource\(s\) in 1 configuration\(s\)\n$/);
  });

  test("at development, RUN-005 (a preproduction and production guardrail) does not apply", async () => {
    const report = JSON.parse((await check(rel(dir), "--format", "json", "--stage", "development")).stdout);
    expect(report.findings.map((f: { rule: string }) => f.rule)).not.toContain("RUN-005");
  });

  test("SARIF 2.1.0: valid against the schema, a descriptor per rule, a result per finding on its line", async () => {
    const result = await check(rel(dir), "--format", "sarif");
    expect(result.code).toBe(1);
    const log = JSON.parse(result.stdout);
    expect(log).toBeValidSarifLog();
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(RULES.map((r) => r.id));
    for (const r of run.tool.driver.rules) {
      expect(r).toMatchObject({
        shortDescription: { text: expect.any(String) },
        fullDescription: { text: expect.any(String) },
        help: { text: expect.stringMatching(/^Fix: /) },
        defaultConfiguration: { level: expect.stringMatching(/^(error|warning)$/) },
      });
    }
    const public001 = run.results.find((r: { ruleId: string }) => r.ruleId === "RUN-001");
    expect(public001).toMatchObject({
      kind: "fail",
      level: "error",
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: rel(main), uriBaseId: "%SRCROOT%" },
            region: { startLine: lineOf(main, 'resource "google_cloud_run_v2_service_iam_member" "public"') },
          },
        },
      ],
    });
    expect(run.tool.driver.rules[public001.ruleIndex].id).toBe("RUN-001");
  });

  test("an acknowledgement in the resource block accepts the finding, with its reason; SARIF suppresses it", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-ack-"));
    try {
      const text = fs
        .readFileSync(main, "utf8")
        .replace(
          'resource "google_cloud_run_v2_service_iam_member" "public" {\n',
          'resource "google_cloud_run_v2_service_iam_member" "public" {\n  # cdktf-cloud-run:acknowledge RUN-001 the public demo serves the sample model only\n',
        );
      fs.writeFileSync(path.join(tmp, "main.tf"), text);
      const report = JSON.parse((await runCli(["check", ".", "--format", "json"], tmp)).stdout);
      expect(report.findings.map((f: { rule: string }) => f.rule)).not.toContain("RUN-001");
      expect(report.accepted).toEqual([
        expect.objectContaining({
          rule: "RUN-001",
          acknowledged: { reason: "the public demo serves the sample model only", source: "in-source" },
        }),
      ]);
      const sarif = JSON.parse((await runCli(["check", ".", "--format", "sarif"], tmp)).stdout);
      expect(sarif).toBeValidSarifLog();
      expect(sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === "RUN-001").suppressions).toEqual([
        { kind: "inSource", justification: "the public demo serves the sample model only" },
      ]);
      // A reason that is not one, and an acknowledgement that accepts nothing, are errors.
      fs.writeFileSync(path.join(tmp, "main.tf"), text.replace("the public demo serves the sample model only", "ok"));
      const bad = await runCli(["check", ".", "--format", "json"], tmp);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout).acknowledgementProblems[0].problem).toMatch(/^the reason must say why/);
      fs.writeFileSync(
        path.join(tmp, "acks.json"),
        JSON.stringify([
          { rule: "RUN-002", address: "google_cloud_run_v2_service.api", reason: "nothing to accept here at all" },
        ]),
      );
      const unused = await runCli(["check", "main.tf", "--acknowledgements", "acks.json", "--format", "json"], tmp);
      expect(JSON.parse(unused.stdout).acknowledgementProblems.map((p: { problem: string }) => p.problem)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^accepts nothing: RUN-002 has no finding/)]),
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("the same service with its settings in variables", () => {
  const dir = path.join(fixtures, "variables");

  test("the four rules are unknown, not passes and not failures; --fail-on unknown fails", async () => {
    const result = await check(rel(dir), "--format", "json");
    const report = JSON.parse(result.stdout);
    const unknown = report.findings
      .filter((f: { level: string }) => f.level === "unknown")
      .map((f: { rule: string }) => f.rule);
    expect(unknown).toEqual(expect.arrayContaining(["RUN-001", "RUN-003", "RUN-004", "RUN-005"]));
    expect(
      report.findings.filter(
        (f: { level: string; rule: string }) =>
          f.level === "error" && ["RUN-001", "RUN-003", "RUN-004", "RUN-005"].includes(f.rule),
      ),
    ).toEqual([]);
    expect((await check(rel(dir), "--fail-on", "unknown")).code).toBe(1);
    // In SARIF an unknown is kind open, level none: never a warning or an error.
    const sarif = JSON.parse((await check(rel(dir), "--format", "sarif")).stdout);
    expect(sarif).toBeValidSarifLog();
    const open = sarif.runs[0].results.filter((r: { kind: string }) => r.kind === "open");
    expect(open.length).toBeGreaterThanOrEqual(4);
    expect(open.every((r: { level: string }) => r.level === "none")).toBe(true);
  });
});

describe("usage and input errors exit 2; nothing is written but --output", () => {
  test.each([
    [["--stage", "prod"], /--stage must be one of development, preproduction, production; got prod/],
    [["--format", "xml"], /--format must be one of text, json, sarif; got xml/],
    [["--fail-on", "warning"], /--fail-on takes unknown/],
    [["--verbose"], /Unknown option '--verbose'/],
    [["--acknowledgements", "no-such-file.json"], /--acknowledgements no-such-file\.json cannot be read/],
  ])("%j", async (argv, message) => {
    const result = await check(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  test("an unknown command and no command are usage errors; --help prints the usage", async () => {
    expect((await runCli(["scan"], repo)).code).toBe(2);
    expect((await runCli([], repo)).code).toBe(2);
    expect(await runCli(["--help"], repo)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage:/) });
  });

  test("--output writes the report there and prints the summary; without it nothing is written", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-out-"));
    try {
      fs.copyFileSync(path.join(fixtures, "public-service", "main.tf"), path.join(tmp, "main.tf"));
      const before = fs.readdirSync(tmp);
      expect((await runCli(["check", "."], tmp)).code).toBe(1);
      expect(fs.readdirSync(tmp)).toEqual(before);
      const result = await runCli(["check", ".", "--format", "sarif", "--output", "policy.sarif"], tmp);
      expect(result.output?.file).toBe(path.join(tmp, "policy.sarif"));
      expect(JSON.parse(result.output!.text)).toBeValidSarifLog();
      expect(result.stdout).toMatch(/wrote policy\.sarif\n$/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("where findings point, and what an unparsable file prints", () => {
  test("SARIF locations: relative paths from where the command runs; an absolute path under it made relative; encoded", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-sarif-"));
    try {
      fs.mkdirSync(path.join(tmp, "my infra#1"));
      fs.copyFileSync(path.join(fixtures, "public-service", "main.tf"), path.join(tmp, "my infra#1", "main.tf"));
      for (const given of ["my infra#1", path.join(tmp, "my infra#1")]) {
        const log = JSON.parse((await runCli(["check", given, "--format", "sarif"], tmp)).stdout);
        expect(log).toBeValidSarifLog();
        expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({
          uri: "my%20infra%231/main.tf",
          uriBaseId: "%SRCROOT%",
        });
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test("a file a parser loses its way in: the first five problems, then one line saying there are more", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-flood-"));
    try {
      const lines = [
        'resource "google_storage_bucket" "b" {',
        '  name = "unterminated',
        ...Array(30).fill('  labels = { a = "b" }'),
        "}",
      ];
      fs.writeFileSync(path.join(tmp, "main.tf"), `${lines.join("\n")}\n`);
      const result = await runCli(["check", "."], tmp);
      expect(result.code).toBe(2);
      const shown = result.stderr.trimEnd().split("\n");
      expect(shown.length).toBeLessThanOrEqual(7);
      expect(shown[0]).toMatch(/^main\.tf:2(:\d+)?: /);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

test("a rule of the whole configuration is a note where a module call is not checked, even with --root", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-module-"));
  try {
    fs.copyFileSync(path.join(fixtures, "public-service", "main.tf"), path.join(tmp, "main.tf"));
    const whole = JSON.parse((await runCli(["check", ".", "--root", "--format", "json"], tmp)).stdout);
    expect(whole.findings.find((f: { rule: string }) => f.rule === "MON-001").level).toBe("error");
    fs.writeFileSync(
      path.join(tmp, "monitoring.tf"),
      'module "monitoring" {\n  source       = "./modules/monitoring"\n  service_name = google_cloud_run_v2_service.api.name\n}\n',
    );
    const part = JSON.parse((await runCli(["check", ".", "--root", "--format", "json"], tmp)).stdout);
    expect(part.findings.find((f: { rule: string }) => f.rule === "MON-001").level).toBe("note");
    expect(part.modulesNotChecked).toEqual([
      expect.objectContaining({ name: "monitoring", source: "./modules/monitoring" }),
    ]);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

describe("from the attacker's review", () => {
  test("a comment accepts its own configuration's finding, not the same address in another folder", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-two-"));
    try {
      const text = fs.readFileSync(path.join(fixtures, "public-service", "main.tf"), "utf8");
      fs.mkdirSync(path.join(tmp, "d1"));
      fs.mkdirSync(path.join(tmp, "d2"));
      fs.writeFileSync(
        path.join(tmp, "d1", "main.tf"),
        text.replace(
          'resource "google_cloud_run_v2_service_iam_member" "public" {\n',
          'resource "google_cloud_run_v2_service_iam_member" "public" {\n  # cdktf-cloud-run:acknowledge RUN-001 the public demo serves the sample model only\n',
        ),
      );
      fs.writeFileSync(path.join(tmp, "d2", "main.tf"), text);
      const report = JSON.parse((await runCli(["check", "d1", "d2", "--format", "json"], tmp)).stdout);
      expect(report.accepted.map((f: { configuration: string }) => f.configuration)).toEqual(["d1"]);
      expect(
        report.findings
          .filter((f: { rule: string }) => f.rule === "RUN-001")
          .map((f: { configuration: string }) => f.configuration),
      ).toEqual(["d2"]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test("--output never writes over Terraform or a folder, nor into one that does not exist", async () => {
    const dir = rel(path.join(fixtures, "public-service"));
    for (const [output, message] of [
      [`${dir}/main.tf`, /would write over Terraform/],
      [dir, /is not a file/],
      ["no-such-folder/report.sarif", /its folder does not exist/],
      ["", /needs a file name/],
    ] as const) {
      const result = await check(dir, "--output", output);
      expect({ output, code: result.code }).toEqual({ output, code: 2 });
      expect(result.stderr).toMatch(message);
    }
  });

  test("JOB-001: a grant whose role the configuration does not fix, to the job's own account, is unknown", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-job-"));
    try {
      fs.writeFileSync(
        path.join(tmp, "main.tf"),
        [
          'variable "role" { type = string }',
          'resource "google_service_account" "job" { account_id = "trainer" }',
          'resource "google_cloud_run_v2_job" "train" {',
          '  name     = "train"',
          '  location = "europe-west1"',
          "  template {",
          "    template {",
          "      service_account = google_service_account.job.email",
          `      containers { image = "europe-west1-docker.pkg.dev/p/r/train@sha256:${"b".repeat(64)}" }`,
          "    }",
          "  }",
          "}",
          'resource "google_cloud_run_v2_job_iam_member" "self" {',
          "  name   = google_cloud_run_v2_job.train.name",
          "  role   = var.role",
          '  member = "serviceAccount:${google_service_account.job.email}"',
          "}",
          "",
        ].join("\n"),
      );
      const report = JSON.parse((await runCli(["check", ".", "--format", "json"], tmp)).stdout);
      expect(report.findings.find((f: { rule: string }) => f.rule === "JOB-001")).toMatchObject({
        level: "unknown",
        message: expect.stringMatching(/may give it a role that starts jobs: \$\{var\.role\} to/),
      });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  test("JSON nested too deeply to walk is an input error, not a crash", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "check-deep-"));
    try {
      const deep = `${'{"a":'.repeat(20000)}1${"}".repeat(20000)}`;
      fs.writeFileSync(path.join(tmp, "deep.tf.json"), `{"resource":{"google_storage_bucket":{"b":${deep}}}}`);
      const result = await runCli(["check", "deep.tf.json"], tmp);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^deep\.tf\.json/);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
