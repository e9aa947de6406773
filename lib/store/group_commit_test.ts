/**
 * Group commit (lib/store/group_commit.ts) keeps the semantics of one append per commit: gapless
 * seqs, clientId dedupe, the accept() guard, and retries on conflict — under concurrent appends
 * to many conversations, to one conversation, and from two "instances" sharing one KV.
 */
import { assert, assertEquals } from "../../tests/assert.ts";
import { createStore, type Store } from "./mod.ts";
import type { Appended } from "./conversations.ts";
import type { Conversation } from "../contract/types.ts";
import { AppError } from "../errors.ts";
import { clientIdHash, PER_AUTHOR } from "./client_ids.ts";
import { keys } from "./keys.ts";

const greeting = { name: "Bot", text: "Hi!" };

async function withStore(fn: (store: Store, kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(createStore(kv), kv);
  } finally {
    kv.close();
  }
}

async function newConversation(store: Store): Promise<Conversation> {
  const customer = await store.users.create({ name: "Cleo", role: "guest" });
  return (await store.conversations.create(customer, greeting)).conversation;
}

function say(store: Store, conversationId: string, text: string, clientId?: string) {
  return store.conversations.append({
    conversationId,
    sender: "customer",
    authorId: "author-1",
    authorName: "Cleo",
    text,
    clientId,
  }, (c) => {
    if (c.status === "resolved") throw new AppError("conflict", "resolved");
  });
}

/** Every message of a conversation: seqs 1..lastSeq with no gap, the record agreeing. */
async function assertGapless(store: Store, id: string) {
  const messages = await store.conversations.messages(id, 0, 1000);
  assertEquals(messages.map((m) => m.seq), messages.map((_, i) => i + 1), "gapless seqs");
  const conv = (await store.conversations.get(id))!;
  assertEquals(conv.lastSeq, messages.length, "lastSeq matches the messages");
  return messages;
}

Deno.test("group commit: concurrent appends to many conversations", () =>
  withStore(async (store) => {
    const convs = await Promise.all(Array.from({ length: 25 }, () => newConversation(store)));
    const sends: Promise<Appended>[] = [];
    for (let round = 0; round < 12; round++) {
      for (const c of convs) sends.push(say(store, c.id, `m${round}`, `${c.id}-${round}`));
    }
    const results = await Promise.all(sends);
    assert(results.every((r) => !r.duplicate), "no duplicates among distinct clientIds");
    for (const c of convs) {
      const messages = await assertGapless(store, c.id);
      assertEquals(messages.length, 13);
      // Arrival order per conversation is kept: m0..m11 after the greeting.
      assertEquals(
        messages.slice(1).map((m) => m.text),
        Array.from({ length: 12 }, (_, i) => `m${i}`),
      );
    }
  }));

Deno.test("group commit: concurrent appends to one conversation, with repeated clientIds", () =>
  withStore(async (store) => {
    const { id } = await newConversation(store);
    // As many distinct ids as the window holds, each sent three times at once.
    const n = PER_AUTHOR;
    const sends = Array.from({ length: 3 * n }, (_, i) => say(store, id, `m${i}`, `c${i % n}`));
    const results = await Promise.all(sends);
    const messages = await assertGapless(store, id);
    assertEquals(messages.length, n + 1, "each clientId stored once");
    for (let i = 0; i < 3 * n; i++) {
      assertEquals(results[i].message.clientId, `c${i % n}`);
      assertEquals(results[i].message.id, results[i % n].message.id, "repeats get the first");
      assertEquals(results[i].duplicate, i >= n);
    }
    const again = await say(store, id, "late repeat", "c7");
    assert(again.duplicate);
    assertEquals(again.message.id, results[7].message.id);
  }));

Deno.test("group commit: the guard refuses one message without failing the others", () =>
  withStore(async (store) => {
    const a = await newConversation(store), b = await newConversation(store);
    const refuse = (c: Conversation) => {
      if (c.lastSeq >= 3) throw new AppError("conflict", "full");
      return { botMisses: c.botMisses + 1 };
    };
    const append = (id: string, text: string) =>
      store.conversations.append({
        conversationId: id,
        sender: "bot",
        authorId: "bot",
        authorName: "Bot",
        text,
      }, refuse).then(() => "ok", (err) => (err as AppError).code);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => [append(a.id, `a${i}`), append(b.id, `b${i}`)]).flat(),
    );
    assertEquals(outcomes.filter((o) => o === "ok").length, 4, "two per conversation");
    assertEquals(outcomes.filter((o) => o === "conflict").length, 8);
    for (const id of [a.id, b.id]) {
      assertEquals((await assertGapless(store, id)).length, 3);
      assertEquals((await store.conversations.get(id))!.botMisses, 2, "patches applied in order");
    }
  }));

