/**
 * The promotion order (lib/app/promotion.ts): environments by stage, then by name, whatever order
 * they are given in; and the stages the environments use, when some stage has none.
 */
import { firstStage, laterStage, previousStage, promotionOrder, stagesUsed } from "../../lib/app/promotion";
import type { Stage } from "../../lib/policies/rule";

type Env = { readonly name: string; readonly stage: Stage };

const env = (name: string, stage: Stage): Env => ({ name, stage });

/** Every order of a list. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe("promotionOrder", () => {
  const environments = [
    env("gamma", "production"),
    env("beta-2", "preproduction"),
    env("zeta", "development"),
    env("alpha", "development"),
    env("beta", "preproduction"),
  ];

  test("by stage, then by name, whatever the input order", () => {
    const expected = ["alpha", "zeta", "beta", "beta-2", "gamma"];
    const orders = permutations(environments);
    expect(orders).toHaveLength(120);
    for (const order of orders) {
      expect(promotionOrder(order).map((e) => e.name)).toEqual(expected);
    }
  });

  test("a name's stage comes before its name: a later stage sorts after, whatever it is called", () => {
    expect(promotionOrder([env("aaa", "production"), env("zzz", "development")]).map((e) => e.name)).toEqual([
      "zzz",
      "aaa",
    ]);
  });

  test("returns the same objects in a new array and leaves the input as it was", () => {
    const input = [...environments];
    const ordered = promotionOrder(input);
    expect(input).toEqual(environments);
    expect(ordered).not.toBe(input);
    for (const e of ordered) expect(environments).toContain(e);
    expect(new Set(ordered).size).toBe(environments.length);
    expect(promotionOrder([])).toEqual([]);
  });
});

describe("the stages the environments use", () => {
  const all = [env("gamma", "production"), env("alpha", "development"), env("beta", "preproduction")];
  // Environments that skip a stage: development straight to production.
  const skipping = [env("prod", "production"), env("dev", "development")];
  const lateOnly = [env("prod", "production"), env("staging", "preproduction")];

  test("stagesUsed: in promotion order, each once, whatever the input order", () => {
    expect(stagesUsed(all)).toEqual(["development", "preproduction", "production"]);
    expect(stagesUsed([...all, env("beta-2", "preproduction")])).toEqual([
      "development",
      "preproduction",
      "production",
    ]);
    expect(stagesUsed(skipping)).toEqual(["development", "production"]);
    expect(stagesUsed(lateOnly)).toEqual(["preproduction", "production"]);
    expect(stagesUsed([env("prod", "production")])).toEqual(["production"]);
    expect(stagesUsed([])).toEqual([]);
  });

  test("firstStage: the earliest stage used, where builds and trained models enter", () => {
    expect(firstStage(all)).toBe("development");
    expect(firstStage(skipping)).toBe("development");
    expect(firstStage(lateOnly)).toBe("preproduction");
    expect(firstStage([env("prod", "production")])).toBe("production");
    expect(firstStage([])).toBeUndefined();
  });

  test("previousStage: the nearest earlier stage that is used, skipping one that is not", () => {
    expect(previousStage("production", all)).toBe("preproduction");
    expect(previousStage("preproduction", all)).toBe("development");
    expect(previousStage("development", all)).toBeUndefined();
    // No preproduction: production's digests come from development.
    expect(previousStage("production", skipping)).toBe("development");
    expect(previousStage("development", skipping)).toBeUndefined();
    // A stage no environment uses still has the stage before it among those used.
    expect(previousStage("preproduction", skipping)).toBe("development");
    // The first stage used has none before it, whichever stage it is.
    expect(previousStage("preproduction", lateOnly)).toBeUndefined();
    expect(previousStage("production", lateOnly)).toBe("preproduction");
    expect(previousStage("production", [env("prod", "production")])).toBeUndefined();
    expect(previousStage("production", [])).toBeUndefined();
  });

  test("laterStage: strictly after in the promotion order", () => {
    expect(laterStage("production", "development")).toBe(true);
    expect(laterStage("production", "preproduction")).toBe(true);
    expect(laterStage("preproduction", "development")).toBe(true);
    expect(laterStage("development", "production")).toBe(false);
    expect(laterStage("preproduction", "production")).toBe(false);
    for (const stage of ["development", "preproduction", "production"] as const) {
      expect(laterStage(stage, stage)).toBe(false);
    }
  });
});
