/**
 * KV reads per message for an agent's console socket following 10 conversations, on another
 * instance than the senders' (so every message reaches it through the KV signal): a count, not a
 * time. A wake-up from another instance must make the socket re-read only the conversation that
 * moved, not every followed conversation in that signal shard (issue 16).
 */
import { assert, assertEquals } from "./assert.ts";
import { consoleReads } from "../bench/console_reads.ts";

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
  // One catch-up read of the moved conversation per message (10 conversations in 8 shards share
  // at least two shards, so re-reading every followed conversation of the shard is > 1.4).
  assert(
    r.counts.messageLists <= r.messages,
    `message reads ${r.counts.messageLists} for ${r.messages} messages`,
  );
  // Every KV read of that instance: the feed, the lastSeq of the shard's followed conversations
  // (one getMany: ≤ 10 of them), that catch-up, and the odd read of the instance's own work.
  assert(
    r.counts.get + r.counts.getMany + r.counts.list <= 3 * r.messages + 5,
    `reads ${JSON.stringify(r.counts)} for ${r.messages} messages`,
  );
});
