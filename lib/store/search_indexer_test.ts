/**
 * The search indexer (./search_indexer.ts) on a real in-memory KV with an injected clock: the
 * lease holder stopping part-way (as a crash would, its lease kept) is replaced once the lease
 * expires and the other instance finishes, with an index equal to a full index of every message;
 * a holder that lost its lease writes nothing; a batch's shared words are one entry each; erasing
 * a conversation takes its messages out of the batch entries and leaves the others' findable; an
 * erasure racing a batch leaves no word behind.
 */
import { assert, assertEquals } from "../../tests/assert.ts";
import { until } from "../../tests/wait.ts";
import { createStore, type Store } from "./mod.ts";
import { migrate } from "./migrations.ts";
import { keys } from "./keys.ts";
import { indexed, searchTerms } from "./search.ts";
import { SearchIndexer } from "./search_indexer.ts";
import { indexLines } from "./search_testing.ts";
import type { Message, User } from "../contract/types.ts";

/** A migrated store on a fresh in-memory KV. */
async function freshStore(): Promise<{ kv: Deno.Kv; store: Store }> {
  const kv = await Deno.openKv(":memory:");
  const store = createStore(kv);
  await migrate(kv);
  return { kv, store };
}

/**
 * Conversations of their own customers, each with `messages` appended at once (so the group
 * commit puts bursts of them in one commit, under one pending run), or `oneByOne`.
 */
async function seed(
  store: Store,
  conversations: number,
  messages: number,
  text = (m: number, i: number) => `message ${m} about word${m % 7} and topic${i}`,
  oneByOne = false,
): Promise<string[]> {
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
    const append = (m: number) =>
      store.conversations.append({
        conversationId: conversation.id,
        sender: m % 2 ? "agent" : "customer",
        authorId: m % 2 ? "agent" : customer.id,
        authorName: "x",
        text: text(m, i),
        private: m % 9 === 4,
      }, () => {});
    if (oneByOne) { for (let m = 0; m < messages; m++) await append(m); }
    else await Promise.all(Array.from({ length: messages }, (_, m) => append(m)));
  }
  return ids;
}

const count = async (kv: Deno.Kv, prefix: Deno.KvKey) => {
  let n = 0;
  for await (const _ of kv.list({ prefix })) n++;
  return n;
};

const messageIndex = indexLines;

/** `kv` with its `getMany` calls going through `wrap` (to count reads, or race them). */
function withGetMany(
  kv: Deno.Kv,
  wrap: (
    keys: Deno.KvKey[],
    getMany: (keys: Deno.KvKey[]) => Promise<Deno.KvEntryMaybe<unknown>[]>,
  ) => Promise<Deno.KvEntryMaybe<unknown>[]>,
): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      if (prop === "getMany") return (ks: Deno.KvKey[]) => wrap(ks, (k) => target.getMany(k));
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Resolves the conversation (as erasure wants) and erases it. */
async function erase(store: Store, id: string) {
  await store.conversations.change(id, (c) => ({ next: { ...c, status: "resolved" } }));
  assertEquals(await store.eraser.eraseConversation(id), "erased");
}

/** No word of conversation `id` is left in the index, and every other message's words are. */
async function assertOnlyOthersIndexed(kv: Deno.Kv, id: string) {
  const left = await messageIndex(kv);
  assert(left.length > 0 && left.every((l) => !l.includes(id)), "no word of it is left");
  assertEquals(left, await fullIndex(kv), "the other conversation's words are all there");
}

/** Messages waiting for the indexer: single entries and runs. */
async function pendingMessages(
  kv: Deno.Kv,
): Promise<{ singles: number; runs: number; messages: number }> {
  let singles = 0, runs = 0, messages = 0;
  for await (const _ of kv.list({ prefix: keys.searchPendingPrefix() })) singles++, messages++;
  for await (const e of kv.list<{ n: number }>({ prefix: keys.searchPendingRunPrefix() })) {
    runs++;
    messages += e.value.n;
  }
  return { singles, runs, messages };
}

/** What indexing every message from scratch gives (the greeting and system messages aside). */
async function fullIndex(kv: Deno.Kv): Promise<string[]> {
  const out: string[] = [];
  for await (const { value: m } of kv.list<Message>({ prefix: ["messages"] })) {
    if (!indexed(m) || (m.seq === 1 && m.sender === "bot")) continue;
    for (const t of searchTerms(m.text)) out.push(`${t} ${m.conversationId} ${m.seq}`);
  }
  return out.sort();
}

