import { App } from "cdktf";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BootstrapStack, bootstrapStackId } from "./bootstrap-stack";
import { EnvironmentConfig } from "./config";
import { ENVIRONMENTS_DIR, EnvironmentFilesError, environmentConfigs, environmentFiles } from "./environments";
import { identityProviderVariable } from "./identities";
import { promotionOrder } from "./promotion";
import { firstApply } from "./bootstrap-first-apply";
import { describeFailure, synthesize } from "./synth";
import { PROJECT_ROLE_REASONS } from "../gcp/resource-types";
import { renderTable } from "./table";
import { VerbSpec, parseCommand, usageLine } from "./command-line";

/** Every verb of `npm run bootstrap`, read by the shared command-line parser (command-line.ts). */
const VERBS: readonly VerbSpec[] = [
  {
    name: "first-apply",
    args: [{ name: "env" }],
    options: [],
    help: "the first apply of bootstrap-<env>, on local state, then moved into its bucket",
  },
  {
    name: "github",
    args: [],
    options: [{ name: "markdown" }],
    help: "what to set in GitHub for the workflows, per environment",
  },
  {
    name: "identities",
    args: [{ name: "env", repeated: true }],
    options: [{ name: "markdown" }],
    help: "each environment's pipeline identities: who may use them, their roles and why",
  },
];

export const BOOTSTRAP_USAGE = `Usage:\n${VERBS.map((v) => usageLine("npm run bootstrap --", v)).join("\n")}`;
const USAGE = BOOTSTRAP_USAGE;

type Output = { code: 0 | 1 | 2; stdout: string; stderr: string };

/** What each stage's GitHub environment needs: only main deploys; production waits for a reviewer. */
function protection(config: EnvironmentConfig): string {
  return config.stage === "production"
    ? "deployment branches: main only; required reviewers: at least one"
    : "deployment branches: main only";
}

/** `github`: the repository variables, GitHub environments and setting the workflows need. */
function githubSetup(configs: readonly EnvironmentConfig[], markdown: boolean): string {
  const rows: string[][] = [];
  for (const c of configs) {
    rows.push([
      "repository variable",
      identityProviderVariable(c.name),
      `output workload_identity_provider of ${bootstrapStackId(c.name)} (projects/<number of ${c.project}>/locations/global/workloadIdentityPools/github/providers/github)`,
    ]);
  }
  for (const c of configs) rows.push(["environment", c.name, protection(c)]);
  rows.push([
    "setting",
    "Actions > General > Workflow permissions",
    "Allow GitHub Actions to create and approve pull requests (the build and release workflows open them)",
  ]);
  const repositories = [...new Set(configs.map((c) => c.github.repository))];
  const heading = `GitHub setup for ${repositories.join(", ")}`;
  return `${markdown ? `## ${heading}\n\n` : `${heading}\n\n`}${renderTable(["kind", "name", "value"], rows, { markdown })}`;
}

/** `identities`: every pipeline identity, who may use it, and each role with what needs it. */
function identities(
  configs: readonly EnvironmentConfig[],
  shown: readonly EnvironmentConfig[],
  markdown: boolean,
): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-bootstrap-"));
  try {
    const app = new App({ outdir });
    const who: string[][] = [];
    const rows: string[][] = [];
    for (const c of shown) {
      const stack = new BootstrapStack(app, bootstrapStackId(c.name), c, { environments: configs });
      for (const identity of Object.values(stack.identities)) {
        const id = identity.email.split("@")[0];
        who.push([c.name, identity.email, identity.usableBy]);
        for (const [role, needs] of identity.roles)
          rows.push([c.name, id, role, `project ${c.project}`, needs.join(", ")]);
        for (const g of identity.otherGrants) rows.push([c.name, id, g.role, g.on, g.neededFor]);
      }
    }
    // Why each role on a whole project is not granted on less: the service cannot limit it, or
    // the resource it would be granted on does not exist yet.
    const projectWide = [...new Set(rows.filter((r) => r[3].startsWith("project ")).map((r) => r[2]))].sort();
    return (
      renderTable(["environment", "identity", "usable by"], who, { markdown }) +
      "\n" +
      renderTable(["environment", "identity", "role", "on", "needed for"], rows, { markdown }) +
      "\n" +
      renderTable(
        ["role", "why on the whole project"],
        projectWide.map((role) => [role, PROJECT_ROLE_REASONS[role]]),
        { markdown },
      )
    );
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * `first-apply <env>`: synthesizes every stack (as `npm run synth`), then runs the first apply
 * of `bootstrap-<env>` (see bootstrap-first-apply.ts).
 */
function runFirstApply(args: readonly string[], dir: string, outdir: string): Output {
  const names = environmentFiles(dir).map((f) => f.name);
  if (!names.includes(args[0])) {
    return { code: 2, stdout: "", stderr: `not an environment: ${args[0]} (environments: ${names.join(", ")})\n` };
  }
  const result = synthesize({ dir, outdir });
  if (result.errors.length > 0) return { code: 1, stdout: "", stderr: `${describeFailure(result)}\n` };
  const applied = firstApply(args[0], outdir, process.cwd());
  return applied.code === 0
    ? { code: 0, stdout: `${applied.message}\n`, stderr: "" }
    : { code: 1, stdout: "", stderr: `${applied.message}\n` };
}

/** Runs `npm run bootstrap -- <verb>`; `dir` is the environments folder. */
export function runBootstrap(
  argv: readonly string[],
  dir: string = ENVIRONMENTS_DIR,
  outdir: string = path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out"),
): Output {
  if (argv.length === 1 && ["--help", "-h", "help"].includes(argv[0]))
    return { code: 0, stdout: `${USAGE}\n`, stderr: "" };
  const parsed = parseCommand(VERBS, argv);
  if ("usage" in parsed) return { code: 2, stdout: "", stderr: `${parsed.usage}\n\n${USAGE}\n` };
  const verb = parsed.verb.name;
  if (verb === "first-apply") return runFirstApply(parsed.call.args, dir, outdir);
  const markdown = parsed.call.flags.has("markdown");
  const named = parsed.call.args;
  let configs: EnvironmentConfig[];
  try {
    configs = environmentConfigs(dir);
  } catch (e) {
    if (!(e instanceof EnvironmentFilesError)) throw e;
    return { code: 1, stdout: "", stderr: `${e.message}\n` };
  }
  const ordered = promotionOrder(configs);
  const unknownEnvironments = named.filter((n) => !configs.some((c) => c.name === n));
  if (unknownEnvironments.length > 0) {
    const list = configs.map((c) => c.name).join(", ");
    return {
      code: 2,
      stdout: "",
      stderr: `not an environment: ${unknownEnvironments.join(", ")} (environments: ${list})\n\n${USAGE}\n`,
    };
  }
  const shown = named.length === 0 ? ordered : ordered.filter((c) => named.includes(c.name));
  return {
    code: 0,
    stdout: verb === "github" ? githubSetup(ordered, markdown) : identities(ordered, shown, markdown),
    stderr: "",
  };
}
