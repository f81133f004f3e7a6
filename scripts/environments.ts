/**
 * npm run -s environments [-- --stage development|preproduction|production]
 *   The environments as a JSON array for a GitHub Actions matrix:
 *   [{"environment":"dev","project":"acme-ml-dev"}, …], all of them or one promotion stage's.
 * npm run -s environments -- --builds [SERVICE…] [--changed-since SHA]
 *   What the build workflow builds (lib/app/environments.ts, buildMatrix): every service with a
 *   build, those named, or those whose build context changed since SHA (all, when SHA is empty
 *   or unknown to git).
 * npm run -s environments -- --project ENV
 *   The project id of one environment.
 * npm run -s environments -- --provider-variable ENV
 *   The repository variable that holds its workload identity provider.
 * npm run -s environments -- --job ENV JOB
 *   What the Train workflow needs to run a job: {"name","region","project","provider_variable",
 *   "runner","model"}, where model is the prefix of the versions it writes (MODEL_NAME/EXECUTION:
 *   the job's MODEL_NAME variable, or its key).
 *
 * Everything comes from the files in environments/, so adding a file adds it to the pipeline.
 */
import { execFileSync } from "child_process";
import {
  BuildPathError,
  EnvironmentFilesError,
  buildMatrix,
  environmentConfigs,
  environmentMatrix,
  jobTarget,
} from "../lib/app/environments";
import { identityProviderVariable } from "../lib/app/identities";

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv[i + 1] ?? "") : undefined;
};

/** Paths changed between `since` and HEAD, or undefined (build everything) when git cannot tell. */
function changedSince(since: string): string[] | undefined {
  if (!/^[0-9a-f]{7,40}$/.test(since) || /^0+$/.test(since)) return undefined;
  try {
    const out = execFileSync("git", ["diff", "--name-only", since, "HEAD"], { encoding: "utf8", stdio: "pipe" });
    return out.split("\n").filter(Boolean);
  } catch {
    return undefined;
  }
}

/** The environments' own problems (a file that does not load, an invalid configuration): printed as they are, exit 1. */
function run(): void {
  if (argv.includes("--builds")) {
    const since = option("changed-since");
    const only = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--changed-since");
    const changed = since === undefined ? undefined : changedSince(since);
    process.stdout.write(JSON.stringify(buildMatrix({ only, changed })) + "\n");
  } else if (option("job") !== undefined) {
    const target = jobTarget(option("job")!, argv[argv.indexOf("--job") + 2] ?? "");
    if ("problem" in target) {
      console.error(target.problem);
      process.exit(2);
    }
    process.stdout.write(JSON.stringify(target) + "\n");
  } else if (option("project") !== undefined || option("provider-variable") !== undefined) {
    const name = option("project") ?? option("provider-variable");
    const configs = environmentConfigs();
    const config = configs.find((c) => c.name === name);
    if (config === undefined) {
      console.error(`${name} is not an environment: ${configs.map((c) => c.name).join(", ")}`);
      process.exit(2);
    }
    process.stdout.write(
      `${option("project") !== undefined ? config.project : identityProviderVariable(config.name)}\n`,
    );
  } else {
    const stage = option("stage") ?? "all";
    const matrix = environmentMatrix();
    if (!(stage in matrix)) {
      console.error(`--stage must be one of ${Object.keys(matrix).join(", ")}; got ${stage}`);
      process.exit(2);
    }
    process.stdout.write(JSON.stringify(matrix[stage as keyof typeof matrix]) + "\n");
  }
}

try {
  run();
} catch (e) {
  if (!(e instanceof BuildPathError) && !(e instanceof EnvironmentFilesError)) throw e;
  console.error(e.message);
  process.exit(1);
}
