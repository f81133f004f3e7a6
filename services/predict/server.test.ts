/** The example service, as Cloud Run calls it: over HTTP, on a port of its own. */
import { AddressInfo } from "net";
import { createServer, predict } from "./server";

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
