/** Small assertions (no std library: JSR is out of reach here). */
import { inspect, isDeepStrictEqual } from "node:util";

export class AssertionError extends Error {}

export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new AssertionError(msg);
}

export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new AssertionError(
      `${msg ? msg + ": " : ""}values differ\n  actual:   ${inspect(actual, { depth: 6 })}\n` +
        `  expected: ${inspect(expected, { depth: 6 })}`,
    );
  }
}

export function assertMatch(actual: string, re: RegExp, msg?: string): void {
  if (!re.test(actual)) throw new AssertionError(msg ?? `${JSON.stringify(actual)} !~ ${re}`);
}

export async function assertRejects(fn: () => Promise<unknown>, msg?: string): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new AssertionError(msg ?? "expected a rejection");
}