Deno.test("group commit: two instances on one KV, with state changes in between", () =>
  withStore(async (one, kv) => {
    const two = createStore(kv); // another instance: its own cache, the same KV
    const convs = await Promise.all(Array.from({ length: 12 }, () => newConversation(one)));
    const work: Promise<unknown>[] = [];
    for (let round = 0; round < 10; round++) {
      for (const [i, c] of convs.entries()) {
        const store = (round + i) % 2 ? one : two;
        work.push(say(store, c.id, `r${round}`, `${round}`));
        if (round === 4) {
          work.push(store.conversations.change(c.id, (cur) => ({
            next: { ...cur, mode: "waiting" },
            system: "Waiting for a person.",
          })));
        }
      }
    }
    await Promise.all(work);
    for (const c of convs) {
      const messages = await assertGapless(one, c.id);
      assertEquals(messages.length, 1 + 10 + 1, "greeting, ten messages, one system message");
      const clientIds = messages.flatMap((m) => (m.clientId ? [m.clientId] : []));
      assertEquals(new Set(clientIds).size, 10, "no message twice");
    }
  }));

Deno.test("group commit: a refusal resting on a stale cached entry is decided again", () =>
  withStore(async (one, kv) => {
    const two = createStore(kv);
    const { id } = await newConversation(one);
    const botSay = (store: Store) =>
      store.conversations.append({
        conversationId: id,
        sender: "bot",
        authorId: "bot",
        authorName: "Bot",
        text: "an answer",
      }, (c) => {
        if (c.mode === "human") throw new AppError("conflict", "bot muted");
      });
    // Instance one sees the conversation taken over (and caches that state) …
    await one.conversations.change(id, (c) => ({ next: { ...c, mode: "human" } }));
    // … instance two hands it back to the bot; one's cache is now stale.
    await two.conversations.change(id, (c) => ({ next: { ...c, mode: "bot" } }));
    const appended = await botSay(one);
    assertEquals(appended.message.seq, 2);
    // And a refusal on a fresh state stands.
    await two.conversations.change(id, (c) => ({ next: { ...c, mode: "human" } }));
    const refused = await botSay(two).then(() => null, (err) => (err as AppError).code);
    assertEquals(refused, "conflict");
    await one.conversations.change(id, (c) => ({ next: { ...c, status: "resolved" } }));
    const late = await say(two, id, "after resolve").then(() => null, (e) => (e as AppError).code);
    assertEquals(late, "conflict");
    await assertGapless(one, id);
  }));

Deno.test("group commit: the dedupe window, its edge, other authors and hash collisions", () =>
  withStore(async (store, kv) => {
    const { id } = await newConversation(store);
    const first = await say(store, id, "first", "early");
    // Other authors' ids never push an author's ids out of the window.
    for (let i = 0; i < 3 * PER_AUTHOR; i++) {
      await store.conversations.append({
        conversationId: id,
        sender: "agent",
        authorId: `agent-${i % 3}`,
        authorName: "Al",
        text: `a${i}`,
        clientId: `a${i}`,
      }, () => {});
    }
    const again = await say(store, id, "first, again", "early");
    assert(again.duplicate, "still in the window");
    assertEquals(again.message.id, first.message.id);
    // The author's own later ids do: past PER_AUTHOR newer ids, an id counts as new (documented
    // in ./client_ids.ts: clients repeat only their few in-flight sends, first and in order).
    for (let i = 1; i < PER_AUTHOR; i++) await say(store, id, `n${i}`, `n${i}`);
    assert((await say(store, id, "edge", "early")).duplicate, "the 16th newest is kept");
    await say(store, id, "one more", "n-last");
    await say(store, id, "pushes it out", "n-push");
    const past = await say(store, id, "first, much later", "early");
    assertEquals(past.duplicate, false, "past the window: a new message");
    // The record never leaves the store with its window.
    assertEquals("recentClientIds" in (await store.conversations.get(id))!, false);
    assertEquals("recentClientIds" in past.conversation, false);

    // A hash that matches an id whose message says otherwise is a collision, not a repeat.
    const entry = await kv.get<Record<string, unknown>>(keys.conversation(id));
    const record = entry.value!;
    const seq = past.message.seq;
    await kv.set(keys.conversation(id), {
      ...record,
      recentClientIds: { "author-1": [clientIdHash("collides"), seq] },
    });
    const fresh = createStore(kv); // no cached record
    const collided = await say(fresh, id, "not a repeat", "collides");
    assertEquals(collided.duplicate, false);
    assertEquals(collided.message.seq, seq + 1);
    await assertGapless(fresh, id);
  }));

Deno.test("group commit: rows another module adds to each message land in its commit", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = createStore(kv, {
      messageWrites: {
        max: 1,
        add: (op, m) => (op.set(["test_outbox", m.conversationId, m.seq], m.id), 1),
      },
    });
    const { id } = await newConversation(store);
    const sent = await Promise.all(
      Array.from({ length: 30 }, (_, i) => say(store, id, `m${i}`, `x${i}`)),
    );
    for (const { message } of sent) {
      const [row, stored] = await kv.getMany([
        ["test_outbox", id, message.seq],
        keys.message(id, message.seq),
      ]);
      assertEquals(row.value, message.id);
      assertEquals(row.versionstamp, stored.versionstamp, "same commit");
    }
  } finally {
    kv.close();
  }
});
