/**
 * The bot's handoff is atomic (issue 14): the moment a customer's socket receives the bot's "let
 * me get a person" reply, the conversation read over HTTP is already waiting (nobody free) or
 * assigned (an agent free), and the reply sits just before the move's system message.
 */
import { assert, assertEquals } from "./assert.ts";
import { messageFrom, withServerAndSockets } from "./helpers.ts";

Deno.test("bot handoff: the reply frame arrives with the conversation already handed over", async (t) => {
  await withServerAndSockets(async (server, open) => {
    const { api } = server;
    const ask = async () => {
      const g = await api.guest("Asker");
      const conv = await api.start(g);
      const ws = await open(server.wsUrl, g.token);
      ws.send({ type: "subscribe", conversationId: conv.id });
      await ws.next((f) => f.type === "message" && f.message.seq === 1); // the greeting
      ws.send({
        type: "send",
        conversationId: conv.id,
        text: "I want to talk to a human",
        clientId: "c1",
      });
      const ack = await ws.next((f) => f.type === "ack");
      const reply = await ws.next((f) =>
        messageFrom("bot", conv.id)(f) && f.message.seq > ack.message.seq
      );
      // Read at once, before anything else runs on our side.
      const read = await api.request("GET", `/api/conversations/${conv.id}`, { token: g.token });
      return { g, conv, reply, read };
    };

    await t.step("nobody free: waiting, queue message right after the reply", async () => {
      const { g, conv, reply, read } = await ask();
      assertEquals(read.body.conversation.mode, "waiting");
      const messages = await api.messages(g, conv.id);
      const i = messages.findIndex((m) => m.seq === reply.message.seq);
      assertEquals(messages[i + 1].sender, "system");
      assert(/in the queue/.test(messages[i + 1].text), messages[i + 1].text);
    });

    await t.step("an agent free: assigned, the agent's join right after the reply", async () => {
      const admin = await server.admin();
      // The queue drains first: the earlier step's customer takes one slot, this one the next.
      const agent = await api.agent(admin, "Ann", "ann@test.local");
      const { g, conv, reply, read } = await ask();
      assertEquals(read.body.conversation.mode, "human");
      assertEquals(read.body.conversation.assigneeId, agent.user.id);
      const messages = await api.messages(g, conv.id);
      const i = messages.findIndex((m) => m.seq === reply.message.seq);
      assertEquals(messages[i + 1].text, "Ann joined the conversation.");
    });
  });
});
