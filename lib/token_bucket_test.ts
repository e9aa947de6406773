import { assert, assertEquals } from "../tests/assert.ts";
import { BucketMap, TokenBucket } from "./token_bucket.ts";

const clockAt = (start = 0) => {
  const clock = { t: start, now: () => clock.t };
  return clock;
};

Deno.test("a bucket spends its burst, then refills at its rate", () => {
  const clock = clockAt();
  const bucket = new TokenBucket(2, 3, clock);
  assertEquals([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [
    true,
    true,
    true,
    false,
  ]);
  assertEquals(bucket.retryAfterMs, 500);
  clock.t += 500;
  assert(bucket.take(), "one token back after 500 ms at 2/s");
  assert(!bucket.take());
  clock.t += 10_000;
  const taken = [1, 2, 3, 4].map(() => bucket.take());
  assertEquals(taken, [true, true, true, false], "refills up to the burst, no further");
});

Deno.test("buckets are per key", () => {
  const map = new BucketMap(1, 1, clockAt());
  assert(map.get("a").take());
  assert(!map.get("a").take());
  assert(map.get("b").take(), "another key has its own bucket");
  assertEquals(map.get("a"), map.get("a"));
});
