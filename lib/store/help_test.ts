import { assert, assertEquals } from "../../tests/assert.ts";
import { idGenerator } from "../ids.ts";
import { systemClock } from "../clock.ts";
import { HelpArticles, MAX_SOURCE_CHARS } from "./help.ts";
import { openKv } from "./mod.ts";

const articlesOn = (kv: Deno.Kv) => new HelpArticles(kv, systemClock, idGenerator());

Deno.test("an article longer than a KV value is stored in chunks and read back whole", async () => {
  using kv = await Deno.openKv(":memory:");
  const help = articlesOn(kv);
  // Emoji are surrogate pairs: a chunk boundary must not split one.
  const source = `# Big\n\n${"😀 words ".repeat(30_000)}`.slice(0, MAX_SOURCE_CHARS);
  const before = await help.version();
  const record = await help.put("big", source, "admin");
  assert(record.chunks >= 10, `${record.chunks} chunks`);
  assertEquals((await help.get("big"))?.source, source);
  assert((await help.version()) !== before, "the version moves with every change");
  await help.put("big", "# Small\n", "admin");
  assertEquals((await help.get("big"))?.source, "# Small\n");
  assertEquals((await help.all()).length, 1);
  assert(await help.remove("big"));
  assertEquals(await help.get("big"), null);
  assert(!(await help.remove("big")));
});

Deno.test("two instances starting at once import KNOWLEDGE_DIR exactly once, and never again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/kv.sqlite`;
    // Two handles on one file, as two instances (or WORKERS isolates) have: see ./busy.ts.
    const [a, b] = [await openKv(path), await openKv(path)];
    const files = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`article-${i}`, `# Article ${i}\n`]),
    );
    const [x, y] = await Promise.all([
      articlesOn(a).importOnce(files),
      articlesOn(b).importOnce(files),
    ]);
    assertEquals(x + y, 12, "each article imported by exactly one instance");
    assertEquals((await articlesOn(a).all()).length, 12);
    // An admin deletes one; a restart does not bring it back.
    await articlesOn(a).remove("article-3");
    assertEquals(await articlesOn(b).importOnce(files), 0);
    assertEquals((await articlesOn(b).all()).length, 11);
    a.close();
    b.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
