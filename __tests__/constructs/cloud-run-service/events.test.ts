/**
 * CloudRunService.addEventTrigger (lib/constructs/cloud-run-service/events.ts): a Cloud Storage
 * or Pub/Sub trigger to a service, as Terraform reads it; the account it calls the service as and
 * the grants it makes, and nothing more; the service agents' roles once per stack; and every
 * refusal at its boundary.
 */
import { CloudRunService, CloudRunServiceProps, ModelBucket, ValidationError } from "../../../lib";
import { IMAGE, Json, Synth, errorOf, newStack, only, resources, synth } from "../../helpers";
import { allResources } from "../workload/builders";

const base: CloudRunServiceProps = {
  project: "acme-ml-dev",
  location: "europe-west1",
  name: "predict-api",
  image: IMAGE,
};
const STORAGE = { storageBucket: "acme-ml-dev-models", eventType: "google.cloud.storage.object.v1.finalized" as const };

/** The IAM resources of a stack, as `type role member`, sorted, runtime roles left out. */
function grants(out: Synth): string[] {
  return allResources(out)
    .filter(([type]) => /_iam_member$/.test(type))
    .map(([type, , v]: [string, string, Json]) => `${type} ${v.role} ${v.member}`)
    .filter((g) => !/logWriter|metricWriter/.test(g))
    .sort();
}

describe("a Cloud Storage trigger", () => {
  const out = synth((s) => {
    const api = new CloudRunService(s, "predict", { ...base, projectNumber: "123456789012" });
    api.addEventTrigger("model-written", { source: STORAGE, path: "/reload" });
  });

  test("routes the bucket's finalized objects to the path, as its own account, in the service's region", () => {
    expect(only(out, "google_eventarc_trigger")).toEqual({
      project: "acme-ml-dev",
      location: "europe-west1",
      name: "predict-api-model-written",
      service_account: expect.stringMatching(
        /^\$\{google_service_account\.predict_events-model-written_service-account_[0-9A-F]{8}\.email\}$/,
      ),
      event_data_content_type: "application/json",
      matching_criteria: [
        { attribute: "type", value: "google.cloud.storage.object.v1.finalized" },
        { attribute: "bucket", value: "acme-ml-dev-models" },
      ],
      destination: {
        cloud_run_service: {
          service: expect.stringMatching(/^\$\{google_cloud_run_v2_service\.predict_service_[0-9A-F]{8}\.name\}$/),
          region: "europe-west1",
          path: "/reload",
        },
      },
      depends_on: [
        expect.stringMatching(/^google_cloud_run_v2_service_iam_member\.predict_events-model-written_invoker_/),
        expect.stringMatching(/^google_project_iam_member\.predict_events-model-written_event-receiver_/),
        expect.stringMatching(/^google_project_iam_member\.eventarc-service-agents_storage-publisher-acme-ml-dev_/),
      ],
    });
  });

  test("its account may invoke this service and receive events; the storage agent may publish; nothing more", () => {
    const account = (g: string) =>
      g.replace(/\$\{google_service_account\.(predict_[\w-]+?)_[0-9A-F]{8}\.member\}/, "$1");
    expect(grants(out).map(account)).toEqual([
      "google_cloud_run_v2_service_iam_member roles/run.invoker predict_events-model-written_service-account",
      "google_project_iam_member roles/eventarc.eventReceiver predict_events-model-written_service-account",
      "google_project_iam_member roles/pubsub.publisher serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com",
    ]);
    const invoker = only(out, "google_cloud_run_v2_service_iam_member");
    expect(invoker).toMatchObject({
      location: "europe-west1",
      name: expect.stringMatching(/google_cloud_run_v2_service\.predict_service_/),
    });
    expect(
      Object.values(resources(out, "google_service_account"))
        .map((a: Json) => a.account_id)
        .sort(),
    ).toEqual(["predict-api-model-written-ev", "predict-api-run"]);
  });
});

describe("a Pub/Sub trigger", () => {
  test("carries the topic's messages, with no receiver or agent role unless asked for", () => {
    const out = synth((s) => {
      new CloudRunService(s, "predict", base).addEventTrigger("requests", {
        source: { pubsubTopic: "prediction-requests" },
      });
    });
    const trigger = only(out, "google_eventarc_trigger");
    expect(trigger).toMatchObject({
      matching_criteria: [{ attribute: "type", value: "google.cloud.pubsub.topic.v1.messagePublished" }],
      transport: { pubsub: { topic: "prediction-requests" } },
      destination: { cloud_run_service: { path: "/" } },
    });
    expect(grants(out)).toEqual([
      expect.stringMatching(/^google_cloud_run_v2_service_iam_member roles\/run\.invoker /),
    ]);
  });

  test("the Pub/Sub agent's token creator role, for projects from before April 2021, only when asked", () => {
    const out = synth((s) => {
      new CloudRunService(s, "predict", { ...base, projectNumber: "42" }).addEventTrigger("requests", {
        source: { pubsubTopic: "projects/acme-shared/topics/prediction-requests" },
        grantPubSubTokenCreator: true,
      });
    });
    expect(grants(out)).toContain(
      "google_project_iam_member roles/iam.serviceAccountTokenCreator serviceAccount:service-42@gcp-sa-pubsub.iam.gserviceaccount.com",
    );
  });
});

