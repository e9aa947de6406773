/** Ids: the pooled random source and the ULID factories built on it. */
import { assert, assertEquals } from "../tests/assert.ts";
import { idGenerator, pooledRandom, ulidFactory } from "./ids.ts";

Deno.test("pooledRandom: fractions in [0, 1), spread over every 1/32 across pool refills", () => {
  const buckets = new Array(32).fill(0);
  const n = 20_000; // about five refills of the 4,096-byte pool
  for (let i = 0; i < n; i++) {
    const x = pooledRandom();
    assert(x >= 0 && x < 1, `out of range: ${x}`);
    buckets[Math.floor(x * 32)]++;
  }
  // Each bucket expects 625; a fair source stays far inside these bounds.
  for (const [i, count] of buckets.entries()) {
    assert(count > 450 && count < 800, `bucket ${i}: ${count}`);
  }
});

Deno.test("ulidFactory: ULIDs at distinct times differ in their random part; one ms is monotonic", () => {
  const next = ulidFactory();
  const randomParts = new Set<string>();
  for (let t = 1_700_000_000_000; t < 1_700_000_000_000 + 2_000; t++) {
    const id = next(t);
    assert(/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id), id);
    randomParts.add(id.slice(10));
  }
  assertEquals(randomParts.size, 2_000);
  const same = [next(1_800_000_000_000), next(1_800_000_000_000), next(1_800_000_000_000)];
  assertEquals([...same].sort(), same);
  assertEquals(new Set(same).size, 3);
});

Deno.test("idGenerator: ids sort in creation order on the injected clock", () => {
  let now = 1_700_000_000_000;
  const newId = idGenerator({ now: () => now });
  const ids = Array.from({ length: 50 }, (_, i) => (now += i % 3 === 0 ? 1 : 0, newId()));
  assertEquals([...ids].sort(), ids);
});
