/**
 * Cloud Run facts and constraints (lib/gcp/run.ts), alone: what each constraint allows and
 * refuses, without a construct.
 */
import { mountPath } from "../../lib/gcp/run";

describe("mountPath", () => {
  test.each(["/models", "/mnt/models", "/devices", "/processed", "/system", "/models/"])("%s is allowed", (p) =>
    expect(mountPath(p)).toBeUndefined(),
  );
  test.each(["/", "//", "/dev", "/dev/shm", "/proc", "/sys", "models", "/a b", "/a:b", "/./a", "/a/..", "//models"])(
    "%s is refused",
    (p) => expect(mountPath(p)).toEqual(expect.any(String)),
  );
});
