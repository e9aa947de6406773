/**
 * KvU64 counters moved with `sum` inside the commits they count (no check, so they never
 * conflict). A Deno.KvU64 sum wraps modulo 2^64 (checked on Deno 2.9.6), so adding 2^64 − 1
 * subtracts 1.
 */

/** −1 for `sum` on a Deno.KvU64. */
export const MINUS_ONE = (1n << 64n) - 1n;

/** `delta` (±1 or any small integer) as a KvU64 addend. */
export const addend = (delta: number): bigint =>
  delta >= 0 ? BigInt(delta) : (1n << 64n) + BigInt(delta);

/**
 * A counter's value as a number: absent is 0, and a value that wrapped below zero (a counter that
 * drifted, which the commits never do) reads as 0 rather than 2^64 − 1.
 */
export function countOf(value: unknown): number {
  if (!(value instanceof Deno.KvU64)) return 0;
  return value.value >= 1n << 63n ? 0 : Number(value.value);
}

/** The signed value of a counter (a wrapped one is negative): for sums of several counters. */
export function signedOf(value: unknown): number {
  if (!(value instanceof Deno.KvU64)) return 0;
  return value.value >= 1n << 63n ? Number(value.value - (1n << 64n)) : Number(value.value);
}
