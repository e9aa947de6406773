/**
 * The whole seed scenario over a real server and real sockets: guest and bot, a customer's
 * registration date, a handoff, a takeover with the earlier history, both ways in real time, a
 * silent bot, and the handback.
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { messageFrom, startTestServer, WsClient } from "./helpers.ts";

Deno.test("seed scenario: guest, customer, handoff, takeover, handback", async () => {
  const server = await startTestServer();
  const { api } = server;
  const sockets: WsClient[] = [];
  try {
    // A guest chats with the bot.
    const guest = await api.guest("Gus");
    const guestConv = await api.start(guest);
    const g = await WsClient.connect(server.wsUrl, guest.token);
    sockets.push(g);
    g.send({ type: "subscribe", conversationId: guestConv.id });
    const greeting = await g.next(messageFrom("bot"));
    assertEquals(greeting.message.seq, 1);
    g.send({ type: "send", conversationId: guestConv.id, text: "hello!", clientId: "g1" });
    const gAck = await g.next((f) => f.type === "ack" && f.clientId === "g1");
    assertEquals(gAck.message.seq, 2);
    const gReply = await g.next(messageFrom("bot"));
    assertEquals(gReply.message.seq, 3);

    // A customer registers and asks when they registered.
    const cust = await api.register("Carla", "carla@example.com");
    const conv = await api.start(cust);
    const c = await WsClient.connect(server.wsUrl, cust.token);
    sockets.push(c);
    c.send({ type: "subscribe", conversationId: conv.id });
    await c.next(messageFrom("bot"));
    c.send({ type: "send", conversationId: conv.id, text: "When did I register?", clientId: "c1" });
    await c.next((f) => f.type === "ack" && f.clientId === "c1");
    const typing = await c.next((f) => f.type === "typing" && f.role === "bot");
    assertEquals(typing.typing, true);
    const dateReply = await c.next(messageFrom("bot"));
    const registered = new Date(cust.user.createdAt).toLocaleDateString("en-GB", {
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    });
    assert(dateReply.message.text.includes(registered), dateReply.message.text);

    // The customer asks for a human; nobody is available yet, so it waits.
    c.send({ type: "send", conversationId: conv.id, text: "talk to a human", clientId: "c2" });
    const waiting = await c.next((f) =>
      f.type === "conversation" && f.conversation.mode === "waiting"
    );
    assertEquals(waiting.conversation.assigneeId, null);
    await c.next((f) => messageFrom("system")(f) && /queue/.test(f.message.text));

    // An agent signs in, sees it in the list, takes over and sees the earlier bot exchange.
    const admin = await server.admin();
    const agent = await api.agent(admin, "Dana", "dana@example.com", "busy");
    const list = await api.request("GET", "/api/conversations?mode=waiting", {
      token: agent.token,
    });
    assertEquals(list.body.conversations.map((x: { id: string }) => x.id), [conv.id]);
    const a = await WsClient.connect(server.wsUrl, agent.token);
    sockets.push(a);
    const take = await api.request("POST", `/api/conversations/${conv.id}/takeover`, {
      token: agent.token,
    });
    assertEquals(take.status, 200);
    assertEquals(take.body.conversation.mode, "human");
    assertEquals(take.body.conversation.assigneeId, agent.user.id);
    const joined = await c.next((f) =>
      messageFrom("system")(f) && /Dana joined/.test(f.message.text)
    );
    a.send({ type: "subscribe", conversationId: conv.id });
    const state = await a.next((f) => f.type === "conversation");
    assertEquals(state.conversation.mode, "human");
    const history = [];
    for (let seq = 1; seq <= joined.message.seq; seq++) {
      history.push((await a.next((f) => f.type === "message" && f.message.seq === seq)).message);
    }
    assert(history.some((m) => m.sender === "bot" && m.text.includes(registered)));
    assertEquals(history.map((m) => m.seq), history.map((_, i) => i + 1));

    // Both ways in real time; the bot says nothing.
    a.send({ type: "send", conversationId: conv.id, text: "Hi Carla, Dana here.", clientId: "a1" });
    await a.next((f) => f.type === "ack" && f.clientId === "a1");
    const fromAgent = await c.next(messageFrom("agent"));
    assertEquals(fromAgent.message.text, "Hi Carla, Dana here.");
    assertEquals(fromAgent.message.authorName, "Dana");
    c.send({ type: "send", conversationId: conv.id, text: "what is my email?", clientId: "c3" });
    const fromCustomer = await a.next(messageFrom("customer"));
    assertEquals(fromCustomer.message.text, "what is my email?");
    await server.services.botRunner.idle();
    const afterTakeover = await api.messages(cust, conv.id, joined.message.seq);
    assertEquals(afterTakeover.filter((m) => m.sender === "bot"), []);

    // The agent hands back; the bot answers the next message.
    const back = await api.request("POST", `/api/conversations/${conv.id}/handback`, {
      token: agent.token,
    });
    assertEquals(back.body.conversation.mode, "bot");
    await c.next((f) => messageFrom("system")(f) && /back with the assistant/.test(f.message.text));
    await c.next((f) => f.type === "conversation" && f.conversation.mode === "bot");
    c.send({ type: "send", conversationId: conv.id, text: "what is my email?", clientId: "c4" });
    const c4 = await c.next((f) => f.type === "ack" && f.clientId === "c4");
    const botAgain = await c.next((f) => messageFrom("bot")(f) && f.message.seq > c4.message.seq);
    assertMatch(botAgain.message.text, /carla@example\.com/);
    await a.next((f) => messageFrom("bot")(f) && f.message.seq === botAgain.message.seq);

    // Everything in KV is gapless and each message appears once (staff read notes too: the
    // handoff summary is one); the customer reads all but the notes.
    const all = await api.messages(agent, conv.id);
    assertEquals(all.map((m) => m.seq), all.map((_, i) => i + 1));
    const theirs = await api.messages(cust, conv.id);
    assertEquals(theirs.map((m) => m.seq), all.filter((m) => !m.private).map((m) => m.seq));
  } finally {
    for (const s of sockets) await s.close();
    await server.shutdown();
  }
});
