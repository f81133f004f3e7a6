// The example model-serving API: GET /healthz, and POST /predict { "text": "…" } →
// { "label", "score", "model" }. The "model" is a small word list, enough to build, deploy and
// call something real; a team replaces this folder with its own server. Plain Node.js, no
// dependencies, so the image is the Node.js base image and this file.
"use strict";
const http = require("node:http");

const MODEL_NAME = process.env.MODEL_NAME ?? "lexicon-v1";
const POSITIVE = new Set(["good", "great", "excellent", "love", "happy", "fast", "reliable", "best"]);
const NEGATIVE = new Set(["bad", "terrible", "awful", "hate", "sad", "slow", "broken", "worst"]);
const MAX_BODY = 64 * 1024;

/** Scores a text: the share of positive words among the words that carry sentiment. */
function predict(text) {
  const words = text.toLowerCase().match(/[a-z']+/g) ?? [];
  let positive = 0;
  let negative = 0;
  for (const word of words) {
    if (POSITIVE.has(word)) positive++;
    if (NEGATIVE.has(word)) negative++;
  }
  const score = positive + negative === 0 ? 0.5 : positive / (positive + negative);
  return { label: score >= 0.5 ? "positive" : "negative", score: Math.round(score * 1000) / 1000, model: MODEL_NAME };
}

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function createServer() {
  return http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/healthz") return send(res, 200, { status: "ok", model: MODEL_NAME });
    if (req.url !== "/predict") return send(res, 404, { error: "not found" });
    if (req.method !== "POST") return send(res, 405, { error: "use POST" });
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
      return send(res, 200, predict(text));
    });
  });
}

module.exports = { createServer, predict };

if (require.main === module) {
  const port = Number(process.env.PORT ?? 8080);
  createServer().listen(port, () => console.log(`listening on ${port}, model ${MODEL_NAME}`));
  process.on("SIGTERM", () => process.exit(0));
}
