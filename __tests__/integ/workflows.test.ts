/**
 * The GitHub Actions workflows: actionlint finds nothing, every npm script they call exists, and
 * the security rules hold (least privilege per job, pinned actions, no expressions in scripts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { STAGES } from "../../lib";
import { Testing } from "cdktf";
import { EnvironmentConfig, environmentFiles, environmentMatrix, parseEnvironmentConfig } from "../../lib/app";
import { BootstrapStack } from "../../lib/app/bootstrap-stack";
import { buildMatrix, buildPathProblem, jobTarget } from "../../lib/app/environments";
import { Json } from "../helpers";
import { workflowTexts } from "../workflow-files";
import { VERBS } from "../../lib/app/release/cli";
import { IDENTITIES, canaryGuarded } from "../../lib/app/identities";

const root = path.resolve(__dirname, "..", "..");
const text = workflowTexts();
const files = Object.keys(text);
const workflows: Record<string, Json> = Object.fromEntries(files.map((f) => [f, parse(text[f])]));
const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).scripts;

/** A command that runs installed code: at the start of a line, after ; && || | $( !, or a shell keyword. */
const COMMAND = /(^|[;&|(!]|\b(?:if|then|else|do|while|until))\s*(npm (ci|test|run|exec|x)|npx|node|yarn|pnpm)\b/gm;

/** The one job that runs the repository's code with an identity token: canary.yml's judge. */
const CANARY_JUDGE = "canary.yml analyze";

/** A bootstrap stack, synthesized in memory. */
function bootstrapJson(config: EnvironmentConfig): Json {
  const configs = environmentFiles().map((f) => parseEnvironmentConfig(f.config));
  const stack = new BootstrapStack(Testing.app(), `bootstrap-${config.name}`, config, { environments: configs });
  return JSON.parse(Testing.synth(stack));
}

/** A bootstrap stack's outputs, synthesized in memory. */
function bootstrapOutputs(config: EnvironmentConfig): Record<string, Json> {
  return bootstrapJson(config).output;
}

/** The claims of a GitHub job's OIDC token that the provider reads. */
interface Claims {
  readonly sub: string;
  readonly ref: string;
  readonly job_workflow_ref: string;
  readonly repository_id: string;
  readonly repository_owner_id: string;
  readonly environment?: string;
}

/**
 * Evaluates one of the provider's CEL expressions on a token's claims. They use only what reads
 * the same in JavaScript (string literals, ==, &&, ||, !, +, ?:, split and indexing), but for
 * CEL's `contains`, JavaScript's `includes`, and `has()`, given as a function.
 */
function cel(expression: string, assertion: Claims): unknown {
  const js = expression.replace(/\.contains\(/g, ".includes(");
  return new Function("assertion", "has", `return ${js};`)(assertion, (v: unknown) => v !== undefined);
}

/**
 * The pipeline identities (by account id) of one bootstrap stack that a token with `claims` can
 * act as: the provider must admit the token (its attribute condition), and a member of the
 * account's workload identity users must name it: the whole pool (`/*`), its subject, or one of
 * its mapped attributes.
 */
function identitiesFor(tf: Json, claims: Claims): string[] {
  const [provider] = Object.values<Json>(tf.resource.google_iam_workload_identity_pool_provider);
  if (cel(provider.attribute_condition, claims) !== true) return [];
  const attributes = [
    "*",
    `subject/${cel(provider.attribute_mapping["google.subject"], claims)}`,
    ...Object.entries<string>(provider.attribute_mapping)
      .filter(([key]) => key.startsWith("attribute."))
      .map(([key, expression]) => `${key}/${cel(expression, claims)}`),
  ];
  const accounts = Object.entries<Json>(tf.resource.google_service_account);
  return accounts
    .filter(([id]) =>
      Object.values<Json>(tf.resource.google_service_account_iam_member).some(
        (m) =>
          m.service_account_id === `\${google_service_account.${id}.name}` &&
          m.role === "roles/iam.workloadIdentityUser" &&
          attributes.some((a) => m.member.endsWith(`/${a}`)),
      ),
    )
    .map(([, account]) => account.account_id as string);
}

function jobs(file: string): [string, Json][] {
  return Object.entries(workflows[file].jobs);
}

function steps(job: Json): Json[] {
  return job.steps ?? [];
}

function runsOf(job: Json): string {
  return steps(job)
    .map((s) => s.run ?? "")
    .join("\n");
}

/** Whether a job can exchange its identity token: for a Google Cloud identity, or npm's trusted publishing. */
function authenticates(job: Json): boolean {
  return (
    steps(job).some((st) => String(st.uses ?? "").startsWith("google-github-actions/auth@")) ||
    // npm's trusted publishing: the job's OIDC token stands for an npm token, and signs the provenance.
    steps(job).some((st) => /^\s*npm publish --provenance /m.test(st.run ?? "")) ||
    (typeof job.uses === "string" && jobs(path.basename(job.uses)).some(([, called]) => authenticates(called)))
  );
}

describe("workflows", () => {
  test("ci, build, release, canary, drill, deploy (with apply), drift, train, and the library's version and publish exist", () => {
    expect(files).toEqual([
      "apply.yml",
      "build.yml",
      "canary.yml",
      "ci.yml",
      "deploy.yml",
      "drift.yml",
      "drill.yml",
      "publish.yml",
      "release.yml",
      "train.yml",
      "version.yml",
    ]);
  });

  test("every npm script the workflows run exists in package.json", () => {
    const called = new Set<string>();
    for (const f of files) {
      for (const m of text[f].matchAll(/npm run (?:-s |--silent )?([a-z][\w:-]*)/g)) called.add(m[1]);
    }
    expect([...called].sort()).toEqual([
      "check-package",
      "check-terraform",
      "docs",
      "environments",
      "package",
      "parity",
      "release",
      "synth",
    ]);
    for (const name of called) expect(scripts).toHaveProperty(name);
    expect(text["ci.yml"]).toContain("npm test");
  });

  test("least privilege: nothing at the top level, permissions on every job, id-token only where a job authenticates", () => {
    for (const f of files) {
      expect(workflows[f].permissions).toEqual({});
      for (const [, job] of jobs(f)) {
        expect(job.permissions).toBeDefined();
        expect(job.permissions["id-token"] === "write").toBe(authenticates(job));
        if (job.permissions.contents === "write") {
          // Only the jobs that open a pull request write (a release, or a version of the library),
          // and they hold no identity.
          expect(job.permissions).toEqual({ contents: "write", "pull-requests": "write" });
          expect(runsOf(job)).toMatch(/gh pr create --base main/);
          continue;
        }
        expect(job.permissions.contents).toBe("read");
        // A job that reads the runs of a workflow (the build's last success) may read Actions.
        const readsRuns = /\bgh run list\b/.test(runsOf(job));
        expect(Object.keys(job.permissions).sort()).toEqual(
          ["contents", ...(authenticates(job) ? ["id-token"] : []), ...(readsRuns ? ["actions"] : [])].sort(),
        );
        if (readsRuns) expect(job.permissions.actions).toBe("read");
      }
    }
  });

  // An install script, or any code a dependency ships, runs with what its job holds: a job that
  // can mint an identity token (and so act as a Google Cloud identity, or publish to npm) or that
  // holds a token that may write to the repository runs none of it. It gets what it needs from
  // the jobs before it, as outputs or artifacts.
  test("a job that can mint an identity token or may write installs and runs none of the repository's dependencies", () => {
    const privileged: string[] = [];
    for (const f of files) {
      for (const [name, job] of jobs(f)) {
        if (typeof job.uses === "string") continue; // a reusable workflow: its own jobs are checked
        const values = Object.values(job.permissions ?? {});
        if (!values.includes("write")) continue;
        privileged.push(`${f} ${name}`);
        if (`${f} ${name}` === CANARY_JUDGE) continue; // the one exception, checked below
        const script = runsOf(job);
        expect({
          file: f,
          job: name,
          // A command, not text a step prints: at the start of a line, after ; && || | $( !, or a
          // shell keyword (`if npm run …; then`)
          runs: script.match(COMMAND) ?? [],
        }).toEqual({
          file: f,
          job: name,
          runs: [],
        });
        // npm itself, for trusted publishing, with no install script of its own.
        for (const install of script.match(/\bnpm (install|i)\b.*$/gm) ?? []) {
          expect(install).toMatch(/^npm install --global --ignore-scripts npm@\d+\.\d+\.\d+$/);
        }
        expect(steps(job).filter((st) => String(st.uses ?? "").startsWith("actions/cache@"))).toEqual([]);
      }
    }
    expect(privileged.sort()).toEqual([
      "apply.yml apply",
      "build.yml build",
      "build.yml pull-request",
      "canary.yml analyze",
      "canary.yml pull-request",
      "ci.yml plan",
      "deploy.yml plan",
      "drift.yml drift",
      "drill.yml pull-request",
      "publish.yml publish",
      "release.yml copy",
      "release.yml pull-request",
      "train.yml train",
      "version.yml pull-request",
    ]);
    // Every install skips install scripts: a job that runs them would hand what they wrote (the
    // synthesized stacks deploy.yml's plan and apply read, a patch) to a job holding a token.
    const installs = Object.keys(text).flatMap((f) =>
      [...text[f].matchAll(/run: (npm ci.*)$/gm)].map((m) => ({ f, install: m[1] })),
    );
    expect(installs.length).toBeGreaterThan(5);
    for (const { f, install } of installs) expect({ f, install }).toEqual({ f, install: "npm ci --ignore-scripts" });
  });

  // The canary judge is the one job that runs the repository's code with an identity token:
  // reading a canary's metrics and moving its traffic are that code (npm run release -- analyze,
  // revert-traffic). Only main's code, from the lockfile without install scripts, installed before
  // the token is minted, and only the release command's verbs; its identity (canary-guard) can be
  // minted by this job on main alone (below) and may do nothing but read metrics and change the
  // services whose canaries it judges.
  test("the canary judge runs main's release command with its token, and nothing else of the repository's", () => {
    const [f, name] = CANARY_JUDGE.split(" ");
    const job = workflows[f].jobs[name];
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(job.if).toContain("github.ref == 'refs/heads/main'");
    // Any mention, command or not: none of its scripts prints one.
    const commands = runsOf(job).match(/\b(npm (ci|test|run|exec|x|install|i)|npx|node|yarn|pnpm)\b.*$/gm) ?? [];
    expect(commands.map((c) => c.replace(/ \|.*$/, ""))).toEqual([
      "npm ci --ignore-scripts",
      'npm run -s release -- analyze "$ENVIRONMENT" "$SERVICE" --apply',
      // In an `if`, so that a rollback's change is uploaded even when moving the traffic failed.
      'npm run -s release -- revert-traffic "$ENVIRONMENT" "$SERVICE"',
      "npm run -s release -- status --markdown; } > body.md",
    ]);
    const at = (test: (st: Json) => boolean) => steps(job).findIndex(test);
    const auth = at((st) => String(st.uses ?? "").startsWith("google-github-actions/auth@"));
    expect(at((st) => st.run === "npm ci --ignore-scripts")).toBeLessThan(auth);
    expect(at((st) => /release -- analyze/.test(st.run ?? ""))).toBeGreaterThan(auth);
    expect(steps(job).filter((st) => String(st.uses ?? "").startsWith("actions/cache@"))).toEqual([]);
  });

  // The job that changes the repository applies a patch made by a job that ran installed code,
  // so it refuses one that touches anything but the files that job may change.
  test("a pull request job applies the patch of the job before it, and only to the files it may change", () => {
    const grep = (check: string) => `if git diff --cached --no-renames --name-only | ${check}; then`;
    // A canary's or a drill's job changes its own environment's file, a regular file, only.
    const own = [
      'if [ "$(git diff --cached --no-renames --name-only)" != "environments/releases/$ENVIRONMENT.json" ]; then',
      'if git diff --cached --no-renames --summary | grep -q "mode"; then',
    ];
    const allowed: Record<string, readonly string[]> = {
      "build.yml": [grep("grep -qv '^environments/releases/'")],
      "canary.yml": own,
      "drill.yml": own,
      "release.yml": [grep("grep -qv '^environments/releases/'")],
      "version.yml": [grep("grep -qvE '^(package\\.json|CHANGELOG\\.md|\\.changeset/)'")],
    };
    for (const [f, checks] of Object.entries(allowed)) {
      const job = workflows[f].jobs["pull-request"];
      const script = runsOf(job);
      expect(script).toContain("git apply --index change.patch");
      // --no-renames: a rename lists its source too, so a file moved out of a guarded path is seen.
      for (const check of checks) {
        expect(script).toContain(check);
        expect(script.indexOf(check)).toBeLessThan(script.indexOf("git commit"));
      }
      expect(
        steps(job)
          .map((st) => st.uses?.replace(/@.*/, ""))
          .filter(Boolean),
      ).toEqual(["actions/checkout", "actions/download-artifact"]);
    }
    // And the patch is the change the release command (or changesets) made, with a read-only token.
    expect(runsOf(workflows["build.yml"].jobs.pin)).toMatch(
      /git add environments\/releases\ngit diff --cached --binary > change\.patch/,
    );
    expect(runsOf(workflows["release.yml"].jobs.plan)).toMatch(
      /git add environments\/releases\ngit diff --cached --binary > change\.patch/,
    );
    expect(runsOf(workflows["canary.yml"].jobs.analyze)).toMatch(
      /git add environments\/releases\ngit diff --cached --binary > change\.patch/,
    );
    expect(runsOf(workflows["drill.yml"].jobs.drill)).toMatch(
      /git add environments\/releases\ngit diff --cached --binary > change\.patch/,
    );
    expect(runsOf(workflows["version.yml"].jobs.version)).toMatch(
      /git add package\.json CHANGELOG\.md \.changeset\ngit diff --cached --binary > change\.patch/,
    );
  });

  test("GH_TOKEN is in the env of the steps that run gh, never of a job or a workflow", () => {
    let given = 0;
    for (const f of files) {
      expect(JSON.stringify(workflows[f].env ?? {})).not.toMatch(/GH_TOKEN|GITHUB_TOKEN|github\.token/);
      for (const [, job] of jobs(f)) {
        expect(JSON.stringify(job.env ?? {})).not.toMatch(/GH_TOKEN|GITHUB_TOKEN|github\.token/);
        for (const st of steps(job)) {
          const env = JSON.stringify(st.env ?? {});
          if (!/GH_TOKEN|GITHUB_TOKEN|github\.token/.test(env)) continue;
          given++;
          expect(Object.keys(st.env).filter((k) => /TOKEN/.test(k))).toEqual(["GH_TOKEN"]);
          expect(st.env.GH_TOKEN).toBe("${{ github.token }}");
          expect(st.run).toMatch(/^\s*(\S+=\$\()?gh /m);
        }
      }
    }
    expect(given).toBe(6);
  });

  // A run that waits in a concurrency group is cancelled when a newer one joins it: a dispatch on
  // another branch must not join main's.
  test("every workflow a person can dispatch keys its concurrency by ref", () => {
    for (const f of files) {
      const group = workflows[f].concurrency?.group;
      if (workflows[f].on?.workflow_dispatch === undefined || group === undefined) continue;
      expect({ f, group }).toEqual({ f, group: expect.stringContaining("${{ github.ref }}") });
    }
    expect(workflows["deploy.yml"].concurrency).toEqual({
      group: "deploy-${{ github.ref }}",
      "cancel-in-progress": false,
    });
    expect(workflows["build.yml"].concurrency).toEqual({
      group: "build-${{ github.ref }}",
      "cancel-in-progress": false,
    });
    // Every release dispatch runs: a group would drop all but the newest waiting one. So does every
    // canary judgment and drill: their groups, if any, are one canary's, and cancel nothing running.
    for (const f of ["release.yml", "canary.yml", "drill.yml"])
      expect({ f, group: workflows[f].concurrency }).toEqual({ f });
    for (const [f, name] of [
      ["canary.yml", "analyze"],
      ["canary.yml", "pull-request"],
    ]) {
      expect(workflows[f].jobs[name].concurrency).toEqual({
        group: expect.stringMatching(/^canary-[a-z-]*\$\{\{ matrix\.environment \}\}-\$\{\{ matrix\.service \}\}$/),
        "cancel-in-progress": false,
      });
    }
  });

  test("build: on changes to services/, one image per service, the digest from the push pinned by a pull request", () => {
    const wf = workflows["build.yml"];
    expect(wf.on.push).toEqual({ branches: ["main"], paths: ["services/**"] });
    expect(wf.jobs.plan.if).toBe("github.ref == 'refs/heads/main'");
    expect(text["build.yml"]).toContain("npm run -s environments -- --builds");
    const build = runsOf(wf.jobs.build);
    expect(build).toMatch(/docker buildx build --push --metadata-file metadata\.json/);
    expect(build).toMatch(/containerimage\.digest/);
    expect(
      wf.jobs.build.steps.find((s: Json) => String(s.uses).startsWith("google-github-actions/auth@")).with
        .service_account,
    ).toBe("image-builder@${{ matrix.project }}.iam.gserviceaccount.com");
    expect(runsOf(wf.jobs.pin)).toMatch(/npm run -s release -- pin "\$ENVIRONMENT" "\$service" "\$image"/);
    expect(wf.jobs["pull-request"].needs).toEqual(["plan", "pin"]);
  });

  // GitHub keeps only the newest of the runs waiting in a concurrency group: the push of a
  // cancelled run is never built if each run diffs from its own push's `before`.
  test("build: a push builds what changed since the last commit a push build succeeded for", () => {
    const plan = workflows["build.yml"].jobs.plan;
    const last = steps(plan).find((st) => st.id === "last-built");
    expect(last.if).toBe("github.event_name == 'push'");
    expect(last.run.replace(/\\\n\s*/g, "")).toContain(
      'gh run list --repo "$GITHUB_REPOSITORY" --workflow build.yml --branch main --event push --status success --limit 1 --json headSha',
    );
    const builds = steps(plan).find((st) => st.id === "builds");
    expect(builds.env.LAST_BUILT).toBe("${{ steps.last-built.outputs.sha }}");
    expect(builds.run).toContain('--builds --changed-since "$LAST_BUILT"');
    // Before anything is installed, so no installed code shares the step or the job with the token.
    expect(steps(plan).indexOf(last)).toBeLessThan(steps(plan).findIndex((st) => /npm ci/.test(st.run ?? "")));
    for (const f of files) expect(text[f]).not.toContain("github.event.before");
  });

  test("a build context or Dockerfile that leads outside its folder through a link stops the build matrix", () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), "cdktf-cloud-run-links-"));
    try {
      fs.mkdirSync(path.join(repo, "services", "predict"), { recursive: true });
      fs.writeFileSync(path.join(repo, "services", "predict", "Dockerfile"), "FROM scratch\n");
      fs.writeFileSync(path.join(repo, "gha-creds-0123.json"), "{}");
      fs.symlinkSync("..", path.join(repo, "services", "root"));
      fs.symlinkSync("../../gha-creds-0123.json", path.join(repo, "services", "predict", "Leak.Dockerfile"));
      expect(buildPathProblem(repo, "services/predict", "Dockerfile")).toBeUndefined();
      expect(buildPathProblem(repo, "services/root", "services/predict/Dockerfile")).toBe(
        "build context services/root is . on disk (through a link): it must be a folder below the repository's root",
      );
      expect(buildPathProblem(repo, "services/predict", "Leak.Dockerfile")).toMatch(
        /^Dockerfile Leak\.Dockerfile leads outside services\/predict \(through a link\)/,
      );
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  test("every image the build workflow builds has its build context and Dockerfile in the repository", () => {
    // A service added to environments/ with a build, but without its folder, fails here rather
    // than in the build workflow after the merge.
    const missing = buildMatrix()
      .map((b) => path.join(b.context, b.dockerfile))
      .filter((file) => !fs.existsSync(path.join(root, file)));
    expect(missing).toEqual([]);
  });

  test("release: copies by digest before the pull request; the release command apart from the promoter's token; main only", () => {
    const wf = workflows["release.yml"];
    expect(Object.keys(wf.on)).toEqual(["workflow_dispatch"]);
    expect(wf.on.workflow_dispatch.inputs.verb.options).toEqual(["promote", "canary", "complete", "rollback"]);
    const { plan, copy } = wf.jobs;
    const pullRequest = wf.jobs["pull-request"];
    // What to copy is the release command's answer, in the job that holds no token.
    expect(runsOf(plan)).toMatch(/npm run -s release -- images "\$FROM" "\$ENVIRONMENT" \$SERVICES > images\.txt/);
    expect(runsOf(plan)).toMatch(/npm run -s release -- models "\$FROM" "\$ENVIRONMENT" \$SERVICES > models\.txt/);
    const copied = runsOf(copy);
    expect(copied).toMatch(/go install github\.com\/google\/go-containerregistry\/cmd\/gcrane@v\d+\.\d+\.\d+/);
    expect(copied).toMatch(
      /test "\$\{source##\*@\}" = "\$\{target##\*@\}"\n\s*"\$\(go env GOPATH\)\/bin\/gcrane" cp "\$source" "\$target"/,
    );
    expect(copied).toMatch(/gcrane" digest "\$target"\)" = "\$\{target##\*@\}"/);
    expect(copied).toContain("done < images.txt");
    expect(copy.needs).toBe("plan");
    expect(pullRequest.needs).toEqual(["plan", "copy"]);
    expect(pullRequest.if).toContain("!failure() && !cancelled()");
    for (const job of [plan, copy, pullRequest]) expect(job.if).toContain("github.ref == 'refs/heads/main'");
    // Every verb the workflow offers is one the release command takes.
    const verbs = VERBS.map((v) => v.name);
    for (const verb of wf.on.workflow_dispatch.inputs.verb.options) expect(verbs).toContain(verb);
  });

  test("release: model versions are copied into the target's bucket, after the images, and checked", () => {
    const copy = runsOf(workflows["release.yml"].jobs.copy);
    expect(copy).toMatch(/gcloud storage rsync --recursive --no-clobber "\$source" "\$target"/);
    expect(copy).toContain("done < models.txt");
    expect(copy.indexOf("models.txt")).toBeGreaterThan(copy.indexOf("images.txt"));
  });

  test("train: by hand on main, in the environment's GitHub environment, as its job runner; npm apart from the token", () => {
    const wf = workflows["train.yml"];
    expect(Object.keys(wf.on)).toEqual(["workflow_dispatch"]);
    expect(Object.keys(wf.on.workflow_dispatch.inputs)).toEqual(["environment", "job", "args"]);
    const { target, train } = wf.jobs;
    expect(target.if).toBe("github.ref == 'refs/heads/main'");
    expect(train.needs).toBe("target");
    // The job that installs packages holds no identity token; the one that holds it installs nothing.
    expect(target.permissions).toEqual({ contents: "read" });
    expect(runsOf(target)).toMatch(/npm run -s environments -- --job "\$ENVIRONMENT" "\$JOB"/);
    expect(train.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(steps(train).filter((st) => /checkout|setup-node/.test(String(st.uses)))).toEqual([]);
    expect(runsOf(train)).not.toMatch(/^\s*npm (ci|install|run)/m);
    // In the GitHub environment of that name: production runs wait for its reviewers.
    expect(train.environment).toBe("${{ inputs.environment }}");
    const script = runsOf(train);
    expect(script).toMatch(/gcloud run jobs execute "\$NAME" --region "\$REGION" --project "\$PROJECT" \\\n\s+--wait/);
    expect(script).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(script).toContain("npm run release -- pin $ENVIRONMENT $service --model $MODEL/$execution");
    // Arguments (an override) only in the first stage.
    expect(runsOf(target)).toMatch(/if \[ -n "\$ARGS" \] && \[ "\$\(jq -r \.first <<< "\$target"\)" != "true" \]/);
    const auth = steps(train).find((st) => String(st.uses).startsWith("google-github-actions/auth@"))!;
    expect(auth.with.service_account).toBe("${{ needs.target.outputs.runner }}");
    // The runner identity is the one the bootstrap stack makes, and each environment's stack grants
    // it the executor (with overrides) and viewer roles on each of its jobs.
    for (const c of environmentFiles().map((f) => parseEnvironmentConfig(f.config))) {
      for (const key of Object.keys(c.jobs ?? {})) {
        const target = jobTarget(c.name, key);
        expect(target).toMatchObject({
          project: c.project,
          region: c.region,
          runner: `job-runner@${c.project}.iam.gserviceaccount.com`,
        });
      }
    }
  });

  test("canary: every 10 minutes on main, the canaries in flight judged one by one as the canary guard; a rollback moves the traffic at once", () => {
    const wf = workflows["canary.yml"];
    expect(wf.on).toEqual({ schedule: [{ cron: "*/10 * * * *" }], workflow_dispatch: null });
    const { list, analyze } = wf.jobs;
    const pullRequest = wf.jobs["pull-request"];
    for (const job of [list, analyze, pullRequest]) expect(job.if).toContain("github.ref == 'refs/heads/main'");
    // The list is the release command's, in a job with no token.
    expect(list.permissions).toEqual({ contents: "read" });
    expect(runsOf(list)).toContain("canaries=$(npm run -s release -- in-flight --json)");
    expect(list.outputs.canaries).toBe("${{ steps.list.outputs.canaries }}");
    // One leg per canary, none stopping another; no leg when there is none.
    for (const job of [analyze, pullRequest]) {
      expect(job.strategy).toEqual({
        "fail-fast": false,
        matrix: { include: "${{ fromJSON(needs.list.outputs.canaries) }}" },
      });
      expect(job.if).toContain("needs.list.outputs.canaries != '[]'");
      expect(job.env).toEqual({ ENVIRONMENT: "${{ matrix.environment }}", SERVICE: "${{ matrix.service }}" });
    }
    // As the environment's canary guard, through the provider variable in-flight names.
    const auth = steps(analyze).find((st) => String(st.uses ?? "").startsWith("google-github-actions/auth@"));
    expect(auth.with).toEqual({
      workload_identity_provider: "${{ vars[matrix.providerVariable] }}",
      service_account: `${IDENTITIES.canary}@\${{ matrix.project }}.iam.gserviceaccount.com`,
    });
    expect(steps(analyze).find((st) => String(st.uses ?? "").startsWith("actions/checkout@")).with).toEqual({
      "persist-credentials": false,
    });
    // Judged and applied, to the summary; on a rollback the traffic moves in the same job, at once.
    const judge = steps(analyze).find((st) => st.id === "analyze");
    expect(judge.run).toContain('npm run -s release -- analyze "$ENVIRONMENT" "$SERVICE" --apply | tee decision.txt');
    expect(judge.run).toMatch(/^set -o pipefail$/m);
    expect(judge.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    const revert = steps(analyze).find((st) => st.id === "revert");
    expect(revert.if).toBe("steps.analyze.outputs.decision == 'rollback'");
    expect(revert.run).toContain('npm run -s release -- revert-traffic "$ENVIRONMENT" "$SERVICE"');
    expect(steps(analyze).indexOf(revert)).toBe(steps(analyze).indexOf(judge) + 1);
    // The change and its body (the decision, then the release status) as the canary's own artifact.
    const body = runsOf(analyze);
    expect(body).toContain(
      "{ echo '```'; cat decision.txt; echo '```'; echo; npm run -s release -- status --markdown; } > body.md",
    );
    const upload = steps(analyze).find((st) => String(st.uses ?? "").startsWith("actions/upload-artifact@"));
    const download = steps(pullRequest).find((st) => String(st.uses ?? "").startsWith("actions/download-artifact@"));
    expect(upload.with.name).toBe("canary-${{ matrix.environment }}-${{ matrix.service }}");
    expect(download.with.name).toBe(upload.with.name);
    expect(upload.with.path.trim().split("\n")).toEqual(["decision", "traffic", "change.patch", "body.md"]);
    // A hold opens nothing; the others a pull request titled by the decision; a rollback's says the
    // traffic was already moved (or that moving it failed).
    const pr = runsOf(pullRequest);
    expect(pr).toMatch(/hold\) echo "\$ENVIRONMENT \$SERVICE: hold, nothing to open"; exit 0 ;;/);
    expect(pr.indexOf("exit 0")).toBeLessThan(pr.indexOf("git apply"));
    expect(pr).toContain('title="canary: $decision $ENVIRONMENT $SERVICE"');
    expect(pr).toContain("The traffic was already moved");
    expect(pr).toContain('if [ "$decision" = rollback ]; then');
    expect(pullRequest.needs).toEqual(["list", "analyze"]);
    expect(pullRequest.if).toContain("!cancelled()");
    // Every release verb the workflow runs is one the release command has.
    const verbs = VERBS.map((v) => v.name);
    for (const f of ["canary.yml", "drill.yml"]) {
      for (const m of text[f].matchAll(/npm run -s release -- ([a-z][\w-]*)/g))
        expect({ f, verb: verbs.includes(m[1]) ? m[1] : `(no such verb) ${m[1]}` }).toEqual({ f, verb: m[1] });
    }
  });

  test("drill: weekly and on demand on main, each drill a pull request, no Google Cloud identity", () => {
    const wf = workflows["drill.yml"];
    expect(wf.on.schedule).toHaveLength(1);
    expect(wf.on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* \d$/);
    expect(Object.keys(wf.on.workflow_dispatch.inputs)).toEqual(["environment", "service"]);
    for (const input of Object.values<Json>(wf.on.workflow_dispatch.inputs)) expect(input.required).toBe(false);
    const { list, drill } = wf.jobs;
    const pullRequest = wf.jobs["pull-request"];
    for (const job of [list, drill, pullRequest]) {
      expect(job.if).toContain("github.ref == 'refs/heads/main'");
      expect(job.permissions["id-token"]).toBeUndefined();
    }
    expect(text["drill.yml"]).not.toContain("google-github-actions/auth@");
    // The inputs, or the release command's list; then one leg per drill.
    expect(list.env).toEqual({ ENVIRONMENT: "${{ inputs.environment }}", SERVICE: "${{ inputs.service }}" });
    expect(runsOf(list)).toContain("drills=$(npm run -s release -- drills --json)");
    for (const job of [drill, pullRequest]) {
      expect(job.strategy).toEqual({
        "fail-fast": false,
        matrix: { include: "${{ fromJSON(needs.list.outputs.drills) }}" },
      });
      expect(job.if).toContain("needs.list.outputs.drills != '[]'");
    }
    expect(drill.permissions).toEqual({ contents: "read" });
    expect(runsOf(drill)).toContain('npm run -s release -- drill "$ENVIRONMENT" "$SERVICE" | tee change.txt');
    const upload = steps(drill).find((st) => String(st.uses ?? "").startsWith("actions/upload-artifact@"));
    const download = steps(pullRequest).find((st) => String(st.uses ?? "").startsWith("actions/download-artifact@"));
    expect(download.with.name).toBe(upload.with.name);
    expect(runsOf(pullRequest)).toContain('title="drill: $ENVIRONMENT $SERVICE"');
    expect(pullRequest.needs).toEqual(["list", "drill"]);
  });

  // Google checks the workflow file that defines a job (for a job of a reusable workflow, the
  // called file), the ref it was read at and the job's GitHub environment; GitHub gives a job a
  // token only with `id-token: write`. Every job that can mint a token, run from main, from a
  // pull request or from another branch, and in each environment its matrix could name, is put
  // through each environment's provider and members: each identity is minted by the job it
  // exists for, and by nothing else.
  test("a reusable workflow called from another branch mints nothing, whatever subject template the repository uses", () => {
    // The called file's job_workflow_ref names main; the run's ref is the caller's branch. A
    // repository may customise its subject claim so that it no longer names the environment.
    for (const f of environmentFiles()) {
      const c = parseEnvironmentConfig(f.config);
      const tf = bootstrapJson(c);
      const repo = c.github.repository;
      for (const file of files.filter((x) => workflows[x].on?.workflow_call !== undefined)) {
        for (const sub of [
          `repo:${repo}:environment:${c.name}`,
          `repository_owner_id:${c.github.ownerId}:job_workflow_ref:x`,
        ]) {
          const claims: Claims = {
            sub,
            ref: "refs/heads/feature",
            job_workflow_ref: `${repo}/.github/workflows/${file}@refs/heads/main`,
            repository_id: c.github.repositoryId,
            repository_owner_id: c.github.ownerId,
            environment: c.name,
          };
          expect({ env: c.name, file, sub, identities: identitiesFor(tf, claims) }).toEqual({
            env: c.name,
            file,
            sub,
            identities: [],
          });
        }
      }
    }
  });

  test("each identity can be minted by the workflow job it exists for, and by no other", () => {
    const configs = environmentFiles().map((f) => parseEnvironmentConfig(f.config));
    const stacks = configs.map((c) => [c, bootstrapJson(c)] as const);
    const names = configs.map((c) => c.name);
    const refs: Record<string, string> = {
      main: "refs/heads/main",
      "a pull request": "refs/pull/1/merge",
      "a branch": "refs/heads/feature",
    };
    const minted = new Set<string>();
    const asked: string[] = [];
    for (const f of files) {
      for (const [name, job] of jobs(f)) {
        if (typeof job.uses === "string" || job.permissions?.["id-token"] !== "write") continue;
        // A job whose environment is an expression may run in any environment.
        const environments: (string | undefined)[] =
          job.environment === undefined
            ? [undefined]
            : String(job.environment).includes("${{")
              ? names
              : [job.environment];
        for (const [c, tf] of stacks) {
          const repo = c.github.repository;
          for (const [refName, ref] of Object.entries(refs)) {
            for (const environment of environments) {
              const claims: Claims = {
                sub: `repo:${repo}:${environment !== undefined ? `environment:${environment}` : ref.startsWith("refs/pull/") ? "pull_request" : `ref:${ref}`}`,
                ref,
                job_workflow_ref: `${repo}/.github/workflows/${f}@${ref}`,
                repository_id: c.github.repositoryId,
                repository_owner_id: c.github.ownerId,
                ...(environment === undefined ? {} : { environment }),
              };
              for (const identity of identitiesFor(tf, claims)) {
                const where =
                  environment === undefined
                    ? ""
                    : environment === c.name
                      ? " in <its environment>"
                      : ` in ${environment}`;
                minted.add(`${identity} <- ${f} ${name}${where} on ${refName}`);
              }
            }
          }
        }
        // And what the job asks for is what it can mint, from main, in its environment.
        const auth = steps(job).find((st) => String(st.uses ?? "").startsWith("google-github-actions/auth@"));
        if (auth !== undefined) {
          const account =
            /^([a-z-]+)@/.exec(auth.with.service_account)?.[1] ??
            (auth.with.service_account === "${{ needs.target.outputs.runner }}"
              ? "job-runner"
              : auth.with.service_account);
          asked.push(`${account} <- ${f} ${name}`);
        }
      }
    }
    // The canary guard exists where some service's canaries are analyzed.
    const guarded = configs.some((c) => canaryGuarded(c).length > 0);
    expect([...minted].sort()).toEqual([
      ...(guarded ? ["canary-guard <- canary.yml analyze on main"] : []),
      "image-builder <- build.yml build on main",
      "image-promoter <- release.yml copy on main",
      "job-runner <- train.yml train in <its environment> on main",
      "terraform-deploy <- apply.yml apply in <its environment> on main",
      "terraform-plan <- ci.yml plan on a branch",
      "terraform-plan <- ci.yml plan on a pull request",
      "terraform-plan <- ci.yml plan on main",
      "terraform-plan <- deploy.yml plan on main",
      "terraform-plan <- drift.yml drift on main",
    ]);
    // (canary.yml asks for a canary guard only for a canary in flight, which needs one.)
    for (const a of asked.filter((x) => guarded || !x.startsWith("canary-guard ")))
      expect([...minted].some((m) => m.startsWith(a) && m.endsWith("on main"))).toBe(true);
    expect(asked.sort()).toEqual([
      "canary-guard <- canary.yml analyze",
      "image-builder <- build.yml build",
      "image-promoter <- release.yml copy",
      "job-runner <- train.yml train",
      "terraform-deploy <- apply.yml apply",
      "terraform-plan <- ci.yml plan",
      "terraform-plan <- deploy.yml plan",
      "terraform-plan <- drift.yml drift",
    ]);
    // A pull request or a branch may change any workflow file or add one: whatever its name and
    // environment, off main it mints the plan identity through ci.yml's name alone.
    for (const [c, tf] of stacks) {
      const repo = c.github.repository;
      for (const f of [...files, "evil.yml"]) {
        for (const environment of [undefined, ...names]) {
          for (const ref of ["refs/pull/1/merge", "refs/heads/feature"]) {
            const claims: Claims = {
              sub: `repo:${repo}:${environment === undefined ? `ref:${ref}` : `environment:${environment}`}`,
              ref,
              job_workflow_ref: `${repo}/.github/workflows/${f}@${ref}`,
              repository_id: c.github.repositoryId,
              repository_owner_id: c.github.ownerId,
              ...(environment === undefined ? {} : { environment }),
            };
            expect({ f, environment, ref, identities: identitiesFor(tf, claims) }).toEqual({
              f,
              environment,
              ref,
              identities: f === "ci.yml" && environment === undefined ? ["terraform-plan"] : [],
            });
          }
        }
      }
    }
  });

  // A tag is a name the action's owner (or whoever takes over their account) can move to other
  // code; a commit's SHA cannot be moved. The comment names the release the SHA is, for readers
  // and for update tools.
  test("every action is pinned by its full commit SHA, the version it is in a comment", () => {
    const pins = new Map<string, string>();
    let count = 0;
    for (const f of files) {
      for (const [, job] of jobs(f)) {
        for (const s of steps(job).filter((x) => x.uses)) {
          count++;
          expect({ file: f, uses: s.uses }).toEqual({
            file: f,
            uses: expect.stringMatching(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/),
          });
        }
      }
      // The YAML parser drops comments: the version is read from the text.
      for (const line of text[f].split("\n").filter((l) => /^\s*(- )?uses: /.test(l))) {
        if (/uses: \.\/\.github\/workflows\/[\w.-]+\.yml$/.test(line)) continue; // this repository's own
        const m = /uses: ([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line);
        expect({ file: f, line: line.trim(), pinned: m !== null }).toEqual({
          file: f,
          line: line.trim(),
          pinned: true,
        });
        // One version of an action is one commit everywhere.
        const [, action, sha, version] = m!;
        const key = `${action}@${version}`;
        expect({ key, sha }).toEqual({ key, sha: pins.get(key) ?? sha });
        pins.set(key, sha);
      }
    }
    expect(count).toBeGreaterThan(0);
  });

  test("no expression is interpolated into a run script, and checkout keeps no credentials", () => {
    for (const f of files) {
      for (const [, job] of jobs(f)) {
        for (const s of steps(job)) {
          if (s.run) expect(s.run).not.toContain("${{");
          if (String(s.uses ?? "").startsWith("actions/checkout@")) expect(s.with["persist-credentials"]).toBe(false);
        }
      }
    }
  });

  test("authentication is Workload Identity Federation, never a JSON key", () => {
    for (const f of files) {
      expect(text[f]).not.toMatch(/credentials_json|GOOGLE_CREDENTIALS/);
      // The one secret of all workflows: the library's first npm publish (publish.yml, below).
      const secrets = text[f].match(/secrets\.\w+/g) ?? [];
      expect(secrets).toEqual(f === "publish.yml" ? ["secrets.NPM_TOKEN"] : []);
      for (const [, job] of jobs(f)) {
        for (const s of steps(job).filter((x) => String(x.uses ?? "").startsWith("google-github-actions/auth@"))) {
          expect(Object.keys(s.with).sort()).toEqual(["service_account", "workload_identity_provider"]);
        }
      }
    }
  });

  test("the environment matrices come from environments/, not a hand-kept list", () => {
    for (const f of files) {
      for (const [, job] of jobs(f)) {
        if (job.strategy?.matrix) {
          expect([
            "${{ fromJSON(needs.build.outputs.environments) }}",
            "${{ fromJSON(inputs.environments) }}",
            "${{ fromJSON(needs.plan.outputs.builds) }}",
            "${{ fromJSON(needs.list.outputs.canaries) }}",
            "${{ fromJSON(needs.list.outputs.drills) }}",
          ]).toContain(job.strategy.matrix.include);
        }
      }
      if (["ci.yml", "deploy.yml", "drift.yml"].includes(f)) {
        expect(text[f]).toContain('echo "matrix=$(npm run -s environments)" >> "$GITHUB_OUTPUT"');
      }
    }
    // Every environment in environments/, once, in the matrix of its own stage.
    const configs = environmentFiles().map((f) => parseEnvironmentConfig(f.config));
    const entry = (c: (typeof configs)[number]) => ({
      environment: c.name,
      project: c.project,
      provider_variable: `GCP_WORKLOAD_IDENTITY_PROVIDER_${c.name.toUpperCase().replace(/-/g, "_")}`,
    });
    const matrix = environmentMatrix();
    expect(matrix.all).toEqual(configs.map(entry));
    for (const stage of STAGES) expect(matrix[stage]).toEqual(configs.filter((c) => c.stage === stage).map(entry));
  });

  test("every job that authenticates reads its environment's provider variable, the one the bootstrap stack names", () => {
    let auths = 0;
    for (const f of files) {
      for (const [, job] of jobs(f)) {
        for (const step of job.steps ?? []) {
          if (!String(step.uses).startsWith("google-github-actions/auth@")) continue;
          auths++;
          expect({ file: f, provider: step.with.workload_identity_provider }).toEqual({
            file: f,
            provider: expect.stringMatching(
              /^\$\{\{ vars\[((matrix|steps\.target\.outputs|needs\.(target|plan)\.outputs)\.provider_variable|matrix\.providerVariable)\] \}\}$/,
            ),
          });
        }
      }
    }
    expect(auths).toBeGreaterThanOrEqual(6);
    // The bootstrap stack's output description names the same variable.
    for (const c of environmentFiles().map((f) => parseEnvironmentConfig(f.config))) {
      expect(bootstrapOutputs(c).workload_identity_provider.description).toContain(
        environmentMatrix().all.find((e) => e.environment === c.name)!.provider_variable,
      );
    }
  });

  test("every call of a reusable workflow passes its required inputs and no unknown one", () => {
    for (const f of files) {
      for (const [, job] of jobs(f)) {
        if (typeof job.uses !== "string") continue;
        const called = workflows[path.basename(job.uses)];
        expect(job.uses).toBe(`./.github/workflows/${path.basename(job.uses)}`);
        const inputs: Record<string, Json> = called.on.workflow_call.inputs;
        const given = Object.keys(job.with ?? {});
        for (const name of given) expect(Object.keys(inputs)).toContain(name);
        for (const [name, spec] of Object.entries(inputs)) if (spec.required) expect(given).toContain(name);
      }
    }
  });

  test("CI: test, the API reference, synth, parity to the job summary, cdktf.out uploaded; plans on pull requests only", () => {
    const build = workflows["ci.yml"].jobs.build;
    const runs = steps(build).map((s) => s.run ?? s.uses);
    expect(runs).toEqual(
      expect.arrayContaining([
        "npm ci --ignore-scripts",
        "npm test",
        "npm run docs",
        "npm run synth",
        expect.stringMatching(/parity -- --markdown >> "\$GITHUB_STEP_SUMMARY"/),
      ]),
    );
    expect(steps(build).find((s) => String(s.uses).startsWith("actions/upload-artifact@")).with.path).toBe(
      "cdktf.out/",
    );
    // The lint caches are restored between `npm ci` (which empties node_modules) and `npm test`,
    // from the folders scripts/test.mjs writes them to.
    const at = (run: string) => runs.indexOf(run);
    const cacheStep = steps(build).find((s) => String(s.uses).startsWith("actions/cache@"));
    expect(at(cacheStep.uses)).toBeGreaterThan(at("npm ci --ignore-scripts"));
    expect(at(cacheStep.uses)).toBeLessThan(at("npm test"));
    // The API reference is built where CI's entry point builds it, with warnings as errors.
    expect(fs.readFileSync(path.join(root, ".ci", "run"), "utf8")).toMatch(/^npm run docs$/m);
    expect(JSON.parse(fs.readFileSync(path.join(root, "typedoc.json"), "utf8")).treatWarningsAsErrors).toBe(true);
    const testScript = fs.readFileSync(path.join(root, "scripts", "test.mjs"), "utf8");
    for (const folder of cacheStep.with.path.trim().split("\n")) {
      expect(testScript).toContain(`cache("${folder.replace("node_modules/.cache/", "")}`);
    }
    const plan = workflows["ci.yml"].jobs.plan;
    expect(plan.if).toBe(
      "github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository",
    );
    expect(text["ci.yml"]).toMatch(/terraform validate/);
    expect(text["ci.yml"]).toMatch(/terraform plan -input=false -lock=false/);
  });

  test("deploy: stage after stage, the artifact planned is the one applied, one deploy at a time, main only", () => {
    const wf = workflows["deploy.yml"];
    // By hand, a run takes only the guard's allowances (below).
    expect(wf.on).toEqual({ push: { branches: ["main"] }, workflow_dispatch: { inputs: expect.any(Object) } });
    expect(Object.keys(wf.on.workflow_dispatch.inputs)).toEqual(["allow-destroy", "reason"]);
    expect(wf.concurrency).toEqual({ group: "deploy-${{ github.ref }}", "cancel-in-progress": false });
    expect(wf.jobs.build.if).toBe("github.ref == 'refs/heads/main'");
    expect(text["deploy.yml"]).toContain('npm run -s environments -- --stage "$stage"');
    const stages = ["development", "preproduction", "production"];
    // Each stage after every environment's guard (which follows every plan), and after the stage before.
    const previous = [[], ["apply-development"], ["apply-preproduction"]];
    stages.forEach((stage, i) => {
      const job = wf.jobs[`apply-${stage}`];
      expect(job.uses).toBe("./.github/workflows/apply.yml");
      expect(job.needs).toEqual(["build", "guard", ...previous[i]]);
      expect(job.with).toEqual({ environments: `\${{ needs.build.outputs.${stage} }}` });
      expect(job.if).toContain(`needs.build.outputs.${stage} != '[]'`);
      if (i > 0) expect(job.if).toContain("!failure() && !cancelled()");
    });
    const upload = steps(wf.jobs.plan).find((st) => String(st.uses).startsWith("actions/upload-artifact@"));
    expect(upload.with.path).toContain(".terraform.lock.hcl");
    expect(upload.with["include-hidden-files"]).toBe(true);

    const apply = workflows["apply.yml"].jobs.apply;
    expect(apply.environment).toBe("${{ matrix.environment }}");
    expect(apply.concurrency.group).toBe("terraform-${{ matrix.environment }}");
    const applyRuns = steps(apply)
      .map((st) => st.run ?? "")
      .join("\n");
    expect(applyRuns).not.toMatch(/npm|cdktf|terraform plan/);
    expect(applyRuns).toMatch(/terraform apply -input=false -no-color tfplan/);
    expect(
      steps(apply)
        .filter((st) => String(st.uses).startsWith("actions/download-artifact@"))
        .map((st) => st.with.name),
    ).toEqual(["cdktf-out", "tfplan-${{ matrix.environment }}", "guard-${{ matrix.environment }}"]);
    expect(text["apply.yml"]).toContain("service_account: terraform-deploy@");
  });

  // The guard (`cdktf-cloud-run guard`, lib/check/guard.ts) stands between every plan and its
  // apply: the plan job writes the plan's JSON, a job without any identity runs the guard on it
  // for every environment before any stage applies, and apply.yml, the one file the deploy
  // identity trusts, applies a plan only with the verdict the guard leaves when it passes.
  test("deploy: every plan is guarded between plan and apply; a blocked plan is applied nowhere", () => {
    const wf = workflows["deploy.yml"];
    const plan = runsOf(wf.jobs.plan);
    expect(plan).toMatch(
      /terraform plan -input=false -no-color -lock=false -out=tfplan\n\s*terraform show -json tfplan > plan\.json\n/,
    );
    const planUpload = steps(wf.jobs.plan).find((st) => String(st.uses).startsWith("actions/upload-artifact@"));
    expect(planUpload.with.path).toContain("cdktf.out/stacks/${{ matrix.environment }}/plan.json");

    const guard = wf.jobs.guard;
    expect(guard.needs).toEqual(["build", "plan"]);
    expect(guard.strategy).toEqual({
      "fail-fast": false,
      matrix: { include: "${{ fromJSON(needs.build.outputs.environments) }}" },
    });
    // The repository's code, with no identity and no GitHub environment (nothing to approve before it speaks).
    expect(guard.permissions).toEqual({ contents: "read" });
    expect(guard.environment).toBeUndefined();
    const at = (test: (st: Json) => boolean) => steps(guard).findIndex(test);
    const download = at((st) => String(st.uses).startsWith("actions/download-artifact@"));
    const hash = at((st) => /sha256sum tfplan plan\.json/.test(st.run ?? ""));
    const install = at((st) => st.run === "npm ci --ignore-scripts");
    const run = at((st) => /check-terraform -- guard/.test(st.run ?? ""));
    const upload = at((st) => String(st.uses).startsWith("actions/upload-artifact@"));
    expect(steps(guard)[download].with).toEqual({ name: "tfplan-${{ matrix.environment }}", path: "plan" });
    // The verdict names the files it is about before any installed code runs, then the guard, then the verdict.
    expect([download, hash, install, run, upload]).toEqual(
      [download, hash, install, run, upload].sort((a, b) => a - b),
    );
    expect(download).toBeGreaterThanOrEqual(0);
    const script = steps(guard)[run].run;
    expect(script).toContain(
      'npm run -s check-terraform -- guard plan/plan.json --markdown "${allow[@]}" > guard.md 2> guard.err || status=$?',
    );
    expect(script).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(script).toMatch(/exit "\$status"\n?$/);
    // Only a passing guard leaves a verdict: the upload runs only when every step before it succeeded.
    expect(steps(guard)[upload].if).toBeUndefined();
    expect(steps(guard)[upload].with).toMatchObject({ name: "guard-${{ matrix.environment }}", path: "verdict/" });

    // Every stage's apply waits for every environment's guard.
    for (const stage of ["development", "preproduction", "production"]) {
      expect(wf.jobs[`apply-${stage}`].needs).toContain("guard");
    }

    // apply.yml checks the verdict is for the very plan it applies, before it holds the deploy identity.
    const apply = workflows["apply.yml"].jobs.apply;
    const applyAt = (test: (st: Json) => boolean) => steps(apply).findIndex(test);
    const verdict = applyAt((st) => st.with?.name === "guard-${{ matrix.environment }}");
    const check = applyAt((st) =>
      /sha256sum --check --strict "\$GITHUB_WORKSPACE\/guard\/plan\.sha256"/.test(st.run ?? ""),
    );
    const auth = applyAt((st) => String(st.uses).startsWith("google-github-actions/auth@"));
    const terraformApply = applyAt((st) => /terraform apply/.test(st.run ?? ""));
    expect(verdict).toBeGreaterThanOrEqual(0);
    expect([verdict, check, auth, terraformApply]).toEqual(
      [verdict, check, auth, terraformApply].sort((a, b) => a - b),
    );
    expect(steps(apply)[check]["working-directory"]).toBe("cdktf.out/stacks/${{ matrix.environment }}");
  });

  // A deliberate deletion or replacement: a manual run's inputs, per environment and address, with
  // a reason. A push carries none; the guard honours only the named environment's addresses; the
  // build job refuses an unknown environment or a missing reason before anything is planned.
  test("deploy: a protected resource is deleted or replaced only with a manual run's allow-destroy and reason", () => {
    const wf = workflows["deploy.yml"];
    expect(wf.on.workflow_dispatch.inputs).toEqual({
      "allow-destroy": expect.objectContaining({ type: "string", required: false, default: "" }),
      reason: expect.objectContaining({ type: "string", required: false, default: "" }),
    });
    // Read in two steps only, through the environment, never in a script.
    const readers: string[] = [];
    for (const [name, job] of jobs("deploy.yml")) {
      for (const st of steps(job)) {
        if (JSON.stringify(st).includes("inputs.allow-destroy")) {
          readers.push(`${name}: ${st.name}`);
          expect(st.env).toMatchObject({
            ALLOW_DESTROY: "${{ inputs.allow-destroy }}",
            REASON: "${{ inputs.reason }}",
          });
        }
      }
    }
    expect(readers).toEqual([
      "build: Check allow-destroy and reason",
      "guard: Guard (protected resources deleted or replaced)",
    ]);
    const check = steps(wf.jobs.build).find((st) => st.name === "Check allow-destroy and reason");
    expect(check.if).toBe("github.event_name == 'workflow_dispatch'");
    expect(steps(wf.jobs.build).indexOf(check)).toBeLessThan(
      steps(wf.jobs.build).findIndex((st) => st.run === "npm test"),
    );
    expect(check.run).toContain("npm run -s environments | jq -r '.[].environment'");
    // Split without glob expansion (an address may hold [0]); this environment's addresses only.
    const script = steps(wf.jobs.guard).find((st) => /check-terraform -- guard/.test(st.run ?? "")).run;
    expect(script).toContain('read -ra given <<< "$ALLOW_DESTROY"');
    expect(script).toContain('if [ "${item%%:*}" = "$ENVIRONMENT" ]; then allow+=(--allow-destroy "${item#*:}"); fi');
    expect(script).toContain('allow+=(--reason "$REASON")');
    // No job of this workflow runs in a GitHub environment: the apply jobs of apply.yml do.
    for (const [, job] of jobs("deploy.yml")) expect(job.environment).toBeUndefined();
  });

  test("drift: scheduled and on demand, read-only identity, no lock, exit code 2 fails the job", () => {
    const wf = workflows["drift.yml"];
    expect(wf.on.schedule).toHaveLength(1);
    expect(wf.on).toHaveProperty("workflow_dispatch");
    const run = steps(wf.jobs.drift)
      .map((s) => s.run ?? "")
      .join("\n");
    expect(run).toMatch(/terraform plan -input=false -lock=false -no-color -detailed-exitcode/);
    expect(run).toMatch(/exit "\$status"/);
    expect(text["drift.yml"]).toContain("service_account: terraform-plan@");
  });
});

describe("pre-commit hook", () => {
  test("lint-staged formats and lints staged files", () => {
    expect(fs.readFileSync(path.join(root, ".husky", "pre-commit"), "utf8").trim()).toBe(
      "npx --no-install lint-staged",
    );
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    expect(pkg.scripts.prepare).toBe("node .husky/install.mjs");
    expect(pkg["lint-staged"]["*.{ts,js,mjs}"]).toEqual(["eslint --fix", "prettier --write"]);
  });
});

describe("the library's version and publish workflows", () => {
  test("publish: on a version tag, tested, packed and checked without a token, then published from the protected environment npm", () => {
    const wf = workflows["publish.yml"];
    expect(wf.on).toEqual({ push: { tags: ["v*.*.*"] } });
    const { package: pack, publish } = wf.jobs;
    expect(pack.permissions).toEqual({ contents: "read" });
    const runs = runsOf(pack).split("\n");
    const order = [
      "npm ci --ignore-scripts",
      "npm test",
      "npm run package",
      "npm run -s check-package",
      "mkdir tarball && npm pack ./dist --pack-destination tarball",
    ];
    expect(order.map((r) => runs.indexOf(r))).toEqual([...order.map((r) => runs.indexOf(r))].sort((a, b) => a - b));
    expect(order.every((r) => runs.includes(r))).toBe(true);
    // The tag must be the version it publishes.
    expect(runsOf(pack)).toContain('test "$TAG" = "v$(node -p \'require("./package.json").version\')"');
    // The tarball that was checked is the one published, from the protected environment, by a job
    // that installs nothing of the repository's: trusted publishing (npm 11.5.1 or later); the
    // first version's token reaches the publish step alone.
    expect(publish.needs).toBe("package");
    expect(publish.environment).toBe("npm");
    expect(publish.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(steps(publish).find((st) => String(st.uses).startsWith("actions/download-artifact@")).with.name).toBe(
      steps(pack).find((st) => String(st.uses).startsWith("actions/upload-artifact@")).with.name,
    );
    expect(runsOf(publish)).toMatch(/npm install --global --ignore-scripts npm@11\.(\d+)\.\d+/);
    expect(runsOf(publish)).toContain(
      'npm publish --provenance --access public --ignore-scripts "tarball/cdktf-cloud-run-${TAG#v}.tgz"',
    );
    const withToken = [...steps(pack), ...steps(publish)].filter((st) => JSON.stringify(st).includes("secrets."));
    expect(withToken.map((st) => st.name)).toEqual(["npm publish"]);
    expect(publish.env ?? {}).not.toHaveProperty("NPM_TOKEN");
  });

  test("version: the pending changesets, on main, as one pull request", () => {
    const wf = workflows["version.yml"];
    expect(wf.on).toEqual({ push: { branches: ["main"], paths: [".changeset/**"] } });
    expect(runsOf(jobs("version.yml")[0][1])).toContain("npx changeset version");
  });
});
