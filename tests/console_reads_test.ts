/**
 * KV reads per message for an agent's console socket following 10 conversations, on another
 * instance than the senders' (so every message reaches it through the KV signal): a count, not a
 * time. A wake-up from another instance must make the socket re-read only the conversation that
 * moved, not every followed conversation in that signal shard (issue 16).
 *
 * Reads are told apart by key: the delivery path (the feed, the moved conversations, their
 * messages) is bounded per message; the instance's background work (the signal poll, leases,
 * the outbox, the search indexer, sweepers) runs on timers, so how often it reads depends on how
 * long the test takes on a loaded machine — those reads are allowed but must stay on their keys.
 */
import { assert, assertEquals } from "./assert.ts";
import { consoleReads } from "../bench/console_reads.ts";

/** Reads on these keys come from timers, not from messages (kind:prefix, or any kind with *). */
const BACKGROUND = new Set([
  "*:signal",
  "*:leases",
  "*:search_indexer_lease",
  "*:search_pending",
  "*:search_pending_run",
  "getMany:messages", // the search indexer reading what it indexes
  "*:search_msg",
  "*:search_customer",
  "*:help_meta",
  "*:help_articles",
  "*:help_article_chunks",
  "*:outbox",
  "*:outbox_lease",
  "*:deliveries",
  "*:deliveries_due",
  "*:presence",
  "*:agent_state",
  "*:sessions",
  "*:snoozed",
  "*:attachments_unused",
  "*:attachment_garbage",
  "*:erasures",
  "*:migrations",
  "*:health",
]);

const background = (kindKey: string) =>
  BACKGROUND.has(kindKey) || BACKGROUND.has("*:" + kindKey.slice(kindKey.indexOf(":") + 1));

Deno.test("an agent socket following 10 conversations re-reads only what moved", async () => {
  const r = await consoleReads({
    conversations: 10,
    agents: 1,
    burst: 2,
    shape: "agents",
    instances: 2,
    lockstep: true,
  });
  assertEquals(r.delivered, r.messages);
  const detail = `${JSON.stringify(r.byPrefix)} for ${r.messages} messages`;
  // One catch-up read of the moved conversation per message (10 conversations in 8 shards share
  // at least two shards, so re-reading every followed conversation of the shard is > 1.4).
  assert(r.counts.messageLists <= r.messages, `message reads: ${detail}`);
  // The delivery path: the feed on each wake-up, the moved conversations' records (the feed's
  // read and the shard's lastSeq: one getMany each, ≤ 10 keys), and that catch-up.
  const delivery = (r.byPrefix["list:feed"] ?? 0) + (r.byPrefix["getMany:conversations"] ?? 0) +
    (r.byPrefix["list:messages"] ?? 0);
  assert(delivery <= 3 * r.messages + 5, `delivery reads ${delivery}: ${detail}`);
  // Anything else is the odd read of the instance's own work, or its timers' keys.
  const other = Object.entries(r.byPrefix)
    .filter(([k]) =>
      !["list:feed", "getMany:conversations", "list:messages"].includes(k) && !background(k)
    )
    .reduce((sum, [, n]) => sum + n, 0);
  assert(other <= 5, `other reads ${other}: ${detail}`);
});
