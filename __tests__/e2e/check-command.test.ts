/**
 * `npx cdktf-cloud-run check` as a Terraform user who never installed cdktf runs it: the packed
 * package installed alone in an empty folder (its peers are optional, so npm installs none of
 * them), then the bin over an HCL folder, a .tf.json and a plan, in the three formats. What the
 * install takes on disk is measured against the 20 MB the issue allows.
 */
import "@microsoft/jest-sarif";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packLibrary, run } from "./pack";

const fixtures = path.join(__dirname, "..", "fixtures");
let app: string;
let packDir: string;

/** Bytes under a folder (files only; links not followed). */
function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

beforeAll(() => {
  packDir = fs.mkdtempSync(path.join(os.tmpdir(), "check-pack-"));
  app = fs.mkdtempSync(path.join(os.tmpdir(), "check-user-"));
  const tarball = packLibrary(packDir);
  fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "terraform-user", private: true }));
  run("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], app, { npm_config_loglevel: "warn" });
  fs.cpSync(path.join(fixtures, "check", "public-service"), path.join(app, "infra"), { recursive: true });
}, 180_000);

afterAll(() => {
  fs.rmSync(app, { recursive: true, force: true });
  fs.rmSync(packDir, { recursive: true, force: true });
});

/** `npx cdktf-cloud-run ARGS` in the user's folder, offline: the first test runs it so. */
function npx(...args: string[]) {
  return spawnSync("npx", ["--offline", "--no-install", "cdktf-cloud-run", ...args], {
    cwd: app,
    encoding: "utf8",
    env: { ...process.env, npm_config_loglevel: "silent" },
  });
}

/** The same bin (node_modules/.bin/cdktf-cloud-run), without npx's half second of start-up. */
function bin(...args: string[]) {
  return spawnSync(path.join(app, "node_modules", ".bin", "cdktf-cloud-run"), args, { cwd: app, encoding: "utf8" });
}

test("no peer is installed, and the install is under 20 MB", () => {
  for (const peer of ["cdktf", "constructs", "@cdktf/provider-google"]) {
    expect({ peer, installed: fs.existsSync(path.join(app, "node_modules", peer)) }).toEqual({
      peer,
      installed: false,
    });
  }
  const mb = sizeOf(path.join(app, "node_modules")) / 1024 / 1024;
  // Measured 3.6 MB (2.99 MB of files): the package, and bundled in it HashiCorp's HCL parser in
  // WebAssembly, jsonc-parser and fs-extra.
  expect(mb).toBeLessThan(20);
});

test("an HCL folder, in text: the findings on their lines, exit 1", () => {
  const r = npx("check", "infra");
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(/^ERROR {3}RUN-001 google_cloud_run_v2_service_iam_member\.public infra\/main\.tf:\d+$/m);
  expect(r.stderr).toBe("");
});

test("an HCL folder, a .tf.json and a plan, each in the three formats; SARIF valid against 2.1.0", () => {
  fs.cpSync(path.join(fixtures, "terraform"), path.join(app, "terraform"), { recursive: true });
  const files = fs.readdirSync(path.join(app, "terraform"), { recursive: true, encoding: "utf8" });
  const tfJson = path.join("terraform", files.find((f) => f.endsWith(".tf.json") && f.startsWith("json"))!);
  const plan = path.join("terraform", files.find((f) => f.startsWith("plan") && f.endsWith(".json"))!);
  for (const input of ["infra", tfJson, plan]) {
    const text = bin("check", input);
    expect({ input, code: text.status, stderr: text.stderr }).toEqual({ input, code: 1, stderr: "" });
    expect(text.stdout).toMatch(/error\(s\).* at stage production: \d+ resource\(s\) in 1 configuration\(s\)/);
    const json = bin("check", input, "--format", "json");
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout).configurations[0].path).toBe(input);
    const sarif = bin("check", input, "--format", "sarif", "--output", "out.sarif");
    expect(sarif.stdout).toMatch(/wrote out\.sarif\n$/);
    expect(JSON.parse(fs.readFileSync(path.join(app, "out.sarif"), "utf8"))).toBeValidSarifLog();
  }
});

test("the guard, from the package: a plan that replaces a service and deletes a bucket is blocked, then allowed", () => {
  fs.cpSync(path.join(fixtures, "plans", "replace-service-delete-bucket.json"), path.join(app, "plan.json"));
  const blocked = bin("guard", "plan.json");
  expect(blocked.status).toBe(1);
  const addresses = [...blocked.stdout.matchAll(/^BLOCKED (?:replace|delete) (\S+)/gm)].map((m) => m[1]);
  expect(addresses).toHaveLength(2);
  const allowed = npx(
    "guard",
    "plan.json",
    ...addresses.flatMap((a) => ["--allow-destroy", a]),
    "--reason",
    "moving the models to a regional bucket",
  );
  expect(allowed.status).toBe(0);
  expect(allowed.stdout).toMatch(/ALLOWED/);
});

test("a file that cannot be parsed exits 2, naming it with the parser's line and column", () => {
  fs.mkdirSync(path.join(app, "broken"), { recursive: true });
  fs.writeFileSync(path.join(app, "broken", "main.tf"), 'resource "google_storage_bucket" "b" {\n  name = \n}\n');
  const r = bin("check", "broken");
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^broken\/main\.tf:\d+(:\d+)?: /m);
});
