/** The example training job, run as Cloud Run runs its tasks: one call of main() per task. */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "fs/promises";
import { tmpdir } from "os";
import { join } from "path";
import data from "./data.json";
import {
  Example,
  Part,
  localExecution,
  main,
  modelVersion,
  parseArgs,
  partName,
  shard,
  train,
  writeAtomically,
} from "./train";

const examples = data as Example[];
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "train-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Runs one task and keeps what it printed. */
async function run(argv: string[], env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}
const task = (index: number, count: number) => ({
  CLOUD_RUN_EXECUTION: "train-sentiment-x7k2p",
  CLOUD_RUN_TASK_INDEX: String(index),
  CLOUD_RUN_TASK_COUNT: String(count),
});

describe("parseArgs", () => {
  test("defaults come from MODEL_DIR and MODEL_NAME, then /models and sentiment", () => {
    expect(parseArgs([], {})).toEqual({ epochs: 1, modelDir: "/models", modelName: "sentiment" });
    expect(parseArgs([], { MODEL_DIR: "/mnt/m", MODEL_NAME: "reviews" })).toEqual({
      epochs: 1,
      modelDir: "/mnt/m",
      modelName: "reviews",
    });
  });

  test("flags, as two words or with =, win over the environment", () => {
    expect(parseArgs(["--epochs", "5", "--model-dir=/tmp/x", "--model-name", "m2"], { MODEL_NAME: "env" })).toEqual({
      epochs: 5,
      modelDir: "/tmp/x",
      modelName: "m2",
    });
    expect(parseArgs(["--epochs=100"], {}).epochs).toBe(100);
  });

  test.each([
    [["--epochs", "0"], /--epochs must be an integer from 1 to 100/],
    [["--epochs", "101"], /--epochs must be an integer from 1 to 100/],
    [["--epochs", "2.5"], /--epochs must be an integer/],
    [["--epochs", "ten"], /--epochs must be an integer/],
    [["--epochs"], /--epochs needs a value/],
    [["--model-dir="], /--model-dir needs a value/],
    [["--model-name", "../escape"], /--model-name must be/],
    [["--lr", "0.1"], /unknown argument "--lr"/],
    [["extra"], /unknown argument "extra"/],
  ])("%j is refused", (argv, message) => {
    expect(() => parseArgs(argv, {})).toThrow(message);
  });
});

test("sharding gives every example to exactly one task, for any task count", () => {
  for (let count = 1; count <= 7; count++) {
    const shards = [...Array(count).keys()].map((i) => shard(examples, i, count));
    expect(shards.flat()).toHaveLength(examples.length);
    expect(new Set(shards.flat())).toEqual(new Set(examples));
  }
  expect(shard(["a", "b", "c", "d", "e"], 1, 2)).toEqual(["b", "d"]);
});

test("each of 4 shards holds both labels, so every part learns something of each", () => {
  for (let i = 0; i < 4; i++)
    expect(new Set(shard(examples, i, 4).map((e) => e.label))).toEqual(new Set(["positive", "negative"]));
});

test("training learns that great is positive and awful negative, and drops words of no use", () => {
  const { weights, examples: n } = train(examples);
  expect(n).toBe(40);
  expect(weights.great).toBeGreaterThan(1);
  expect(weights.awful).toBeLessThan(-1);
  // In as many positive as negative sentences: no weight.
  expect(weights).not.toHaveProperty("the");
  expect(weights).not.toHaveProperty("was");
  for (const w of Object.values(weights)) expect(Math.abs(w)).toBeGreaterThanOrEqual(0.5);
});

test("training refuses a badly labelled example, and is safe with words such as constructor", () => {
  expect(() => train([{ text: "fine", label: "neutral" } as unknown as Example])).toThrow(/example 0 must be/);
  const { weights } = train([
    { text: "constructor constructor great", label: "positive" },
    { text: "awful toString", label: "negative" },
  ]);
  expect(Object.keys(weights).sort()).toEqual(["awful", "constructor", "great", "tostring"]);
  expect(weights.constructor).toBeGreaterThan(0);
});

test("names: the part file and the model version", () => {
  expect(partName(2, 4)).toBe("part-2-of-4.json");
  expect(modelVersion("sentiment", "train-sentiment-x7k2p")).toBe("sentiment/train-sentiment-x7k2p");
  expect(localExecution(new Date("2026-11-27T03:00:00.123Z"))).toBe("local-20261127t030000");
});