describe("several triggers", () => {
  test("two services' storage triggers share one agent grant; each has its own account", () => {
    const out = synth((s) => {
      const a = new CloudRunService(s, "predict", { ...base, projectNumber: "1" });
      const b = new CloudRunService(s, "rank", { ...base, name: "rank-api", projectNumber: "1" });
      a.addEventTrigger("written", { source: STORAGE });
      b.addEventTrigger("deleted", { source: { ...STORAGE, eventType: "google.cloud.storage.object.v1.deleted" } });
    });
    expect(grants(out).filter((g) => g.includes("pubsub.publisher"))).toHaveLength(1);
    expect(Object.keys(resources(out, "google_eventarc_trigger"))).toHaveLength(2);
  });

  test("a ModelBucket's trigger is made in the bucket's location", () => {
    const out = synth((s) => {
      const models = new ModelBucket(s, "models", {
        project: "acme-ml-dev",
        name: "acme-ml-dev-models",
        location: "EU",
      });
      new CloudRunService(s, "predict", { ...base, projectNumber: "1" }).addEventTrigger("written", {
        source: { storageBucket: models, eventType: "google.cloud.storage.object.v1.finalized" },
      });
    });
    const trigger = only(out, "google_eventarc_trigger");
    expect(trigger.location).toBe("eu");
    expect(trigger.matching_criteria[1]).toEqual({
      attribute: "bucket",
      value: expect.stringMatching(/google_storage_bucket\.models_/),
    });
  });
});

describe("refusals, each naming the option, the value and the rule, all at once", () => {
  const api = () => new CloudRunService(newStack(), "predict", base);
  const problems = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return (e as ValidationError).problems.map((p) => `${p.path}: ${p.allowed}`);
    }
    throw new Error("expected a ValidationError");
  };

  test("a bad id, event type, bucket and path together", () => {
    const found = problems(() =>
      api().addEventTrigger("Model_Written", {
        source: { storageBucket: "Bad Bucket", eventType: "object.created" as never },
        path: "reload",
      }),
    );
    expect(found).toEqual([
      expect.stringMatching(/^id: must be 1-14 lowercase letters/),
      expect.stringMatching(/^source\.storageBucket: /),
      expect.stringMatching(/^source\.eventType: must be one of "google\.cloud\.storage\.object\.v1\.finalized"/),
      expect.stringMatching(/^path: must be a path starting with \//),
    ]);
  });

  test("a trigger name (SERVICE-ID) past 63 characters is refused, naming it", () => {
    const long = new CloudRunService(newStack(), "predict", { ...base, name: "p".repeat(49) });
    expect(problems(() => long.addEventTrigger("abcdefghijklmn", { source: STORAGE }))).toEqual([
      `id: names the trigger ${"p".repeat(49)}-abcdefghijklmn, 64 characters; with the service name it must be at most 63`,
    ]);
    expect(() => long.addEventTrigger("abcdefghijklm", { source: STORAGE })).not.toThrow();
  });

  test("both sources, neither, a bad topic, a Pub/Sub trigger outside a region, an id used twice", () => {
    expect(problems(() => api().addEventTrigger("x", { source: { ...STORAGE, pubsubTopic: "t-1" } as never }))).toEqual(
      [expect.stringMatching(/^source: must be a bucket's events or a topic's messages, not both/)],
    );
    expect(problems(() => api().addEventTrigger("x", { source: {} as never }))).toEqual([
      expect.stringMatching(/^source: must have storageBucket/),
    ]);
    expect(problems(() => api().addEventTrigger("x", { source: { pubsubTopic: "9x" } }))).toEqual([
      expect.stringMatching(/^source\.pubsubTopic: must be a topic id/),
    ]);
    expect(problems(() => api().addEventTrigger("x", { source: { pubsubTopic: "topic" }, location: "eu" }))).toEqual([
      expect.stringMatching(/^location: a Pub\/Sub trigger must be in a region/),
    ]);
    const service = api();
    service.addEventTrigger("x", { source: STORAGE });
    expect(errorOf(() => service.addEventTrigger("x", { source: STORAGE }))).toMatch(
      /addEventTrigger\("x"\).*\n.*id: got "x"; is already a trigger of this service/,
    );
  });
});
