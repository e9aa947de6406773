/**
 * The search indexer (./search_indexer.ts) on a real in-memory KV with an injected clock: the
 * lease holder stopping part-way (as a crash would, its lease kept) is replaced once the lease
 * expires and the other instance finishes, with an index equal to a full index of every message;
 * a holder that lost its lease writes nothing; messages queued again are indexed again without
 * any duplicate entry or result.
 */
import { assert, assertEquals } from "../../tests/assert.ts";
import { until } from "../../tests/wait.ts";
import { createStore, type Store } from "./mod.ts";
import { migrate } from "./migrations.ts";
import { keys } from "./keys.ts";
import { indexed, indexMessage } from "./search.ts";
import { SearchIndexer } from "./search_indexer.ts";
import type { Message, User } from "../contract/types.ts";

async function seed(store: Store, conversations: number, messages: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < conversations; i++) {
    const customer: User = {
      id: `01CUSTOMER0000000000000${i}`.slice(0, 26),
      name: `Customer Number${i}`,
      email: `c${i}@example.com`,
      role: "customer",
      createdAt: new Date().toISOString(),
    };
    await store.kv.set(keys.user(customer.id), { ...customer, passwordHash: "x" });
    const { conversation } = await store.conversations.create(customer, {
      name: "Bot",
      text: "Hi",
    });
    ids.push(conversation.id);
    await Promise.all(Array.from({ length: messages }, (_, m) =>
      store.conversations.append({
        conversationId: conversation.id,
        sender: m % 2 ? "agent" : "customer",
        authorId: m % 2 ? "agent" : customer.id,
        authorName: "x",
        text: `message ${m} about word${m % 7} and topic${i}`,
        private: m % 9 === 4,
      }, () => {})));
  }
  return ids;
}

const count = async (kv: Deno.Kv, prefix: Deno.KvKey) => {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
};

async function messageIndex(kv: Deno.Kv): Promise<string[]> {
  const out: string[] = [];
  for await (const e of kv.list({ prefix: ["search_msg"] })) {
    out.push(JSON.stringify([e.key, e.value]));
  }
  return out.sort();
}

/** What indexing every message from scratch writes (the greeting and system messages aside). */
async function fullIndex(kv: Deno.Kv): Promise<string[]> {
  const out: string[] = [];
  for await (const { value: m } of kv.list<Message>({ prefix: ["messages"] })) {
    if (!indexed(m) || (m.seq === 1 && m.sender === "bot")) continue;
    indexMessage({
      set: (key, value) => out.push(JSON.stringify([key, value])),
      delete: () => {},
      sum: () => {},
    }, m);
  }
  return out.sort();
}

Deno.test("search indexer: a crashed lease holder is replaced and the index is complete", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = createStore(kv);
  await migrate(kv);
  await seed(store, 3, 60);
  const queued = await count(kv, keys.searchPendingPrefix());
  assertEquals(queued, 180, "one pending entry per message, nothing indexed on the message path");
  assertEquals(await count(kv, ["search_msg"]), 0);

  let now = 1_000_000;
  const clock = { now: () => now };
  let batches = 0;
  const a = new SearchIndexer(kv, {
    clock,
    owner: "a",
    batchSize: 20,
    pollMs: 5,
    onBatch: () => ++batches < 2, // "crashes" after its second batch, keeping the lease
  });
  a.start();
  await until(() => batches === 2, "instance a's two batches");
  await a.stop();
  assertEquals(await count(kv, keys.searchPendingPrefix()), queued - 40);
  assertEquals((await kv.get<{ owner: string }>(keys.searchIndexerLease())).value?.owner, "a");

  // While a's lease runs, b indexes nothing; once it has expired, b takes over and finishes.
  const b = new SearchIndexer(kv, { clock, owner: "b", pollMs: 5, leaseCheckMs: 5 });
  assertEquals(await b.drain(), 0);
  now += 5_001;
  b.start();
  await until(
    async () => (await count(kv, keys.searchPendingPrefix())) === 0,
    "instance b to finish the queue",
  );
  assert(b.holding);
  assertEquals(await messageIndex(kv), await fullIndex(kv));

  // a, back with a clock that says its old lease still runs, writes nothing: its commit checks
  // the lease entry, which b has moved.
  const before = await messageIndex(kv);
  const stale = new SearchIndexer(kv, { clock: { now: () => now - 5_001 }, owner: "a" });
  assertEquals(await stale.drain(), 0);
  await b.stop();
  assertEquals((await kv.get(keys.searchIndexerLease())).value, null, "b gave its lease back");
  assertEquals(await messageIndex(kv), before);
  kv.close();
});

Deno.test("search indexer: indexing a message again duplicates nothing", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = createStore(kv);
  await migrate(kv);
  await seed(store, 2, 14);
  const indexer = new SearchIndexer(kv);
  assertEquals(await indexer.drain(), 28);
  const once = await messageIndex(kv);
  assertEquals(once, await fullIndex(kv));
  const hits = () =>
    store.search.query("word3", 10, () => Promise.resolve(undefined)).then((r) =>
      r.map((h) => [h.conversation.id, h.message?.seq])
    );
  const found = await hits();
  assertEquals(found.length, 2, "one result per conversation");

  // Every message queued again (a batch repeated after a crash looks like this).
  for await (const { value: m } of kv.list<Message>({ prefix: ["messages"] })) {
    // What the message path queued (not the greeting, which `create` writes unqueued).
    if (indexed(m) && m.seq > 1) {
      await kv.set(keys.searchPending(m.id), { c: m.conversationId, s: m.seq });
    }
  }
  assert((await indexer.drain()) > 0);
  assertEquals(await messageIndex(kv), once);
  assertEquals(await hits(), found);
  await indexer.stop();
  kv.close();
});

Deno.test("search indexer: messages erased while it reads them leave no words behind", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = createStore(kv);
  await migrate(kv);
  await seed(store, 1, 6);
  assertEquals(await count(kv, ["search_pending"]), 6);
  // An erasure lands between the indexer's read of the messages and its commit: it deletes the
  // pending entries (lib/store/erase.ts deletes them no later than the words).
  let erased = false;
  const racing = new Proxy(kv, {
    get(target, prop) {
      if (prop === "getMany") {
        return async (ks: Deno.KvKey[]) => {
          const read = await target.getMany(ks);
          if (!erased) {
            erased = true;
            for await (const e of target.list({ prefix: ["search_pending"] })) {
              await target.delete(e.key);
            }
          }
          return read;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const indexer = new SearchIndexer(racing);
  await indexer.drain();
  assert(erased, "the erasure raced the read");
  assertEquals(await messageIndex(kv), [], "no word written after the erasure");
  await indexer.stop();
  kv.close();
});
