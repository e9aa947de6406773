/**
 * The search backfill (./search_backfill.ts, migration step 4): messages and conversations written
 * before the index (simulated by removing every search key and setting the store back to version
 * 1) are indexed by `migrate`, which a crash part-way through leaves resumable: a second run
 * finishes from the progress record, and afterwards the index holds exactly what the message
 * path and the indexer (./search_indexer.ts) wrote (the same words of the same messages: the
 * backfill writes each message's own entries, the indexer one entry per word and batch).
 */
import { assert, assertEquals } from "../../tests/assert.ts";
import { createStore } from "./mod.ts";
import { migrate } from "./migrations.ts";
import { keys } from "./keys.ts";
import { SearchIndexer } from "./search_indexer.ts";
import { indexLines } from "./search_testing.ts";
import type { User } from "../contract/types.ts";

/** The index: each message's words (whatever the entries' layout) and the customers' words. */
async function searchKeys(kv: Deno.Kv): Promise<string[]> {
  const out = await indexLines(kv);
  for await (const e of kv.list({ prefix: ["search_customer"] })) {
    out.push(JSON.stringify([e.key, e.value]));
  }
  return out.sort();
}

Deno.test("search backfill: resumable after a crash, and the same index as live writes", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = createStore(kv);
  await migrate(kv); // a fresh store is at the latest version
  for (let i = 0; i < 6; i++) {
    const customer: User = {
      id: `01CUSTOMER0000000000000${i}`.slice(0, 26),
      name: `Customer Number${i}`,
      email: `c${i}@example.com`,
      role: "customer",
      createdAt: new Date().toISOString(),
    };
    await kv.set(keys.user(customer.id), { ...customer, passwordHash: "x" });
    const { conversation } = await store.conversations.create(customer, {
      name: "Bot",
      text: "Hi",
    });
    for (let m = 0; m < 40; m++) {
      await store.conversations.append({
        conversationId: conversation.id,
        sender: m % 2 ? "agent" : "customer",
        authorId: m % 2 ? "agent" : customer.id,
        authorName: "x",
        text: `message ${m} about word${m % 7} and ${"filler ".repeat(m % 3)}topic${i}`,
        private: m === 5,
      }, () => {});
    }
  }
  // The message path queues; the indexer writes the index.
  assert((await new SearchIndexer(kv).drain()) > 200);
  const live = await searchKeys(kv);
  assert(live.length > 500, `the message path indexed (${live.length})`);

  // "Before the index": no search keys, store at version 3 (the step before search).
  for (
    const prefix of [
      ["search_msg"],
      ["search_customer"],
      ["search_pending"],
      ["search_pending_run"],
      ["search_done"],
    ]
  ) {
    for await (const e of kv.list({ prefix })) await kv.delete(e.key);
  }
  await kv.set(keys.migrations(), { version: 3 });
  await kv.delete(keys.migrationProgress(4));
  assertEquals(await searchKeys(kv), []);

  let batches = 0;
  const crash = new Error("crash");
  await migrate(kv, {
    onBatch: () => {
      if (++batches === 3) throw crash;
    },
  }).catch((e) => assertEquals(e, crash));
  const partial = (await searchKeys(kv)).length;
  assert(partial > 0 && partial < live.length, `part-way (${partial} of ${live.length})`);
  await migrate(kv);
  assertEquals(await searchKeys(kv), live);
  assertEquals((await kv.get(keys.migrations())).value, { version: 4 });
  const hits = await store.search.query("word3 topic2", 10, () => Promise.resolve(undefined));
  assertEquals(hits.length, 1);
  kv.close();
});
