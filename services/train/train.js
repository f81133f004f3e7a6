// The example training job: each Cloud Run task trains a word-weight sentiment model on its shard of
// data.json and writes it as one part of a model version, `<model-dir>/<model-name>/<execution>/
// part-<task>-of-<count>.json`, in the bucket mounted at /models. The predict server loads a
// version once all its parts are there. The model is small on purpose: enough to show sharding,
// versioned outputs and a hand-over to serving; a team replaces this folder with its own trainer.
// Plain Node.js, no dependencies.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const fsp = require("node:fs/promises");
const path = require("node:path");

const USAGE = "usage: node train.js [--epochs N] [--model-dir DIR] [--model-name NAME]";
/** Names end up as path segments (and object names in the bucket): no "/", no leading dot. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** Words whose weight is closer to zero than this say little about the label and are dropped. */
const MIN_WEIGHT = 0.5;
/** Add-one smoothing: a word seen under one label only still gets a finite weight. */
const SMOOTHING = 1;

/** A bad command line: main() prints the message and the usage, and exits with 2. */
class UsageError extends Error {}

/**
 * Reads `--epochs N`, `--model-dir DIR` and `--model-name NAME` (also as `--flag=value`). The
 * directory and name default to MODEL_DIR and MODEL_NAME, so the job's args can stay short.
 */
function parseArgs(argv, env) {
  const options = { epochs: 1, modelDir: env.MODEL_DIR || "/models", modelName: env.MODEL_NAME || "sentiment" };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith("--") && argv[i].includes("=") ? argv[i].split(/=(.*)/s) : [argv[i]];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === "--epochs") {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 100)
        throw new UsageError(`--epochs must be an integer from 1 to 100, not "${v}"`);
      options.epochs = Number(v);
    } else if (flag === "--model-dir") options.modelDir = value();
    else if (flag === "--model-name") options.modelName = value();
    else throw new UsageError(`unknown argument "${argv[i]}"`);
  }
  if (!NAME.test(options.modelName))
    throw new UsageError(`--model-name must be letters, digits, ".", "_" or "-", not "${options.modelName}"`);
  return options;
}

/** The examples task `taskIndex` of `taskCount` trains on: every example goes to exactly one task. */
function shard(examples, taskIndex, taskCount) {
  return examples.filter((_, i) => i % taskCount === taskIndex);
}

/** Lower-case words; the predict server splits text the same way, so the weights apply there. */
function words(text) {
  return text.toLowerCase().match(/[a-z']+/g) ?? [];
}

/**
 * Trains on labelled examples: counts each word's occurrences under each label and weighs the word
 * by its smoothed log-odds, ln P(word | positive) − ln P(word | negative). Positive weights lean
 * positive. Words near zero are dropped, so the part holds only the words that carry sentiment.
 * Counting needs one pass, so there are no epochs to run here: a real trainer would use them.
 */
function train(examples) {
  const counts = { positive: new Map(), negative: new Map() };
  const totals = { positive: 0, negative: 0 };
  for (const [i, example] of examples.entries()) {
    if (typeof example?.text !== "string" || !(example.label === "positive" || example.label === "negative"))
      throw new Error(`example ${i} must be { "text": "…", "label": "positive" | "negative" }`);
    for (const word of words(example.text)) {
      counts[example.label].set(word, (counts[example.label].get(word) ?? 0) + 1);
      totals[example.label]++;
    }
  }
  const vocabulary = new Set([...counts.positive.keys(), ...counts.negative.keys()]);
  const share = (label, word) =>
    ((counts[label].get(word) ?? 0) + SMOOTHING) / (totals[label] + SMOOTHING * vocabulary.size);
  const weights = [];
  for (const word of vocabulary) {
    const weight = Math.log(share("positive", word)) - Math.log(share("negative", word));
    if (Math.abs(weight) >= MIN_WEIGHT) weights.push([word, Math.round(weight * 10000) / 10000]);
  }
  weights.sort(([a], [b]) => (a < b ? -1 : 1));
  return { weights: Object.fromEntries(weights), examples: examples.length };
}

/** The file a task writes: the predict server needs all `count` of them before it serves. */
function partName(taskIndex, taskCount) {
  return `part-${taskIndex}-of-${taskCount}.json`;
}

/** The model version: the folder of the parts inside the bucket, and what the server reports. */
function modelVersion(modelName, execution) {
  return `${modelName}/${execution}`;
}

/** The execution name of a local run, in UTC, such as `local-20261127t030000`. */
function localExecution(now) {
  return `local-${now.toISOString().slice(0, 19).replace(/[-:]/g, "").toLowerCase()}`;
}

/** Reads a task setting Cloud Run sets; a local run is task 0 of 1. */
function taskNumber(env, name, fallback) {
  const value = env[name] ?? fallback;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, not "${value}"`);
  return Number(value);
}

/** Fails early, before training, if the bucket is not mounted where we write or is read-only. */
async function checkModelDir(dir) {
  let stat;
  try {
    stat = await fsp.stat(dir);
  } catch (error) {
    if (error.code === "ENOENT")
      throw new Error(`model dir ${dir} does not exist: mount the bucket there, or pass --model-dir (or MODEL_DIR)`);
    throw error;
  }
  if (!stat.isDirectory()) throw new Error(`model dir ${dir} is not a directory`);
  try {
    await fsp.access(dir, fs.constants.W_OK);
  } catch (error) {
    throw notWritable(dir, error);
  }
}

function notWritable(dir, error) {
  return new Error(`model dir ${dir} is not writable (${error.code}): the job must mount the bucket read-write`);
}

/**
 * Writes `text` to a temporary file next to `file`, then renames it over `file`: a reader never
 * sees half a part, and a retried task replaces its part whole. The temporary name starts with a
 * dot and does not match `part-*-of-*.json`, so a leftover one is never loaded.
 */
async function writeAtomically(file, text) {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString("hex")}.tmp`);
  try {
    await fsp.writeFile(tmp, text, { flag: "wx" });
    await fsp.rename(tmp, file);
  } catch (error) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw error;
  }
}

