/**
 * The bot's history from memory (./recent_messages.ts, `Conversations.history`): equal to the KV
 * read whenever it answers, never missing a message another instance wrote, notes left out, and
 * nothing kept once a person holds the conversation.
 */
import { assertEquals } from "../../tests/assert.ts";
import { createStore } from "./mod.ts";
import { RecentMessages } from "./recent_messages.ts";
import type { Conversation, Message } from "../contract/types.ts";

const greeting = { name: "Bot", text: "Hi!" };

function message(conversationId: string, seq: number, text = `m${seq}`): Message {
  return {
    id: `id-${seq}`,
    conversationId,
    seq,
    sender: "customer",
    authorId: "u",
    authorName: "U",
    text,
    createdAt: new Date(0).toISOString(),
    private: false,
  };
}

const open = { id: "c", status: "open", mode: "bot" } as Conversation;

Deno.test("RecentMessages: answers only for a range it holds whole, in order", () => {
  const recent = new RecentMessages({ perConversation: 5, maxText: 10 });
  assertEquals(recent.range("c", 0, 1), null, "nothing kept yet");
  for (const seq of [1, 3, 2]) recent.add(open, message("c", seq)); // any order
  assertEquals(recent.range("c", 0, 3)?.map((m) => m.seq), [1, 2, 3]);
  assertEquals(recent.range("c", 1, 3)?.map((m) => m.seq), [2, 3]);
  assertEquals(recent.range("c", 0, 4), null, "seq 4 is not here");
  recent.add(open, message("c", 5));
  assertEquals(recent.range("c", 3, 5), null, "a gap at 4 (another instance's message)");
  recent.add(open, message("c", 4));
  assertEquals(recent.range("c", 3, 5)?.map((m) => m.seq), [4, 5]);
  recent.add(open, message("c", 6, "x".repeat(11)));
  assertEquals(recent.range("c", 5, 6), null, "a long message is not kept");
  recent.add(open, message("c", 7));
  recent.add(open, message("c", 8));
  assertEquals(recent.range("c", 0, 5), null, "the oldest fell out (5 kept)");
  recent.add({ ...open, mode: "human" }, null);
  assertEquals(recent.range("c", 6, 8), null, "a person holds it: dropped");
});

Deno.test("RecentMessages: keeps the most recently written conversations", () => {
  const recent = new RecentMessages({ conversations: 2 });
  for (const id of ["a", "b", "a", "c"]) recent.add({ ...open, id }, message(id, 1));
  assertEquals(recent.range("b", 0, 1), null);
  assertEquals(recent.range("a", 0, 1)?.length, 1);
  assertEquals(recent.range("c", 0, 1)?.length, 1);
});

Deno.test("history: from memory equals KV; another instance's message and notes handled", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    // Two instances on one KV; `here` counts its list calls.
    let lists = 0;
    const counted = new Proxy(kv, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === "list") lists++;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const here = createStore(counted), there = createStore(kv);
    const customer = await here.users.create({ name: "Cleo", role: "guest" });
    const { conversation } = await here.conversations.create(customer, greeting);
    const id = conversation.id;
    const say = (store: typeof here, text: string, note = false) =>
      store.conversations.append({
        conversationId: id,
        sender: note ? "agent" : "customer",
        authorId: customer.id,
        authorName: "Cleo",
        text,
        ...(note ? { private: true } : {}),
      }, () => {});
    await say(here, "one");
    await say(here, "a note", true);
    await say(there, "from the other instance");
    const last = await say(here, "three");
    const fromKv = await here.conversations.messages(id, 0, 100);
    const seq = last.message.seq;
    assertEquals(await here.conversations.history(id, seq, 20), fromKv, "gap read from KV");
    assertEquals(
      (await here.conversations.history(id, seq, 2)).map((m) => m.text),
      ["from the other instance", "three"],
      "the last two seqs",
    );
    await say(here, "four");
    const four = await here.conversations.messages(id, seq - 1, 100);
    const before = lists;
    assertEquals(await here.conversations.history(id, seq + 1, 2), four, "from memory");
    assertEquals(lists, before, "no KV read");
    assertEquals(
      (await there.conversations.history(id, seq + 1, 20)).map((m) => m.text),
      ["Hi!", "one", "from the other instance", "three", "four"],
      "the other instance reads KV; notes left out",
    );
  } finally {
    kv.close();
  }
});
