/**
 * `deno task bench:search`: search latency over a store of 100,000 messages. Writes the messages
 * through the real group commit (each queued for the index, as in production) into a fresh KV
 * file, runs the search indexer (lib/store/search_indexer.ts) until the queue is empty, then times `SearchIndex.query` (lib/store/search.ts, what GET /api/search runs, without
 * HTTP) for several kinds of query, and prints p50/p95/p99 per kind.
 *
 * Options: --messages 100000 --conversations 2000 --runs 200 --json
 */
import { parseArgs } from "node:util";
import { createStore } from "../lib/store/mod.ts";
import { migrate } from "../lib/store/migrations.ts";
import { keys } from "../lib/store/keys.ts";
import { SearchIndexer } from "../lib/store/search_indexer.ts";
import type { User } from "../lib/contract/types.ts";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "100000" },
    conversations: { type: "string", default: "2000" },
    runs: { type: "string", default: "200" },
    json: { type: "boolean", default: false },
  },
});
const MESSAGES = Number(values.messages);
const CONVERSATIONS = Number(values.conversations);
const RUNS = Number(values.runs);

/** A deterministic generator (xorshift), so every run writes the same store. */
let seed = 12345;
const rand = () => {
  seed ^= seed << 13, seed ^= seed >>> 17, seed ^= seed << 5;
  return ((seed >>> 0) % 1_000_000) / 1_000_000;
};
const COMMON = [
  "the",
  "my",
  "order",
  "invoice",
  "please",
  "help",
  "account",
  "payment",
  "is",
  "not",
];
/** 5,000 other words, picked with a Zipf-like skew. */
const VOCAB = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}x`);
const word = () =>
  rand() < 0.4
    ? COMMON[Math.floor(rand() * COMMON.length)]
    : VOCAB[Math.floor(VOCAB.length * rand() ** 2.5)];
const sentence = () => Array.from({ length: 6 + Math.floor(rand() * 20) }, word).join(" ");

const dir = await Deno.makeTempDir({ prefix: "parley-bench-search-" });
const kv = await Deno.openKv(`${dir}/kv.sqlite`);
const store = createStore(kv, { maxChecks: 100 });
await migrate(kv);

console.error(
  `writing ${MESSAGES.toLocaleString("en")} messages in ${CONVERSATIONS} conversations…`,
);
const t0 = performance.now();
const ids: string[] = [];
for (let i = 0; i < CONVERSATIONS; i++) {
  const customer: User = {
    id: `01BENCHCUSTOMER${String(i).padStart(11, "0")}`,
    name: `Customer${i} Family${i % 97}`,
    email: `customer${i}@bench.example`,
    role: "customer",
    createdAt: new Date().toISOString(),
  };
  await kv.set(keys.user(customer.id), { ...customer, passwordHash: "x" });
  ids.push(
    (await store.conversations.create(customer, { name: "Bot", text: "Hi" })).conversation.id,
  );
}
const perConversation = Math.ceil(MESSAGES / CONVERSATIONS);
let written = 0;
// 2,000 appends in flight at a time: the group commit batches them, as under load.
const inFlight = new Set<Promise<unknown>>();
for (let m = 0; m < perConversation && written < MESSAGES; m++) {
  for (const id of ids) {
    if (written++ >= MESSAGES) break;
    const p = store.conversations.append({
      conversationId: id,
      sender: m % 2 ? "agent" : "customer",
      authorId: "bench",
      authorName: "Bench",
      text: sentence(),
      private: m % 10 === 9,
    }, () => {});
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
    if (inFlight.size >= 2000) await Promise.race(inFlight);
  }
}
await Promise.all(inFlight);
const writeSeconds = (performance.now() - t0) / 1000;
console.error(
  `written in ${writeSeconds.toFixed(1)} s (${
    Math.round(MESSAGES / writeSeconds)
  } msgs/s, each queued for the index)`,
);
const t1 = performance.now();
const indexedCount = await new SearchIndexer(kv).drain();
const indexSeconds = (performance.now() - t1) / 1000;
console.error(
  `indexed ${indexedCount.toLocaleString("en")} in ${indexSeconds.toFixed(1)} s (${
    Math.round(indexedCount / indexSeconds)
  } msgs/s)`,
);

const queries: Record<string, () => string> = {
  "one common word": () => "invoice",
  "two common words": () => "order payment",
  "one rare word": () => VOCAB[4000 + Math.floor(rand() * 999)],
  "common + rare word": () => `invoice ${VOCAB[3000 + Math.floor(rand() * 999)]}`,
  "customer name": () => `customer${Math.floor(rand() * CONVERSATIONS)}`,
  "email": () => `customer${Math.floor(rand() * CONVERSATIONS)}@bench.example`,
  "no match": () => "zzzznothing",
};
const emails = (id: string) => kv.get<User>(keys.user(id)).then((e) => e.value?.email);
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const results: Record<string, { p50: number; p95: number; p99: number; avgHits: number }> = {};
for (const [name, q] of Object.entries(queries)) {
  for (let i = 0; i < 10; i++) await store.search.query(q(), 20, emails); // warm up
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    hits += (await store.search.query(q(), 20, emails)).length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  results[name] = {
    p50: +pct(times, 0.5).toFixed(2),
    p95: +pct(times, 0.95).toFixed(2),
    p99: +pct(times, 0.99).toFixed(2),
    avgHits: +(hits / RUNS).toFixed(1),
  };
}
kv.close();
await Deno.remove(dir, { recursive: true });

console.log(`search over ${MESSAGES.toLocaleString("en")} messages, ${RUNS} runs each (ms)`);
console.log("query                 p50     p95     p99   results");
for (const [name, r] of Object.entries(results)) {
  console.log(
    `${name.padEnd(20)} ${String(r.p50).padStart(6)} ${String(r.p95).padStart(7)} ${
      String(r.p99).padStart(7)
    }   ${r.avgHits}`,
  );
}
if (values.json) {
  console.log(JSON.stringify({ messages: MESSAGES, writeSeconds, indexSeconds, results }));
}