test("a task writes its part under <model>/<execution>/, leaves no temporary file, and prints the version", async () => {
  const { code, out, err } = await run(["--epochs", "3", "--model-dir", dir], task(1, 4));
  expect({ code, err }).toEqual({ code: 0, err: [] });
  const version = join(dir, "sentiment", "train-sentiment-x7k2p");
  expect(await readdir(version)).toEqual(["part-1-of-4.json"]);
  const part: Part = JSON.parse(await readFile(join(version, "part-1-of-4.json"), "utf8"));
  expect(part).toEqual({
    ...train(shard(examples, 1, 4)),
    epochs: 3,
    task: 1,
    taskCount: 4,
    execution: "train-sentiment-x7k2p",
  });
  expect(JSON.parse(out[0])).toEqual({
    severity: "INFO",
    message: "trained part 1 of 4 of sentiment/train-sentiment-x7k2p on 10 examples",
    modelVersion: "sentiment/train-sentiment-x7k2p",
    part: "sentiment/train-sentiment-x7k2p/part-1-of-4.json",
    examples: 10,
    words: Object.keys(part.weights).length,
    epochs: 3,
  });
  expect(out.at(-1)).toBe("model-version: sentiment/train-sentiment-x7k2p");
});

test("a retried task replaces its part whole", async () => {
  const version = join(dir, "sentiment", "train-sentiment-x7k2p");
  await mkdir(version, { recursive: true });
  await writeFile(join(version, "part-0-of-1.json"), "{ half a fi");
  expect((await run(["--model-dir", dir], task(0, 1))).code).toBe(0);
  expect(JSON.parse(await readFile(join(version, "part-0-of-1.json"), "utf8")).examples).toBe(40);
  expect(await readdir(version)).toEqual(["part-0-of-1.json"]);
});

test("a write that fails removes its temporary file", async () => {
  // Renaming a file over a non-empty folder fails after the temporary file is written.
  await mkdir(join(dir, "part-0-of-1.json", "inside"), { recursive: true });
  await expect(writeAtomically(join(dir, "part-0-of-1.json"), "{}")).rejects.toThrow();
  expect(await readdir(dir)).toEqual(["part-0-of-1.json"]);
});

test("4 tasks write 4 parts that together cover the data", async () => {
  const codes = await Promise.all([0, 1, 2, 3].map((i) => run(["--model-dir", dir], task(i, 4)).then((r) => r.code)));
  expect(codes).toEqual([0, 0, 0, 0]);
  const version = join(dir, "sentiment", "train-sentiment-x7k2p");
  expect((await readdir(version)).sort()).toEqual([0, 1, 2, 3].map((i) => partName(i, 4)));
  const parts: Part[] = await Promise.all(
    [0, 1, 2, 3].map(async (i) => JSON.parse(await readFile(join(version, partName(i, 4)), "utf8"))),
  );
  expect(parts.map((p) => p.task)).toEqual([0, 1, 2, 3]);
  expect(parts.reduce((sum, p) => sum + p.examples, 0)).toBe(examples.length);
  // Every word of the data that carries sentiment on the whole set is learnt by some part.
  const learnt = new Set(parts.flatMap((p) => Object.keys(p.weights)));
  for (const word of ["great", "excellent", "awful", "terrible"]) expect(learnt).toContain(word);
});

test("without CLOUD_RUN_EXECUTION, a local run names its version local-<UTC time> and says so", async () => {
  const { code, out } = await run(["--model-dir", dir, "--model-name", "reviews"], {});
  expect(code).toBe(0);
  expect(JSON.parse(out[0])).toMatchObject({ severity: "NOTICE", message: expect.stringMatching(/local run/) });
  const version = out.at(-1)!.match(/^model-version: (reviews\/local-\d{8}t\d{6})$/)![1];
  expect(await readdir(join(dir, version))).toEqual(["part-0-of-1.json"]);
});

test("a missing model dir fails with exit code 1 and says what to do", async () => {
  const missing = join(dir, "not-mounted");
  const { code, out, err } = await run(["--model-dir", missing], task(0, 1));
  expect(code).toBe(1);
  expect(out).toEqual([]);
  expect(JSON.parse(err[0])).toEqual({
    severity: "ERROR",
    message: `model dir ${missing} does not exist: mount the bucket there, or pass --model-dir (or MODEL_DIR)`,
  });
});

test("a model dir that is a file, and bad task settings, fail with exit code 1", async () => {
  await writeFile(join(dir, "file"), "");
  expect((await run(["--model-dir", join(dir, "file")], task(0, 1))).err[0]).toMatch(/is not a directory/);
  expect((await run(["--model-dir", dir], task(4, 4))).err[0]).toMatch(/must be below CLOUD_RUN_TASK_COUNT/);
  expect((await run(["--model-dir", dir], { ...task(0, 1), CLOUD_RUN_TASK_COUNT: "x" })).code).toBe(1);
  expect((await run(["--model-dir", dir], { CLOUD_RUN_EXECUTION: "../up" })).err[0]).toMatch(/plain name/);
});

test("an unknown argument exits with 2 and the usage on stderr", async () => {
  const { code, out, err } = await run(["--lr", "0.1"], task(0, 1));
  expect({ code, out }).toEqual({ code: 2, out: [] });
  expect(err.join("\n")).toMatch(/unknown argument "--lr"\nusage: node train.js \[--epochs N\]/);
});
