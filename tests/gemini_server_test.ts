/**
 * The Gemini bot inside the running server, through the real SDK against the local fake Gemini:
 * streamed drafts and one committed reply, a handoff call moving the conversation to the queue,
 * a takeover mid-stream leaving no bot message, a failing Gemini falling back, and the
 * customer-data API's facts reaching the bot.
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { FakeGemini } from "./fake_gemini.ts";
import { messageFrom, startTestServer, type TestServer, WsClient } from "./helpers.ts";

async function withGemini(
  fn: (server: TestServer, fake: FakeGemini) => Promise<void>,
  env: Record<string, string> = {},
) {
  const fake = FakeGemini.start();
  const server = await startTestServer({
    GEMINI_API_KEY: "test-key",
    GEMINI_BASE_URL: fake.baseUrl,
    GEMINI_TIMEOUT_MS: "2000",
    ...env,
  });
  try {
    await fn(server, fake);
  } finally {
    await server.shutdown();
    await fake.close();
  }
}

async function customerIn(server: TestServer) {
  const c = await server.api.register("Gina", "gina@example.com");
  const conv = await server.api.start(c);
  const ws = await WsClient.connect(server.wsUrl, c.token);
  ws.send({ type: "subscribe", conversationId: conv.id });
  await ws.next(messageFrom("bot")); // the greeting
  return { c, conv, ws };
}

Deno.test("streamed drafts, then exactly one committed reply", async () => {
  await withGemini(async (server, fake) => {
    const { c, conv, ws } = await customerIn(server);
    fake.script({ kind: "text", chunks: ["You can ", "start a chat ", "from the home page."] });
    ws.send({
      type: "send",
      conversationId: conv.id,
      text: "how do I start a chat?",
      clientId: "q",
    });
    await ws.next((f) => f.type === "typing" && f.role === "bot" && f.typing);
    const draft = await ws.next((f) => f.type === "draft");
    assert("You can start a chat from the home page.".startsWith(draft.text), draft.text);
    const reply = await ws.next(messageFrom("bot"));
    // The model gave no link: the committed reply cites the passage it came from.
    assertEquals(
      reply.message.text,
      "You can start a chat from the home page.\n\nMore in “Starting a chat”: /help/starting-a-chat",
    );
    await server.services.botRunner.idle();
    const bots = (await server.api.messages(c, conv.id)).filter((m) => m.sender === "bot");
    assertEquals(bots.length, 2);
    // The request was grounded: system instruction and the retrieved help-center passage.
    const body = fake.requests[0].body;
    assert(JSON.stringify(body.systemInstruction).length > 50);
    assertMatch(JSON.stringify(body.contents), /start a chat/i);
    assertEquals(fake.requests[0].apiKey, "test-key");
    await ws.close();
  });
});

Deno.test("a handoff_to_human call moves the conversation to the queue", async () => {
  await withGemini(async (server, fake) => {
    const { conv, ws } = await customerIn(server);
    fake.script({ kind: "functionCall", name: "handoff_to_human", args: { reason: "billing" } });
    ws.send({ type: "send", conversationId: conv.id, text: "I need a refund", clientId: "r" });
    const waiting = await ws.next((f) =>
      f.type === "conversation" && f.conversation.mode === "waiting"
    );
    assertEquals(waiting.conversation.assigneeId, null);
    await ws.close();
  });
});

Deno.test("a takeover mid-stream leaves no bot message behind", async () => {
  await withGemini(async (server, fake) => {
    const { c, conv, ws } = await customerIn(server);
    const admin = await server.admin();
    const agent = await server.api.agent(admin, "Mo", "mo@example.com");
    fake.script({
      kind: "text",
      chunks: ["Let me", " think", " about", " that"],
      chunkDelayMs: 150,
    });
    ws.send({ type: "send", conversationId: conv.id, text: "tell me about plans", clientId: "p" });
    await ws.next((f) => f.type === "draft");
    const take = await server.api.request("POST", `/api/conversations/${conv.id}/takeover`, {
      token: agent.token,
    });
    assertEquals(take.status, 200);
    await server.services.botRunner.idle();
    const after = (await server.api.messages(c, conv.id)).filter((m) => m.seq > 2);
    assertEquals(after.map((m) => m.sender), ["system"]);
    assertMatch(after[0].text, /Mo joined/);
    await ws.close();
  });
});

Deno.test("a failing Gemini (500, timeout) falls back to the built-in bot", async () => {
  await withGemini(async (server, fake) => {
    const { conv, ws } = await customerIn(server);
    fake.script({ kind: "error", status: 500 }, { kind: "text", chunks: ["late"], delayMs: 1500 });
    ws.send({
      type: "send",
      conversationId: conv.id,
      text: "how do I delete my account?",
      clientId: "a",
    });
    const first = await ws.next(messageFrom("bot"));
    assertMatch(first.message.text, /\/help\/deleting-your-account/);
    ws.send({
      type: "send",
      conversationId: conv.id,
      text: "how do I delete my account?",
      clientId: "b",
    });
    const second = await ws.next(messageFrom("bot"));
    assertMatch(second.message.text, /\/help\/deleting-your-account/);
    await ws.close();
  }, { GEMINI_TIMEOUT_MS: "300" });
});

Deno.test("customer-data API facts reach the bot and the agent's customer view", async () => {
  const api = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    const id = new URL(req.url).pathname.slice(1);
    return Response.json({ plan: "Pro", orders: 3, id });
  });
  try {
    const server = await startTestServer({
      CUSTOMER_API_URL: `http://127.0.0.1:${api.addr.port}`,
    });
    try {
      const c = await server.api.register("Pat", "pat@example.com");
      const conv = await server.api.start(c);
      const ws = await WsClient.connect(server.wsUrl, c.token);
      ws.send({ type: "subscribe", conversationId: conv.id });
      await ws.next(messageFrom("bot"));
      ws.send({ type: "send", conversationId: conv.id, text: "what plan am I on?", clientId: "1" });
      assertMatch((await ws.next(messageFrom("bot"))).message.text, /Pro/);
      const agent = await server.api.agent(await server.admin(), "Vi", "vi@example.com");
      const view = await server.api.request("GET", `/api/customers/${c.user.id}`, {
        token: agent.token,
      });
      assertEquals([view.body.profile.plan, view.body.profile.orders], ["Pro", 3]);
      assertEquals(view.body.profile.email, "pat@example.com");
      await ws.close();
    } finally {
      await server.shutdown();
    }
  } finally {
    await api.shutdown();
  }
});
