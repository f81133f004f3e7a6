import { ValidationError } from "../../lib";

/**
 * Runs `fn`, which must throw a {@link ValidationError} with a problem at `path` whose value
 * equals `value` and whose rule matches `rule`. Returns the error, for assertions on its subject
 * or its other problems.
 */
export function refused(fn: () => unknown, path: string, value: unknown, rule: RegExp): ValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    const problem = (e as ValidationError).problems.find((p) => p.path === path);
    expect({ path, allowed: problem?.allowed }).toEqual({ path, allowed: expect.stringMatching(rule) });
    expect(problem?.value).toEqual(value);
    return e as ValidationError;
  }
  throw new Error(`expected a ValidationError at ${path}`);
}
