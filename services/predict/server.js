// The example model-serving API: GET /healthz, and POST /predict { "text": "…" } →
// { "label", "score", "model" }. Without MODEL_PATH the "model" is a small built-in word list,
// enough to build, deploy and call something real. With MODEL_PATH, a version folder written by
// the training job in services/train (such as /models/sentiment/train-sentiment-x7k2p, from the
// bucket mounted read-only), the server loads that version's parts and scores with their weights.
// A team replaces this folder with its own server. Plain Node.js, no dependencies, so the image is
// the Node.js base image and this file.
"use strict";
const fsp = require("node:fs/promises");
const http = require("node:http");
const path = require("node:path");

const MODEL_NAME = process.env.MODEL_NAME ?? "lexicon-v1";
const POSITIVE = new Set(["good", "great", "excellent", "love", "happy", "fast", "reliable", "best"]);
const NEGATIVE = new Set(["bad", "terrible", "awful", "hate", "sad", "slow", "broken", "worst"]);
const MAX_BODY = 64 * 1024;
/** The files the trainer writes, one per task; its temporary files start with a dot and never match. */
const PART_FILE = /^part-(\d+)-of-(\d+)\.json$/;

/** Lower-case words, split as the trainer splits them, so its weights apply to the same words. */
function words(text) {
  return text.toLowerCase().match(/[a-z']+/g) ?? [];
}

const round = (score) => Math.round(score * 1000) / 1000;

/**
 * Scores a text. With a loaded `model`, the score is the logistic of the sum of the text's word
 * weights (0.5 for a text with no known word). Without one, it is the share of positive words
 * among the built-in list's words that the text holds.
 */
function predict(text, model) {
  if (model !== undefined) {
    let sum = 0;
    for (const word of words(text)) sum += model.weights.get(word) ?? 0;
    const score = 1 / (1 + Math.exp(-sum));
    return { label: score >= 0.5 ? "positive" : "negative", score: round(score), model: model.name };
  }
  let positive = 0;
  let negative = 0;
  for (const word of words(text)) {
    if (POSITIVE.has(word)) positive++;
    if (NEGATIVE.has(word)) negative++;
  }
  const score = positive + negative === 0 ? 0.5 : positive / (positive + negative);
  return { label: score >= 0.5 ? "positive" : "negative", score: round(score), model: MODEL_NAME };
}

/** The version a model folder holds: its last two segments, `<model name>/<execution>`. */
function versionOf(dir) {
  return path.resolve(dir).split(path.sep).filter(Boolean).slice(-2).join("/");
}

/**
 * Loads the model version in `dir`: every `part-<i>-of-<n>.json` the training job's tasks wrote.
 * All n parts must be there, or the version is incomplete (a task failed, or the job still runs)
 * and this throws rather than serve a model trained on part of the data. Each part was trained on
 * a similar share of the data, so a word's weight is its mean over the parts, a part that dropped
 * the word counting as 0: the scale stays that of one part whatever the task count.
 */
async function loadModel(dir) {
  let names;
  try {
    names = await fsp.readdir(dir);
  } catch (error) {
    if (error.code === "ENOENT")
      throw new Error(`model folder ${dir} does not exist: check MODEL_PATH and the bucket mount`);
    throw error;
  }
  const found = new Map();
  const counts = new Set();
  for (const name of names) {
    const match = PART_FILE.exec(name);
    if (!match) continue;
    found.set(Number(match[1]), name);
    counts.add(Number(match[2]));
  }
  if (counts.size === 0) throw new Error(`no part-<i>-of-<n>.json files in ${dir}`);
  if (counts.size > 1) throw new Error(`the parts in ${dir} disagree on their count (${[...counts].join(", ")})`);
  const [count] = counts;
  const missing = [];
  for (let i = 0; i < count; i++) if (!found.has(i)) missing.push(i);
  if (missing.length > 0)
    throw new Error(`${dir} is incomplete: missing part ${missing.join(", ")} of ${count} (did every task finish?)`);
  const parts = await Promise.all(
    [...Array(count).keys()].map(async (i) => {
      const file = path.join(dir, found.get(i));
      let part;
      try {
        part = JSON.parse(await fsp.readFile(file, "utf8"));
      } catch (error) {
        throw new Error(`${file} cannot be read as JSON: ${error.message}`);
      }
      const weights = Object.entries(part?.weights ?? {});
      if (part?.task !== i || part?.taskCount !== count || weights.some(([, w]) => !Number.isFinite(w)))
        throw new Error(`${file} is not part ${i} of ${count} as the trainer writes it`);
      return { weights, examples: part.examples };
    }),
  );
  const weights = new Map();
  for (const part of parts)
    for (const [word, weight] of part.weights) weights.set(word, (weights.get(word) ?? 0) + weight / count);
  const examples = parts.reduce((sum, part) => sum + (Number.isInteger(part.examples) ? part.examples : 0), 0);
  return { name: versionOf(dir), weights, parts: count, examples };
}

/**
 * A drill's fault switch: CANARY_DRILL_ERROR_RATE, a share of /predict requests (more than 0, at
 * most 1) answered with 503, set only on a drill's canary (`npm run release -- drill`). Anything
 * else switches nothing on. /healthz stays healthy, so the revision is ready and takes traffic.
 */
function faultRateOf(value) {
  const rate = Number(value);
  return value !== undefined && value !== "" && rate > 0 && rate <= 1 ? rate : 0;
}

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/**
 * The HTTP server. With `modelPath`, it listens at once and loads the model in the background:
 * /healthz, the startup probe's path, answers 503 until the model is loaded (and keeps answering
 * 503 with the error if loading failed), so Cloud Run routes no traffic to an instance without its
 * model. `ready` settles when loading does: it resolves to the model (undefined for the built-in
 * list) or rejects with the loading error. `load` replaces loadModel, and `random`
 * Math.random, for tests; `faultRate` is the drill's switch (faultRateOf).
 */
function createServer({
  modelPath,
  load = loadModel,
  faultRate = faultRateOf(process.env.CANARY_DRILL_ERROR_RATE),
  random = Math.random,
} = {}) {
  const state = { status: modelPath ? "loading" : "ok", model: undefined, error: undefined };
  const ready = modelPath
    ? load(modelPath).then(
        (model) => {
          Object.assign(state, { status: "ok", model });
          return model;
        },
        (error) => {
          Object.assign(state, { status: "error", error: error instanceof Error ? error.message : String(error) });
          throw error;
        },
      )
    : Promise.resolve();
  // The state is what requests see; `ready` is for callers who wait, and its rejection is no crash.
  ready.catch(() => {});
  const unavailable = () =>
    state.status === "loading" ? { status: "loading" } : { status: "error", error: state.error };

  const server = http.createServer((req, res) => {
    // /health too: Cloud Run's public URL does not pass some paths ending in "z" to the container
    // ("Known issues: reserved URL paths"), so the uptime check, which calls from outside, uses it.
    if (req.method === "GET" && (req.url === "/healthz" || req.url === "/health"))
      return state.status === "ok"
        ? send(res, 200, { status: "ok", model: state.model?.name ?? MODEL_NAME })
        : send(res, 503, unavailable());
    if (req.url !== "/predict") return send(res, 404, { error: "not found" });
    if (req.method !== "POST") return send(res, 405, { error: "use POST" });
    if (state.status !== "ok") return send(res, 503, unavailable());
    if (faultRate > 0 && random() < faultRate)
      return send(res, 503, { error: "drill: a fault is switched on (CANARY_DRILL_ERROR_RATE)" });
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      body += chunk;
      if (body.length > MAX_BODY) req.destroy();
    });
    req.on("end", () => {
      let text;
      try {
        text = JSON.parse(body).text;
      } catch {
        return send(res, 400, { error: 'the body must be JSON: { "text": "…" }' });
      }
      if (typeof text !== "string" || text.length === 0)
        return send(res, 400, { error: "text must be a non-empty string" });
      return send(res, 200, predict(text, state.model));
    });
  });
  server.ready = ready;
  return server;
}

module.exports = { createServer, predict, loadModel, faultRateOf };

if (require.main === module) {
  const port = Number(process.env.PORT ?? 8080);
  const modelPath = process.env.MODEL_PATH || undefined;
  const server = createServer({ modelPath });
  server.listen(port, () =>
    console.log(`listening on ${port}, ${modelPath ? `loading the model in ${modelPath}` : `model ${MODEL_NAME}`}`),
  );
  server.ready.then(
    (model) => model && console.log(`model ${model.name} loaded: ${model.parts} parts, ${model.weights.size} words`),
    (error) => console.error(`the model in ${modelPath} cannot be served: ${error.message}`),
  );
  process.on("SIGTERM", () => process.exit(0));
}
