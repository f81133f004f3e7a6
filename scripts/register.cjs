// Preload for running TypeScript sources directly (the cdktf app command, npm scripts):
// tsx compiles each file with esbuild, without type-checking (that is `tsc --noEmit` in
// `npm test`), and caches the result. Source-map support is turned off again: with it on, Node
// parses the large inline source maps of every cdktf module it loads, which costs about 0.1 s and
// 30 MB per synth. Stack traces then point into the compiled JavaScript.
require("tsx/cjs");
process.setSourceMapsEnabled(false);
require("./creation-stacks.cjs");
