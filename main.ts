/**
 * The per-environment app (the `app` command in cdktf.json, and `npm run synth`): one stack per
 * file in environments/, each validated and checked against the policy pack before anything is
 * written. The work is in lib/app/synth.ts.
 */
import * as path from "path";
import { describeFailure, synthesize } from "./lib/app/synth";

if (require.main === module) {
  const dir = process.env.ENVIRONMENTS_DIR ? path.resolve(process.env.ENVIRONMENTS_DIR) : undefined;
  const result = synthesize({ dir });
  for (const w of result.warnings ?? []) console.error(w);
  // Informational: stdout, so that cdktf shows them as output, not as [ERROR] lines.
  for (const a of result.acknowledged ?? []) console.log(a);
  for (const n of result.notices ?? []) console.log(n);
  if (result.errors.length > 0) {
    console.error(describeFailure(result));
    process.exitCode = 1;
  } else {
    const out = path.relative(process.cwd(), path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out")) || ".";
    console.log(
      `Synthesized ${result.stacks.join(", ")} to ${out}/stacks; \`cdktf plan <stack> --skip-synth\` uses them.`,
    );
  }
}
