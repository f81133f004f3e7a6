/** The configurations the tests of lib/app/config/ start from: valid at every stage, changed one field at a time. */
import type { EnvironmentConfig } from "../../../lib/app";
import { fixtureEnvironment, fixtureTrainingEnvironment } from "../../fixtures/environment";
import { Json } from "../../helpers";

/** A production fixture environment (service `predict`), valid at every stage. */
export const valid = fixtureEnvironment({ name: "live", stage: "production" });

/** The same with training: bucket `models`, job `train`, and `predict` serving a model from it. */
export const training = fixtureTrainingEnvironment({ name: "live", stage: "production" });

/** A deep copy of a valid configuration, changed by `edit`: every bad case starts from one. */
export function variant(edit: (c: Json) => void, from: EnvironmentConfig = valid): unknown {
  const copy = structuredClone(from);
  edit(copy);
  return copy;
}
