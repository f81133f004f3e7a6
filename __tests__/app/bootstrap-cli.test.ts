/**
 * `npm run bootstrap -- <verb>` (runBootstrap), on the environments in environments/: what the
 * GitHub repository needs, each identity's roles with why, and the exit codes.
 */
import * as path from "path";
import { environmentFiles, parseEnvironmentConfig } from "../../lib/app";
import { BOOTSTRAP_USAGE, runBootstrap } from "../../lib/app/bootstrap-cli";
import { bucketProps } from "../../lib/app/config/props";
import { environmentResourceTypes } from "../../lib/app/environment-stack";
import { bucketScopedRoles, repositoryScopedRoles, rolesFor } from "../../lib/app/resources";

const configs = environmentFiles().map((f) => parseEnvironmentConfig(f.config));

describe("npm run bootstrap", () => {
  test("github: the variables, environments and setting the workflows need, one per environment", () => {
    const out = runBootstrap(["github"]);
    expect(out.code).toBe(0);
    const rows = out.stdout.split("\n").filter((l) => /^(repository variable|environment|setting) /.test(l));
    for (const c of configs) {
      const variable = `GCP_WORKLOAD_IDENTITY_PROVIDER_${c.name.toUpperCase().replace(/-/g, "_")}`;
      expect(rows).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^repository variable\\s+${variable}\\s+output workload_identity_provider of bootstrap-${c.name} `,
          ),
        ),
      );
      const protection =
        c.stage === "production"
          ? "deployment branches: main only; required reviewers: at least one"
          : "deployment branches: main only";
      expect(rows).toContainEqual(
        expect.stringMatching(new RegExp(`^environment\\s+${c.name}\\s+${protection.replace(/[.;]/g, "\\$&")}$`)),
      );
    }
    expect(rows.filter((r) => r.startsWith("setting"))).toEqual([
      expect.stringMatching(/Allow GitHub Actions to create and approve pull requests/),
    ]);
  });

  test("identities: each role with the resource types that need it", () => {
    const out = runBootstrap(["identities", "--markdown"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^\| environment \| identity \| usable by \|$/m);
    expect(out.stdout).toMatch(/^\| environment \| identity \| role \| on \| needed for \|$/m);
    // And, for each role held on a whole project, why not on less.
    expect(out.stdout).toMatch(/^\| role \| why on the whole project \|$/m);
    expect(out.stdout).toMatch(/^\| roles\/run\.admin \| no condition can limit a Cloud Run role, .* \|$/m);
    for (const c of configs) {
      expect(out.stdout).toContain(
        `| ${c.name} | terraform-deploy@${c.project}.iam.gserviceaccount.com | ${c.github.repository}: apply.yml on main, in the GitHub environment "${c.name}" |`,
      );
      // Whatever the configuration's services need: each managing role on its own row, on the
      // project, or on the environment's buckets for the roles limited to them.
      const types = environmentResourceTypes(c);
      const scoped = bucketScopedRoles(types);
      const onRepository = repositoryScopedRoles(types);
      for (const role of rolesFor(types, "manage").keys()) {
        expect(out.stdout).toContain(
          onRepository.has(role)
            ? `| ${c.name} | terraform-deploy | ${role} | repository ${c.repository.repositoryId} (the environment's stack grants it) |`
            : scoped.has(role)
              ? `| ${c.name} | terraform-deploy | ${role} | ${Object.keys(c.buckets ?? {})
                  .map((k) => `gs://${bucketProps(c, k).name}`)
                  .join(", ")} (condition) |`
              : `| ${c.name} | terraform-deploy | ${role} | project ${c.project} |`,
        );
      }
    }
    expect(runBootstrap(["identities", "nowhere"])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^not an environment: nowhere/),
    });
  });

  test("usage errors exit 2; invalid configuration exits 1 with every problem", () => {
    for (const [argv, why] of [
      [["apply"], 'unknown verb "apply"'],
      [["frist-apply", "dev"], 'unknown verb "frist-apply"'],
      [["github", "--json"], "github takes no --json"],
      [["github", "dev"], "github takes 0 arguments"],
      [["first-apply"], "first-apply takes 1 argument"],
      [["identities", "--markdwon"], "identities takes no --markdwon"],
      [[], 'unknown verb ""'],
    ] as const) {
      expect({ argv, ...runBootstrap(argv) }).toEqual({
        argv,
        code: 2,
        stdout: "",
        stderr: `${why}\n\n${BOOTSTRAP_USAGE}\n`,
      });
    }
    expect(
      BOOTSTRAP_USAGE.split("\n")
        .slice(1)
        .map((l) => l.split(" ")[4]),
    ).toEqual(["first-apply", "github", "identities"]);
    expect(runBootstrap(["--help"])).toEqual({ code: 0, stdout: `${BOOTSTRAP_USAGE}\n`, stderr: "" });
    const dir = path.join(__dirname, "..", "fixtures", "invalid-environments");
    expect(runBootstrap(["github"], dir)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('beta.ts: environment "beta"'),
    });
  });
});
