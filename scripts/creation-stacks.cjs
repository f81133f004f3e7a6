// cdktf records a "creation stack" for every token and computed list it makes: a stack trace of
// unlimited depth captured on a plain object (cdktf/lib/tokens/private/stack-trace.js), kept to
// be printed only if resolving that token later fails. A provider resource makes dozens of them
// in its constructor, so capturing them is a tenth of a synthesis here (246 ms of 2.3 s for 200
// services, measured with --cpu-prof). This skips the capture for plain objects: the creation
// stack is empty, and a resolution error still has its own stack trace. Real Errors keep theirs.
//
// Loaded by the app's preload (register.cjs) and the tests' setup; the published library never
// does this to its consumers. CDKTF_CREATION_STACKS=1 keeps them, for debugging a resolution error.
if (process.env.CDKTF_CREATION_STACKS !== "1") {
  const capture = Error.captureStackTrace.bind(Error);
  Error.captureStackTrace = (target, constructorOpt) => {
    if (target instanceof Error) capture(target, constructorOpt);
  };
}
