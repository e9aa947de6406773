/**
 * The handoff summary as a private note (issue 14): when the customer presses Talk to a human,
 * and when they ask the bot for a person in words, the agents find a "Handoff summary" note with
 * what the customer wants and what the bot answered; the customer never sees it (HTTP list,
 * socket, unread).
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { messageFrom, startTestServer, WsClient } from "./helpers.ts";
import { until } from "./wait.ts";
import type { Message } from "../lib/contract/types.ts";

const isSummary = (m: Message) => m.private && m.text.startsWith("Handoff summary");

/** The summary note of a conversation as staff read it, waited for (it follows the handoff). */
async function summaryNote(read: () => Promise<Message[]>, what: string): Promise<Message> {
  let note: Message | undefined;
  await until(async () => (note = (await read()).find(isSummary)) !== undefined, what);
  return note!;
}

Deno.test("handoff summary: a private note for agents, after the button and after asking in words", async () => {
  const server = await startTestServer({ HANDOFF_NOTE: "on" });
  const sockets: WsClient[] = [];
  try {
    const { api } = server;
    const admin = await server.admin();
    await api.agent(admin, "Ann", "ann@example.com");
    const customer = await api.register("Cleo", "cleo@example.com");

    // 1. The button, after a question the bot answered from the help center.
    const first = await api.start(customer);
    const ws = await WsClient.connect(server.wsUrl, customer.token);
    sockets.push(ws);
    ws.send({ type: "subscribe", conversationId: first.id });
    await ws.next(messageFrom("bot"));
    ws.send({
      type: "send",
      conversationId: first.id,
      text: "How do I start a chat?",
      clientId: "q1",
    });
    await ws.next((f) => messageFrom("bot")(f) && f.message.seq > 2);
    const handoff = await api.request("POST", `/api/conversations/${first.id}/handoff`, {
      token: customer.token,
    });
    assertEquals(handoff.status, 200);
    const note = await summaryNote(() => api.messages(admin, first.id), "the summary note");
    assertEquals([note.sender, note.private], ["bot", true]);
    assertMatch(note.text, /Customer wants: .*start a chat/);
    assertMatch(note.text, /Bot already answered: .*starting-a-chat/i);

    // The customer sees none of it: HTTP, unread, and their socket (a later message arrives first).
    const theirs = await api.messages(customer, first.id);
    assert(!theirs.some((m) => m.private || m.text.includes("Handoff summary")), "not over HTTP");
    ws.send({ type: "send", conversationId: first.id, text: "thanks", clientId: "q2" });
    await ws.next((f) => f.type === "ack" && f.clientId === "q2");
    assert(
      !ws.frames.some((f) => f.type === "message" && f.message.private),
      "not over the socket",
    );
    const list = await api.request("GET", "/api/conversations", { token: customer.token });
    const mine = list.body.conversations.find((c: { id: string }) => c.id === first.id);
    assert(!JSON.stringify(mine).includes("Handoff summary"), "not in the list's preview");

    // 2. Asking the bot in words (its own handoff, one commit with its reply).
    const second = await api.start(customer);
    ws.send({ type: "subscribe", conversationId: second.id });
    ws.send({
      type: "send",
      conversationId: second.id,
      text: "I want to talk to a person please",
      clientId: "p1",
    });
    const words = await summaryNote(
      () => api.messages(admin, second.id),
      "the summary note after asking in words",
    );
    assertMatch(words.text, /Customer wants:/);
    const conversation = (await api.request("GET", `/api/conversations/${second.id}`, {
      token: admin.token,
    })).body.conversation;
    assert(conversation.mode !== "bot", "handed to a person");
    assert(
      !(await api.messages(customer, second.id)).some((m) => m.private),
      "not to the customer",
    );
  } finally {
    for (const s of sockets) await s.close();
    await server.shutdown();
  }
});
