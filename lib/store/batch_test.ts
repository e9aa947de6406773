import { assertEquals } from "../../tests/assert.ts";
import { getManyBatched, getValues } from "./batch.ts";

Deno.test("getManyBatched reads any number of keys, in order, 10 at a time", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    for (let i = 0; i < 25; i += 2) await kv.set(["n", i], i * 10);
    const keys = Array.from({ length: 25 }, (_, i) => ["n", i]);
    const entries = await getManyBatched<number>(kv, keys);
    assertEquals(entries.length, 25);
    assertEquals(
      entries.map((e) => e.value),
      keys.map(([, i]) => (i as number) % 2 ? null : (i as number) * 10),
    );
    assertEquals(await getValues<number>(kv, keys.slice(0, 5)), [0, 20, 40]);
    assertEquals(await getManyBatched(kv, []), []);
  } finally {
    kv.close();
  }
});
