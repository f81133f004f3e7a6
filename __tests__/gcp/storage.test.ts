/** Cloud Storage facts shared by the constructs and the app: IAM conditions on buckets and their objects. */
import { bucketsCondition } from "../../lib/gcp/storage";

describe("bucketsCondition", () => {
  test("names each bucket exactly and its objects; refuses no bucket or a name that is not one", () => {
    const c = bucketsCondition(["acme-b", "acme-a"]);
    expect(c.expression).toBe(
      "resource.name == 'projects/_/buckets/acme-a' || resource.name.startsWith('projects/_/buckets/acme-a/') || " +
        "resource.name == 'projects/_/buckets/acme-b' || resource.name.startsWith('projects/_/buckets/acme-b/')",
    );
    // `acme-a` does not admit `acme-a-state`: the bucket by equality, objects only after a slash.
    expect(c.expression).not.toMatch(/startsWith\('projects\/_\/buckets\/acme-a'\)/);
    expect(() => bucketsCondition([])).toThrow(/at least one bucket/);
    expect(() => bucketsCondition(["x' || true || '"])).toThrow(/is not a bucket name/);
  });
});
