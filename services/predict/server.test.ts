/** The example service, as Cloud Run calls it: over HTTP, on a port of its own. */
import { mkdir, mkdtemp, rm, writeFile } from "fs/promises";
import { AddressInfo } from "net";
import { tmpdir } from "os";
import { join } from "path";
import data from "../train/data.json";
import { Example, main, partName, shard, train } from "../train/train";
import { LoadedModel, ModelServer, createServer, faultRateOf, loadModel, predict } from "./server";

let base: string;
const server = createServer();
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (body: string) =>
  fetch(`${base}/predict`, { method: "POST", body, headers: { "content-type": "application/json" } });

test("GET /healthz answers 200 once the server listens (the startup and liveness probes' path)", async () => {
  const res = await fetch(`${base}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: "ok", model: "lexicon-v1" });
});

test("POST /predict scores a text", async () => {
  const res = await post(JSON.stringify({ text: "Great service, fast and reliable" }));
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ label: "positive", score: 1, model: "lexicon-v1" });
  expect(predict("slow and broken, but the best").label).toBe("negative");
  expect(predict("no opinion here")).toEqual({ label: "positive", score: 0.5, model: "lexicon-v1" });
});

test("bad requests get a 4xx with the reason", async () => {
  expect((await post("not json")).status).toBe(400);
  expect((await post(JSON.stringify({ text: 5 }))).status).toBe(400);
  expect((await fetch(`${base}/predict`)).status).toBe(405);
  expect((await fetch(`${base}/nowhere`)).status).toBe(404);
});

describe("with MODEL_PATH: a model version written by the training job", () => {
  const execution = "train-sentiment-x7k2p";
  let root: string;
  let version: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "predict-"));
    version = join(root, "sentiment", execution);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  /** Writes the parts the trainer's tasks would write, leaving out `skip`. */
  async function writeParts(count: number, skip: number[] = []) {
    await mkdir(version, { recursive: true });
    for (let task = 0; task < count; task++) {
      if (skip.includes(task)) continue;
      const part = { ...train(shard(data as Example[], task, count)), epochs: 1, task, taskCount: count, execution };
      await writeFile(join(version, partName(task, count)), JSON.stringify(part));
    }
  }

  /** Starts a server on a free port; the caller closes it. */
  async function start(server: ModelServer) {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
    const health = async () => {
      const res = await fetch(`${url}/healthz`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const score = async (text: string) => {
      const res = await fetch(`${url}/predict`, { method: "POST", body: JSON.stringify({ text }) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    return { close, health, score };
  }

  test("the server loads the parts of 4 training tasks, scores with their weights and reports the version", async () => {
    const env = (task: number) => ({
      CLOUD_RUN_EXECUTION: execution,
      CLOUD_RUN_TASK_INDEX: String(task),
      CLOUD_RUN_TASK_COUNT: "4",
    });
    const quiet = { out: () => {}, err: () => {} };
    for (let task = 0; task < 4; task++) expect(await main(["--model-dir", root], env(task), quiet)).toBe(0);

    const server = createServer({ modelPath: version });
    const { close, health, score } = await start(server);
    try {
      const model = await server.ready;
      expect(model).toMatchObject({ name: "sentiment/train-sentiment-x7k2p", parts: 4, examples: 40 });
      expect(await health()).toEqual({ status: 200, body: { status: "ok", model: "sentiment/train-sentiment-x7k2p" } });

      const positive = await score("Great staff, excellent coffee");
      expect(positive).toEqual({ status: 200, body: predict("Great staff, excellent coffee", model) });
      expect(positive.body).toMatchObject({ label: "positive", model: "sentiment/train-sentiment-x7k2p" });
      expect((await score("awful and terrible")).body.label).toBe("negative");
      // A word the built-in list does not hold, learnt from the data.
      expect((await score("a nightmare")).body.label).toBe("negative");
      expect((await score("no opinion here")).body).toEqual({
        label: "positive",
        score: 0.5,
        model: "sentiment/train-sentiment-x7k2p",
      });
    } finally {
      await close();
    }
  });

  test("a word's weight is its mean over the parts, and the score is the logistic of the text's sum", async () => {
    await mkdir(version, { recursive: true });
    const part = (task: number, weights: Record<string, number>) =>
      writeFile(
        join(version, partName(task, 2)),
        JSON.stringify({ weights, examples: 1, epochs: 1, task, taskCount: 2, execution }),
      );
    await part(0, { good: 2, bad: -1 });
    await part(1, { good: 1, constructor: 4 });
    // A temporary file of a task that is still writing is not a part.
    await writeFile(join(version, ".part-1-of-2.json.0a1b2c.tmp"), "{ half");
    const model = await loadModel(version + "/");
    expect(model.name).toBe("sentiment/train-sentiment-x7k2p");
    expect([...model.weights].sort()).toEqual([
      ["bad", -0.5],
      ["constructor", 2],
      ["good", 1.5],
    ]);
    expect(predict("good good bad", model).score).toBe(Math.round(1000 / (1 + Math.exp(-2.5))) / 1000);
    expect(predict("toString", model).score).toBe(0.5);
  });

  test("a missing part: /healthz answers 503 with the error, and /predict is refused", async () => {
    await writeParts(4, [2]);
    const server = createServer({ modelPath: version });
    const { close, health, score } = await start(server);
    try {
      await expect(server.ready).rejects.toThrow(/missing part 2 of 4/);
      expect(await health()).toEqual({
        status: 503,
        body: { status: "error", error: `${version} is incomplete: missing part 2 of 4 (did every task finish?)` },
      });
      expect((await score("great")).status).toBe(503);
    } finally {
      await close();
    }
  });

  test("/healthz answers 503 loading while the model loads, then 200", async () => {
    await writeParts(2);
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const load = async (dir: string): Promise<LoadedModel> => {
      await gate;
      return loadModel(dir);
    };
    const server = createServer({ modelPath: version, load });
    const { close, health, score } = await start(server);
    try {
      expect(await health()).toEqual({ status: 503, body: { status: "loading" } });
      expect(await score("great")).toEqual({ status: 503, body: { status: "loading" } });
      finish();
      await server.ready;
      expect(await health()).toEqual({ status: 200, body: { status: "ok", model: "sentiment/train-sentiment-x7k2p" } });
      expect((await score("great")).body.label).toBe("positive");
    } finally {
      await close();
    }
  });

  test("loading refuses a folder that is not a complete, well-formed version", async () => {
    await expect(loadModel(join(root, "nowhere"))).rejects.toThrow(/does not exist: check MODEL_PATH/);
    await mkdir(version, { recursive: true });
    await expect(loadModel(version)).rejects.toThrow(/no part-<i>-of-<n>.json files/);
    await writeParts(2);
    await writeFile(join(version, partName(0, 3)), "{}");
    await expect(loadModel(version)).rejects.toThrow(
      /disagree on their count \(2, 3\)|disagree on their count \(3, 2\)/,
    );
    await rm(join(version, partName(0, 3)));
    await writeFile(join(version, partName(1, 2)), "{ half");
    await expect(loadModel(version)).rejects.toThrow(/part-1-of-2.json cannot be read as JSON/);
    await writeFile(join(version, partName(1, 2)), JSON.stringify({ weights: { good: "1" }, task: 1, taskCount: 2 }));
    await expect(loadModel(version)).rejects.toThrow(/is not part 1 of 2 as the trainer writes it/);
  });
});

test("GET /health answers as /healthz does: the uptime check's path (public URLs may not pass /healthz on)", async () => {
  const [a, b] = await Promise.all([fetch(`${base}/health`), fetch(`${base}/healthz`)]);
  expect(a.status).toBe(b.status);
  expect(await a.json()).toEqual(await b.json());
});

describe("a drill's fault switch (CANARY_DRILL_ERROR_RATE)", () => {
  test("only a share from more than 0 to 1 switches it on", () => {
    expect([undefined, "", "0", "-1", "1.5", "abc", "0.25", "1"].map(faultRateOf)).toEqual([0, 0, 0, 0, 0, 0, 0.25, 1]);
  });

  test("that share of /predict requests is answered 503; /healthz stays healthy so the canary takes traffic", async () => {
    // A fixed sequence instead of chance: every other request draws under the rate.
    let draw = 0;
    const faulty = createServer({ faultRate: 0.5, random: () => (draw++ % 2 === 0 ? 0.1 : 0.9) });
    await new Promise<void>((resolve) => faulty.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(faulty.address() as AddressInfo).port}`;
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${url}/predict`, { method: "POST", body: JSON.stringify({ text: "good" }) });
        statuses.push(res.status);
        await res.text();
      }
      expect(statuses).toEqual([503, 200, 503, 200]);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => faulty.close(() => resolve()));
    }
  });
});
