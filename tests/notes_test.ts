/**
 * Private notes (v2): a note written by an agent reaches agents only. One scene drives every path
 * by which a note could reach the customer — the live socket, a second (widget) socket, replay
 * with `after`, the HTTP message list, the conversation list's preview and `unread`, the
 * conversation frames, and the bot's Gemini prompt (history) — and checks that the note's text
 * appears in none of them, while agents see it as a note; a customer writing a note gets 403
 * (HTTP) or a forbidden error frame; an `@Name` mention reaches that colleague's inbox socket.
 */
import { assert, assertEquals } from "./assert.ts";
import { FakeGemini } from "./fake_gemini.ts";
import { type Frame, messageFrom, startTestServer, WsClient } from "./helpers.ts";

const SECRET = "NOTE-7f3a refund approved internally";

Deno.test("a private note never reaches the customer by any path", async () => {
  const fake = FakeGemini.start();
  const server = await startTestServer({
    GEMINI_API_KEY: "test-key",
    GEMINI_BASE_URL: fake.baseUrl,
    GEMINI_TIMEOUT_MS: "2000",
  });
  const sockets: WsClient[] = [];
  const open = async (token: string) => {
    const ws = await WsClient.connect(server.wsUrl, token);
    sockets.push(ws);
    return ws;
  };
  try {
    const { api } = server;
    const admin = await server.admin();
    const ann = await api.agent(admin, "Ann Lee", "ann@example.com");
    const bob = await api.agent(admin, "Bob", "bob@example.com");
    const customer = await api.register("Cleo", "cleo@example.com");
    const conv = await api.start(customer);
    const id = conv.id;
    const customerBodies: unknown[] = [];
    const asCustomer = async (method: string, path: string, body?: unknown) => {
      const res = await api.request(method, path, { token: customer.token, body });
      customerBodies.push(res.body);
      return res;
    };

    const live = await open(customer.token);
    live.send({ type: "subscribe", conversationId: id });
    await live.next(messageFrom("bot"));
    const agentWs = await open(ann.token);
    agentWs.send({ type: "subscribe", conversationId: id });
    await agentWs.next(messageFrom("bot"));
    const bobInbox = await open(bob.token);
    bobInbox.send({ type: "subscribe", inbox: true });
    bobInbox.send({ type: "ping" }); // the pong answers after the subscribe was handled
    await bobInbox.next((f) => f.type === "pong");

    // The note, while the bot holds the conversation: no takeover, private everywhere.
    const posted = await api.request("POST", `/api/conversations/${id}/messages`, {
      token: ann.token,
      body: { text: `${SECRET} @bob please check`, private: true },
    });
    assertEquals(posted.status, 201);
    assertEquals(posted.body.message.private, true);
    const noteSeq: number = posted.body.message.seq;
    const note = await agentWs.next((f) => f.type === "message" && f.message.seq === noteSeq);
    assertEquals(note.message.private, true);
    const mention = await bobInbox.next((f) => f.type === "mention");
    assertEquals([mention.conversationId, mention.seq, mention.byName], [id, noteSeq, "Ann Lee"]);
    const after = (await api.request("GET", `/api/conversations/${id}`, { token: ann.token }))
      .body.conversation;
    assertEquals(after.mode, "bot", "a note does not take over");
    assert(!after.lastMessage.text.includes("NOTE-7f3a"), "the preview is not the note");

    // The customer asks; Gemini answers. Its prompt holds the conversation's history.
    fake.script({ kind: "text", chunks: ["Happy to help with that."] });
    live.send({ type: "send", conversationId: id, text: "where is my refund?", clientId: "q1" });
    await live.next(messageFrom("bot"));
    await server.services.botRunner.idle();
    assert(fake.requests.length >= 1, "the bot asked Gemini");
    for (const r of fake.requests) {
      assert(!JSON.stringify(r.body).includes("NOTE-7f3a"), "no note in the bot's history");
    }

    // A note via the socket, then a public agent reply after it (the customer's seq jumps).
    agentWs.send({
      type: "send",
      conversationId: id,
      text: `${SECRET} second`,
      clientId: "n2",
      private: true,
    });
    const ack = await agentWs.next((f) => f.type === "ack" && f.clientId === "n2");
    assertEquals(ack.message.private, true);
    const reply = await api.request("POST", `/api/conversations/${id}/messages`, {
      token: ann.token,
      body: { text: "Your refund is on its way." },
    });
    assertEquals(reply.body.message.private, false);
    await live.next((f) => f.type === "message" && f.message.text === "Your refund is on its way.");

    // A widget-style socket (token in the first frame) replaying from the start and from before
    // the note; HTTP lists; the customer's conversation list.
    const widget = await open(customer.token);
    widget.send({ type: "subscribe", conversationId: id, after: 0 });
    const lastSeq: number = reply.body.message.seq;
    await widget.next((f) => f.type === "message" && f.message.seq === lastSeq);
    const replay = await open(customer.token);
    replay.send({ type: "subscribe", conversationId: id, after: noteSeq - 1 });
    await replay.next((f) => f.type === "message" && f.message.seq === lastSeq);
    const http = await asCustomer("GET", `/api/conversations/${id}/messages?after=0`);
    assertEquals(http.body.messages.filter((m: { private: boolean }) => m.private).length, 0);
    assert(http.body.messages.every((m: { private: boolean }) => m.private === false));
    const fromNote = await asCustomer(
      "GET",
      `/api/conversations/${id}/messages?after=${noteSeq - 1}&limit=1`,
    );
    assertEquals(fromNote.body.messages.length, 1, "a page skips notes and still fills");
    assert(fromNote.body.messages[0].seq > noteSeq);
    const list = await asCustomer("GET", "/api/conversations");
    const listed = list.body.conversations.find((c: { id: string }) => c.id === id);
    const one = await asCustomer("GET", `/api/conversations/${id}`);
    // Unread: every message but the two notes (the customer has read nothing yet).
    assertEquals(listed.unread, lastSeq - 2);
    assertEquals(one.body.conversation.unread, lastSeq - 2);
    const read = await asCustomer("POST", `/api/conversations/${id}/read`, { seq: noteSeq - 1 });
    assertEquals(read.body.conversation.unread, lastSeq - (noteSeq - 1) - 2);

    // Agents see both notes as notes.
    const staffList = await api.messages(ann, id);
    assertEquals(staffList.filter((m) => m.private).map((m) => m.seq).length, 2);

    // Customers can't write notes.
    const denied = await asCustomer("POST", `/api/conversations/${id}/messages`, {
      text: "sneaky",
      private: true,
    });
    assertEquals(denied.status, 403);
    live.send({ type: "send", conversationId: id, text: "sneaky", clientId: "x", private: true });
    const err = await live.next((f) => f.type === "error" && f.clientId === "x");
    assertEquals(err.code, "forbidden");

    // Nothing any customer path carried holds the note's text.
    const seen = (frames: Frame[]) => JSON.stringify(frames);
    for (const ws of [live, widget, replay]) {
      assert(!seen(ws.frames).includes("NOTE-7f3a"), "no note on a customer's socket");
    }
    assert(!JSON.stringify(customerBodies).includes("NOTE-7f3a"), "no note over HTTP");
    assert(
      !JSON.stringify(await api.messages(customer, id)).includes("NOTE-7f3a"),
      "nor in the customer's full history",
    );
  } finally {
    for (const s of sockets) await s.close();
    await server.shutdown();
    await fake.close();
  }
});
