/** The relay's listener index: an event reaches the listeners it concerns, and only them. */
import { assert, assertEquals } from "../../tests/assert.ts";
import { SIGNAL_SHARDS, signalShard } from "../store/signals.ts";
import { ListenerIndex } from "./listeners.ts";
import type { Listener, RelayEvent } from "./events.ts";
import type { Conversation, Message } from "../contract/types.ts";

function listener(name: string, tokenHash: string | null = null): Listener & { name: string } {
  return {
    name,
    tokenHash,
    userId: null,
    seesNotes: false,
    inbox: false,
    follows: () => true,
    onEvent: () => {},
    onCommitted: () => {},
  };
}

const names = (it: Iterable<Listener>) =>
  [...it].map((l) => (l as unknown as { name: string }).name).sort();
const message = (conversationId: string): RelayEvent => ({
  type: "message",
  message: { conversationId } as Message,
});
const changed = (id: string, reason: "message" | "state"): RelayEvent => ({
  type: "conversation",
  conversation: { id } as Conversation,
  reason,
});

Deno.test("recipients follow subscriptions, the inbox and sessions", () => {
  const index = new ListenerIndex();
  const [a, b, agent, idle] = [
    listener("a", "ta"),
    listener("b", "tb"),
    listener("agent", "tg"),
    listener("idle", "ti"),
  ];
  for (const l of [a, b, agent, idle]) index.add(l);
  index.follow(a, "c1");
  index.follow(b, "c2");
  index.follow(agent, "c1");
  index.joinInbox(agent);

  assertEquals(names(index.recipients(message("c1"))), ["a", "agent"]);
  assertEquals(names(index.recipients(message("c3"))), []);
  // A new message only tells the inbox; a state change tells followers too (once each).
  assertEquals(names(index.recipients(changed("c2", "message"))), ["agent"]);
  assertEquals(names(index.recipients(changed("c2", "state"))), ["agent", "b"]);
  assertEquals(names(index.recipients(changed("c1", "state"))), ["a", "agent"]);
  assertEquals(names(index.recipients({ type: "session_revoked", tokenHash: "tb" })), ["b"]);
  assertEquals(names(index.recipients({ type: "agent", user: {} } as RelayEvent)), ["agent"]);
  const queue = { type: "queue", positions: new Map([["c1", 1], ["c2", 2]]) } as RelayEvent;
  assertEquals(names(index.recipients(queue)), ["a", "agent", "b"]);

  index.unfollow(a, "c1");
  assertEquals(names(index.recipients(message("c1"))), ["agent"]);
  index.remove(agent);
  assertEquals(names(index.recipients(message("c1"))), []);
  assertEquals(names(index.recipients(changed("c2", "state"))), ["b"]);
  // A listener removed while it was subscribing does not come back.
  index.follow(agent, "c2");
  index.joinInbox(agent);
  assertEquals(names(index.recipients(changed("c2", "state"))), ["b"]);
  assertEquals(index.all.size, 3);
});

Deno.test("followed conversations by signal shard: what a wake-up of a shard concerns", () => {
  const index = new ListenerIndex();
  const [a, b] = [listener("a"), listener("b")];
  index.add(a);
  index.add(b);
  const ids = Array.from({ length: 20 }, (_, i) => `conv-${i}`);
  for (const id of ids) index.follow(a, id);
  index.follow(b, ids[0]);
  const all = [...Array(SIGNAL_SHARDS).keys()];
  assertEquals(index.followedIn(all).sort(), [...ids].sort());
  const shard = signalShard(ids[0]);
  assertEquals(
    index.followedIn([shard]).sort(),
    ids.filter((id) => signalShard(id) === shard).sort(),
  );
  assertEquals(index.followerCount(ids[0]), 2);
  assertEquals(names(index.followers(ids[0])), ["a", "b"]);
  // Still followed by b after a leaves; gone from its shard once nobody follows it.
  index.unfollow(a, ids[0]);
  assert(index.followedIn([shard]).includes(ids[0]));
  index.remove(b);
  assert(!index.followedIn([shard]).includes(ids[0]));
  assertEquals(index.followerCount(ids[0]), 0);
});
