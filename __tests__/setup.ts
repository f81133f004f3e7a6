/**
 * cdktf records a creation stack for every token it makes, by capturing a stack trace of unlimited
 * depth on a plain object and formatting it. Under jest those stacks are deep, and formatting them
 * went through jest's source-map support: about 60% of a synthesis in a test (40 ms against 16 ms
 * per environment stack, and a quarter of the property test's 1,000 configurations). The creation
 * stack is only ever printed in a token resolution error; in tests, the error's own stack already
 * points at the construct that failed. So plain objects get no frames here, and real Errors, the
 * ones a failing test shows, keep jest's formatting.
 *
 * Better still, no frames are collected for them at all: cdktf asks V8 for a trace of unlimited
 * depth (Error.captureStackTrace on a plain object) and keeps nothing of it here, so that call
 * returns at once for anything that is not an Error. The creation stack is the same (empty);
 * collecting it was about 7% of the CPU time of the release, bootstrap and parity tests.
 *
 * To see creation stacks while debugging a resolution error: `CDKTF_CREATION_STACKS=1 npm test`.
 */
const jestPrepare = Error.prepareStackTrace;
const keepCreationStacks = process.env.CDKTF_CREATION_STACKS === "1";
const v8Format = (error: unknown, frames: NodeJS.CallSite[]) =>
  `${error instanceof Error ? `${error.name}: ${error.message}` : "Error"}\n${frames.map((f) => `    at ${String(f)}`).join("\n")}`;
Error.prepareStackTrace = (error, frames) => {
  if (error instanceof Error) return jestPrepare ? jestPrepare(error, frames) : v8Format(error, frames);
  return keepCreationStacks ? v8Format(error, frames) : "";
};
// The capture itself is skipped for plain objects as in the app (one module for both).
import "../scripts/creation-stacks.cjs";