Deno.test("search indexer: a crashed lease holder is replaced and the index is complete", async () => {
  const { kv, store } = await freshStore();
  await seed(store, 3, 60, undefined, true);
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

Deno.test("search indexer: one entry per word and batch; an erasure takes only its messages out", async () => {
  const { kv, store } = await freshStore();
  const ids = await seed(store, 2, 14);
  const indexer = new SearchIndexer(kv);
  assertEquals(await indexer.drain(), 28);
  assertEquals(await messageIndex(kv), await fullIndex(kv));
  let entries = 0;
  for await (const _ of kv.list({ prefix: ["search_msg"] })) entries++;
  const lines = (await messageIndex(kv)).length;
  assert(entries * 3 < lines, `shared words share entries (${entries} entries, ${lines} words)`);
  const marker = await kv.list<{ b: string; s: number[] }>({ prefix: keys.searchDonePrefix() })
    .next();
  assertEquals(
    await count(kv, keys.searchDonePrefix()),
    2,
    "one marker per conversation and batch",
  );
  assertEquals(marker.value?.value.s.length, 14, "naming its 14 messages");
  const hits = (q: string) =>
    store.search.query(q, 10, () => Promise.resolve(undefined)).then((r) =>
      r.map((h) => h.conversation.id).sort()
    );
  assertEquals(await hits("word3"), [...ids].sort(), "one result per conversation");

  await erase(store, ids[0]);
  assertEquals(await hits("word3"), [ids[1]]);
  assertEquals(await hits("topic0"), []);
  await assertOnlyOthersIndexed(kv, ids[0]);
  assertEquals(await count(kv, keys.searchDonePrefix()), 1, "its marker went with it");
  await indexer.stop();
  kv.close();
});

Deno.test("search indexer: an erasure finds the one-message markers older indexers wrote", async () => {
  const { kv, store } = await freshStore();
  const ids = await seed(store, 2, 10);
  const indexer = new SearchIndexer(kv);
  assertEquals(await indexer.drain(), 20);
  // Rewrite the markers as indexers before the shared ones left them: one ["search_done",
  // messageId] → batchKey per message.
  const byId = new Map<string, Message>();
  for await (const { value: m } of kv.list<Message>({ prefix: ["messages"] })) byId.set(m.id, m);
  let legacy = 0;
  for await (const e of kv.list<{ b: string; s: number[] }>({ prefix: keys.searchDonePrefix() })) {
    const conversationId = byId.get(String(e.key[1]))!.conversationId;
    const op = kv.atomic().delete(e.key);
    for (const seq of e.value.s) {
      const m = (await kv.get<Message>(keys.message(conversationId, seq))).value!;
      op.set(keys.searchDone(m.id), e.value.b);
      legacy++;
    }
    assert((await op.commit()).ok);
  }
  assertEquals(legacy, 20, "a marker per indexed message");
  await erase(store, ids[0]);
  await assertOnlyOthersIndexed(kv, ids[0]);
  assertEquals(await count(kv, keys.searchDonePrefix()), 10, "its markers went, the other's stay");
  await indexer.stop();
  kv.close();
});

Deno.test("search indexer: messages erased while it reads them leave no words behind", async () => {
  const { kv, store } = await freshStore();
  await seed(store, 1, 6);
  const queued = await pendingMessages(kv);
  assertEquals(queued.messages, 6);
  assert(queued.runs > 0, "messages committed together share a run entry");
  // An erasure lands between the indexer's read of the messages and its commit: it deletes the
  // pending entries (lib/store/erase.ts deletes them no later than the words).
  let erased = false;
  const racing = withGetMany(kv, async (ks, getMany) => {
    const read = await getMany(ks);
    if (!erased) {
      erased = true;
      // What lib/store/erase.ts does first: the pending entries go, then the counter moves.
      for (const prefix of [["search_pending"], ["search_pending_run"]]) {
        for await (const e of kv.list({ prefix })) await kv.delete(e.key);
      }
      await kv.atomic().sum(keys.searchEraseGen(), 1n).commit();
    }
    return read;
  });
  const indexer = new SearchIndexer(racing);
  await indexer.drain();
  assert(erased, "the erasure raced the read");
  assertEquals(await messageIndex(kv), [], "no word written after the erasure");
  await indexer.stop();
  kv.close();
});

Deno.test("search indexer: this instance's own messages are indexed without reading them back", async () => {
  const kv = await Deno.openKv(":memory:");
  let reads = 0;
  const counted = withGetMany(kv, (ks, getMany) => {
    reads++;
    return getMany(ks);
  });
  const indexer = new SearchIndexer(counted);
  assertEquals(await indexer.drain(), 0);
  assert(indexer.holding, "the lease is taken before messages come");
  const store = createStore(kv, { onMessage: (m) => indexer.remember(m) });
  await migrate(kv);
  await seed(store, 2, 10);
  assertEquals(await indexer.drain(), 20);
  assertEquals(reads, 0, "no message read back");
  assertEquals(await messageIndex(kv), await fullIndex(kv));
  // A text over 2,000 characters is not kept (memory): it is read back.
  await seed(store, 1, 1, () => `long ${"word ".repeat(450)}`);
  assertEquals(await indexer.drain(), 1);
  assert(reads > 0, "the long message read back");
  // Another instance's messages (not remembered here) are read.
  const before = reads;
  await seed(createStore(kv), 1, 3);
  assertEquals(await indexer.drain(), 3);
  assert(reads > before);
  assertEquals(await messageIndex(kv), await fullIndex(kv));
  await indexer.stop();
  kv.close();
});

Deno.test("search indexer: a batch of long messages sharing their words stays within a commit's size", async () => {
  const { kv, store } = await freshStore();
  // 300 messages of the same 100 words: 100 entries of 300 postings each would pass the mutation
  // count but not KV's 800 KiB per commit, so the batch must stop short of it.
  const text = Array.from({ length: 100 }, (_, i) => `word${i}x`).join(" ");
  await seed(store, 1, 300, () => text);
  const indexer = new SearchIndexer(kv, { batchSize: 300 });
  assertEquals(await indexer.drain(), 300);
  assertEquals(await messageIndex(kv), await fullIndex(kv));
  await indexer.stop();
  kv.close();
});

Deno.test("search indexer: erasing a conversation takes its pending runs with it", async () => {
  const { kv, store } = await freshStore();
  const [id] = await seed(store, 1, 8);
  assert((await pendingMessages(kv)).runs > 0, "a burst left a run");
  await erase(store, id);
  assertEquals(await pendingMessages(kv), { singles: 0, runs: 0, messages: 0 });
  kv.close();
});

Deno.test("search indexer: a backlog of runs is read and indexed a batch's worth at a time", async () => {
  const { kv, store } = await freshStore();
  await seed(store, 3, 60);
  assert((await pendingMessages(kv)).runs >= 3, "each conversation's burst left a run");
  let read = 0;
  const counted = withGetMany(kv, (ks, getMany) => {
    read += ks.filter((k) => k[0] === "messages").length;
    return getMany(ks);
  });
  const indexer = new SearchIndexer(counted, { batchSize: 20 });
  assertEquals(await indexer.drain(), 180);
  assertEquals(read, 180, "each message read once: a batch reads only the 20 it indexes");
  assertEquals(await pendingMessages(kv), { singles: 0, runs: 0, messages: 0 });
  assertEquals(await messageIndex(kv), await fullIndex(kv));
  await indexer.stop();
  kv.close();
});

Deno.test("search indexer: a batch that leaves listed entries behind is followed at once", async () => {
  const { kv, store } = await freshStore();
  await seed(store, 8, 3); // per conversation, a lone first message and a run of the rest
  await seed(store, 1, 8, undefined, true);
  const queued = await pendingMessages(kv);
  assert(queued.singles + queued.runs > 20 && queued.singles < 20 && queued.runs < 20);
  // Polling once a minute: only a batch that knows more is waiting goes on without a wake-up.
  const indexer = new SearchIndexer(kv, { batchSize: 20, pollMs: 60_000, gatherMs: 0 });
  indexer.start();
  await until(async () => (await pendingMessages(kv)).messages === 0, "the queue drained");
  assertEquals(await messageIndex(kv), await fullIndex(kv));
  await indexer.stop();
  kv.close();
});
