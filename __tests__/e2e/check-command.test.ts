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

/** `npx cdktf-cloud-run ARGS` in the user's folder, offline. */
function npx(...args: string[]) {
  return spawnSync("npx", ["--offline", "--no-install", "cdktf-cloud-run", ...args], {
    cwd: app,
    encoding: "utf8",
    env: { ...process.env, npm_config_loglevel: "silent" },
  });
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

test("a .tf.json and a plan, as JSON and SARIF; SARIF valid against 2.1.0", () => {
  fs.cpSync(path.join(fixtures, "terraform"), path.join(app, "terraform"), { recursive: true });
  const tfJson = fs
    .readdirSync(path.join(app, "terraform"), { recursive: true, encoding: "utf8" })
    .find((f) => f.endsWith(".tf.json"))!;
  const plan = fs
    .readdirSync(path.join(app, "terraform"), { recursive: true, encoding: "utf8" })
    .find((f) => /plan.*\.json$/.test(f) && !f.endsWith(".tf.json"))!;
  for (const input of [path.join("terraform", tfJson), path.join("terraform", plan)]) {
    const json = npx("check", input, "--format", "json");
    expect({ input, code: json.status, stderr: json.stderr }).toEqual({ input, code: expect.any(Number), stderr: "" });
    expect(json.status === 0 || json.status === 1).toBe(true);
    expect(JSON.parse(json.stdout).configurations[0].path).toBe(input);
    const sarif = npx("check", input, "--format", "sarif", "--output", "out.sarif");
    expect(sarif.stdout).toMatch(/wrote out\.sarif\n$/);
    expect(JSON.parse(fs.readFileSync(path.join(app, "out.sarif"), "utf8"))).toBeValidSarifLog();
  }
});

test("a file that cannot be parsed exits 2, naming it with the parser's line and column", () => {
  fs.mkdirSync(path.join(app, "broken"), { recursive: true });
  fs.writeFileSync(path.join(app, "broken", "main.tf"), 'resource "google_storage_bucket" "b" {\n  name = \n}\n');
  const r = npx("check", "broken");
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^broken\/main\.tf:\d+(:\d+)?: /m);
});