const stdio = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Runs one task and resolves to the exit code: 0 once the part is written, 1 if it cannot be,
 * 2 on a bad command line. Logs are one JSON object a line, which Cloud Logging reads as
 * structured entries; the last line, `model-version: <name>/<execution>`, is for a CI job to grep.
 */
async function main(argv, env, io = stdio) {
  const log = (severity, message, fields = {}) => io.out(JSON.stringify({ severity, message, ...fields }));
  const fail = (message) => {
    io.err(JSON.stringify({ severity: "ERROR", message }));
    return 1;
  };
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(USAGE);
    return 0;
  }
  let options;
  try {
    options = parseArgs(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`train.js: ${error.message}\n${USAGE}`);
    return 2;
  }
  let execution = env.CLOUD_RUN_EXECUTION;
  if (!execution) {
    execution = localExecution(new Date());
    log(
      "NOTICE",
      `CLOUD_RUN_EXECUTION is unset, so this is a local run: the execution is ${execution}. ` +
        "Set CLOUD_RUN_EXECUTION to the same value for every task of one local training.",
    );
  }
  if (!NAME.test(execution)) return fail(`CLOUD_RUN_EXECUTION must be a plain name, not "${execution}"`);
  let task, taskCount;
  try {
    task = taskNumber(env, "CLOUD_RUN_TASK_INDEX", "0");
    taskCount = taskNumber(env, "CLOUD_RUN_TASK_COUNT", "1");
  } catch (error) {
    return fail(error.message);
  }
  if (taskCount < 1 || task >= taskCount)
    return fail(`task ${task} of ${taskCount}: CLOUD_RUN_TASK_INDEX must be below CLOUD_RUN_TASK_COUNT`);

  try {
    await checkModelDir(options.modelDir);
  } catch (error) {
    return fail(error.message);
  }
  const examples = shard(JSON.parse(await fsp.readFile(path.join(__dirname, "data.json"), "utf8")), task, taskCount);
  const model = train(examples);
  const version = modelVersion(options.modelName, execution);
  const dir = path.join(options.modelDir, options.modelName, execution);
  const name = partName(task, taskCount);
  const part = { ...model, epochs: options.epochs, task, taskCount, execution };
  try {
    await fsp.mkdir(dir, { recursive: true });
    await writeAtomically(path.join(dir, name), `${JSON.stringify(part, null, 2)}\n`);
  } catch (error) {
    if (["EACCES", "EPERM", "EROFS"].includes(error.code)) return fail(notWritable(options.modelDir, error).message);
    return fail(`could not write ${path.join(dir, name)}: ${error.message}`);
  }
  log("INFO", `trained part ${task} of ${taskCount} of ${version} on ${model.examples} examples`, {
    modelVersion: version,
    part: `${version}/${name}`,
    examples: model.examples,
    words: Object.keys(model.weights).length,
    epochs: options.epochs,
  });
  io.out(`model-version: ${version}`);
  return 0;
}

module.exports = { parseArgs, shard, train, partName, modelVersion, localExecution, writeAtomically, main, UsageError };

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => (process.exitCode = code),
    (error) => {
      process.stderr.write(`${JSON.stringify({ severity: "ERROR", message: error.stack ?? String(error) })}\n`);
      process.exitCode = 1;
    },
  );
}
