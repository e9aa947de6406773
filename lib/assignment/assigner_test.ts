/**
 * The bot's handoff is one commit (./assigner.ts `botHandoff`, issue 14): its reply, the move to
 * `waiting` (with the queue entry) or to an agent, and the move's system message carry one
 * versionstamp, so no reader can find the reply while the conversation is still the bot's. A
 * conversation a person took meanwhile gets nothing written.
 */
import { assert, assertEquals } from "../../tests/assert.ts";
import { createStore, type Store } from "../store/mod.ts";
import { keys } from "../store/keys.ts";
import { Assigner } from "./assigner.ts";
import type { Changed } from "../store/conversations.ts";
import type { Conversation, Message } from "../contract/types.ts";

const say = () => ({
  sender: "bot" as const,
  authorId: "bot",
  authorName: "Bot",
  text: "Let me get a person for you.",
});

async function setup() {
  const store = createStore(await Deno.openKv(":memory:"));
  const published: Changed[] = [];
  const assigner = new Assigner(store, 2, {
    changed: (c) => void published.push(c),
    agentsChanged: () => Promise.resolve(),
  });
  const customer = await store.users.create({ name: "Cus", role: "customer" });
  const start = async () =>
    (await store.conversations.create(customer, { name: "Bot", text: "Hi" })).conversation;
  return { store, assigner, published, start };
}

/** The record and messages 2 and 3 of `id`, read at one instant. */
async function committed(store: Store, id: string) {
  const [conv, said, system] = await store.kv.getMany<[Conversation, Message, Message]>([
    keys.conversation(id),
    keys.message(id, 2),
    keys.message(id, 3),
  ]);
  return { conv, said, system };
}

Deno.test("bot handoff: reply, queue entry and the move to waiting are one commit", async () => {
  const { store, assigner, published, start } = await setup();
  try {
    const c = await start();
    const changed = await assigner.botHandoff(c.id, say);
    assert(changed?.said, "the reply was committed");
    const { conv, said, system } = await committed(store, c.id);
    assertEquals(conv.value!.mode, "waiting");
    assertEquals(said.value!.text, "Let me get a person for you.");
    assertEquals(said.value!.sender, "bot");
    assert(/number 1 in the queue/.test(system.value!.text), system.value!.text);
    // One versionstamp: the same commit wrote the reply, the record and the system message.
    assertEquals(said.versionstamp, conv.versionstamp);
    assertEquals(system.versionstamp, conv.versionstamp);
    const waiting = await store.kv.get(keys.waiting(conv.value!.waitingSince!, c.id));
    assertEquals(waiting.versionstamp, conv.versionstamp, "the queue entry is in it too");
    assertEquals(conv.value!.lastSeq, 3);
    // Published in order: the reply, then the system message.
    assertEquals(published[0].said?.seq, 2);
    assertEquals(published[0].message?.seq, 3);
  } finally {
    store.close();
  }
});

Deno.test("bot handoff: with an agent free, the reply and the assignment are one commit", async () => {
  const { store, assigner, start } = await setup();
  try {
    const agent = await store.users.create({ name: "Ann", role: "agent", email: "a@x.test" });
    await store.users.updateState(agent.id, { status: "available" });
    const c = await start();
    await assigner.botHandoff(c.id, say);
    const { conv, said, system } = await committed(store, c.id);
    assertEquals(conv.value!.mode, "human");
    assertEquals(conv.value!.assigneeId, agent.id);
    assertEquals(system.value!.text, "Ann joined the conversation.");
    assertEquals(said.versionstamp, conv.versionstamp);
    const load = await store.kv.get(keys.agentState(agent.id));
    assertEquals(load.versionstamp, conv.versionstamp, "the agent's load moved in it");
  } finally {
    store.close();
  }
});

Deno.test("bot handoff: a conversation a person took meanwhile gets nothing written", async () => {
  const { store, assigner, start } = await setup();
  try {
    const c = await start();
    await store.conversations.change(c.id, (x) => ({
      next: { ...x, mode: "human", assigneeId: "someone", assigneeName: "Someone" },
    }));
    assertEquals(await assigner.botHandoff(c.id, say), null);
    const { conv, said } = await committed(store, c.id);
    assertEquals(said.value, null);
    assertEquals(conv.value!.lastSeq, 1);
  } finally {
    store.close();
  }
});
