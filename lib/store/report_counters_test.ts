import { assert, assertEquals } from "../../tests/assert.ts";
import { bucketOf, bucketValue, medianOf } from "./report_counters.ts";

Deno.test("report histograms: buckets within 12 %, medians from counts", () => {
  for (const ms of [1_000, 7_500, 60_000, 2 * 3600_000, 9 * 864e5]) {
    const v = bucketValue(bucketOf(ms));
    assert(Math.abs(v - ms) / ms <= 0.12, `${ms} → ${v}`);
  }
  assertEquals(bucketOf(200), 0);
  assertEquals(medianOf(new Map()), null);
  const h = new Map<number, number>();
  for (const ms of [60_000, 120_000, 120_000, 3600_000, 7200_000]) {
    h.set(bucketOf(ms), (h.get(bucketOf(ms)) ?? 0) + 1);
  }
  assertEquals(medianOf(h), bucketValue(bucketOf(120_000)));
});
