/**
 * The account-id rules of lib/gcp/iam.ts: the ids this library derives for the accounts it
 * creates (a service's NAME-run, a job's NAME-job, a schedule's NAME-sched), short names
 * lengthened, long ones cut with a hash, always valid and never shared. These ids name existing
 * accounts: a change here renames them.
 */
import { createHash } from "crypto";
import fc from "fast-check";
import * as lib from "../../lib";
import {
  accountIdFor,
  jobServiceAccountId,
  runtimeServiceAccountId,
  schedulerServiceAccountId,
  serviceAccountId as serviceAccountIdConstraint,
} from "../../lib/gcp/iam";
import { serviceName as serviceNameConstraint } from "../../lib/gcp/run";
import { propertyRuns } from "../tier";

const sha8 = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 8);

/** A valid service account id: what the google provider accepts (RFC 1035, 6-30 characters). */
const isValidAccountId = (id: string): boolean =>
  id.length >= 6 && id.length <= 30 && /^[a-z]([-a-z0-9]*[a-z0-9])$/.test(id);

describe("account ids", () => {
  const LONG = "model-serving-api-for-europe-west-one"; // 37 characters

  test("the package exports these functions, for consumers who name accounts themselves", () => {
    expect(lib.runtimeServiceAccountId).toBe(runtimeServiceAccountId);
    expect(lib.jobServiceAccountId).toBe(jobServiceAccountId);
    expect(lib.schedulerServiceAccountId).toBe(schedulerServiceAccountId);
  });

  test("runtimeServiceAccountId keeps its rule: NAME-run, or 21 characters and a hash of the name", () => {
    expect(runtimeServiceAccountId("predict")).toBe("predict-run");
    expect(runtimeServiceAccountId("a")).toBe("a-runtime");
    expect(runtimeServiceAccountId(LONG)).toBe(`${LONG.slice(0, 21)}-${sha8(LONG)}`);
    expect(runtimeServiceAccountId(LONG)).toBe(accountIdFor(LONG, "run", "runtime"));
  });

  test("jobServiceAccountId and schedulerServiceAccountId: NAME-job and NAME-sched", () => {
    expect(jobServiceAccountId("train")).toBe("train-job");
    expect(schedulerServiceAccountId("train")).toBe("train-sched");
    // Under 6 characters, the longer suffix.
    expect(jobServiceAccountId("a")).toBe("a-jobrun");
    expect(schedulerServiceAccountId("a")).toBe("a-sched");
  });

  test("at 30 characters the id is kept; at 31 it is shortened with a hash", () => {
    const n26 = "a".repeat(26);
    const n27 = "a".repeat(27);
    expect(jobServiceAccountId(n26)).toBe(`${n26}-job`);
    expect(jobServiceAccountId(n27)).toBe(`${n27.slice(0, 21)}-${sha8(`${n27}-job`)}`);
    const n24 = "b".repeat(24);
    const n25 = "b".repeat(25);
    expect(schedulerServiceAccountId(n24)).toBe(`${n24}-sched`);
    expect(schedulerServiceAccountId(n25)).toBe(`${n25.slice(0, 21)}-${sha8(`${n25}-sched`)}`);
  });

  test("for a long name, the service's, job's and scheduler's ids differ, and all are valid", () => {
    const ids = [runtimeServiceAccountId(LONG), jobServiceAccountId(LONG), schedulerServiceAccountId(LONG)];
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) {
      expect(isValidAccountId(id)).toBe(true);
      expect(serviceAccountIdConstraint(id)).toBeUndefined();
    }
  });

  test("a hyphen at the cut is dropped, so the id stays valid", () => {
    const name = `${"a".repeat(20)}-${"b".repeat(15)}`;
    const id = jobServiceAccountId(name);
    expect(id).toBe(`${"a".repeat(20)}-${sha8(`${name}-job`)}`);
    expect(isValidAccountId(id)).toBe(true);
  });

  test("property: for any valid Cloud Run name, the three ids are valid and pairwise distinct", () => {
    const name = fc.stringMatching(/^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/);
    fc.assert(
      fc.property(name, (n) => {
        const ids = [runtimeServiceAccountId(n), jobServiceAccountId(n), schedulerServiceAccountId(n)];
        for (const id of ids) {
          expect(isValidAccountId(id)).toBe(true);
          expect(serviceAccountIdConstraint(id)).toBeUndefined();
        }
        expect(new Set(ids).size).toBe(3);
      }),
      propertyRuns(2000),
    );
  });
});

describe("runtimeServiceAccountId", () => {
  test.each([
    ["a", "a-runtime"],
    ["ab", "ab-run"],
    ["predict-api", "predict-api-run"],
    ["a".repeat(26), `${"a".repeat(26)}-run`],
  ])("%s → %s", (name, id) => expect(runtimeServiceAccountId(name)).toBe(id));

  test("a long name is shortened with a hash, so two long names do not collide", () => {
    const a = runtimeServiceAccountId("model-serving-api-for-europe-west-one");
    const b = runtimeServiceAccountId("model-serving-api-for-europe-west-two");
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(30);
  });

  test("property: every valid service name gives a valid account id", () => {
    const serviceName = fc.stringMatching(/^[a-z](?:[-a-z0-9]{0,47}[a-z0-9])?$/);
    fc.assert(
      fc.property(serviceName, (name) => {
        expect(serviceNameConstraint(name)).toBeUndefined();
        expect(serviceAccountIdConstraint(runtimeServiceAccountId(name))).toBeUndefined();
      }),
      propertyRuns(2000),
    );
  });
});
