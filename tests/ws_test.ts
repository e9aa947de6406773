/** The WebSocket protocol over a real server and real sockets. */
import { assert, assertEquals } from "./assert.ts";
import {
  messageFrom,
  startTestServer,
  withServerAndSockets as withServer,
  WsClient,
} from "./helpers.ts";
import { sha256Hex } from "../lib/ids.ts";
import { keys } from "../lib/store/keys.ts";

Deno.test("replay with `after` after a dropped socket loses nothing and duplicates nothing", async () => {
  await withServer(async (server, open) => {
    const { api } = server;
    const c = await api.guest("Rae");
    const conv = await api.start(c);
    const admin = await server.admin();
    const agent = await api.agent(admin, "Al", "al@example.com");
    await api.request("POST", `/api/conversations/${conv.id}/takeover`, { token: agent.token });

    const first = await open(server.wsUrl, c.token);
    first.send({ type: "subscribe", conversationId: conv.id });
    const seen = new Map<number, string>();
    const take = async (s: WsClient, seq: number) => {
      const f = await s.next((f) => f.type === "message" && f.message.seq === seq);
      assert(!seen.has(seq), `seq ${seq} shown twice`);
      seen.set(seq, f.message.text);
    };
    await take(first, 1);
    await take(first, 2); // "Al joined"
    // The socket drops; meanwhile the agent keeps writing.
    await first.close();
    for (let i = 0; i < 5; i++) {
      await api.request("POST", `/api/conversations/${conv.id}/messages`, {
        token: agent.token,
        body: { text: `while away ${i}` },
      });
    }
    const second = await open(server.wsUrl, c.token);
    second.send({ type: "subscribe", conversationId: conv.id, after: 2 });
    for (let seq = 3; seq <= 7; seq++) await take(second, seq);
    // Live messages continue after the replay, in order.
    await api.request("POST", `/api/conversations/${conv.id}/messages`, {
      token: agent.token,
      body: { text: "live" },
    });
    await take(second, 8);
    assertEquals(second.frames.filter((f) => f.type === "message"), []);
    assertEquals([...seen.keys()], [1, 2, 3, 4, 5, 6, 7, 8]);
    assertEquals(seen.get(8), "live");
  });
});

Deno.test("send: ack after commit; a repeated clientId acks the first message again", async () => {
  await withServer(async (server, open) => {
    const c = await server.api.guest();
    const conv = await server.api.start(c);
    const s = await open(server.wsUrl, c.token);
    s.send({ type: "send", conversationId: conv.id, text: "hello", clientId: "k1" });
    s.send({ type: "send", conversationId: conv.id, text: "hello", clientId: "k1" });
    const a1 = await s.next((f) => f.type === "ack");
    const a2 = await s.next((f) => f.type === "ack");
    assertEquals(a1.message.id, a2.message.id);
    await server.services.botRunner.idle();
    const stored = await server.api.messages(c, conv.id);
    assertEquals(stored.filter((m) => m.clientId === "k1").map((m) => m.id), [a1.message.id]);
  });
});

Deno.test("another customer's conversation: error frames, nothing delivered", async () => {
  await withServer(async (server, open) => {
    const a = await server.api.register("A", "a@example.com");
    const b = await server.api.register("B", "b@example.com");
    const conv = await server.api.start(a);
    const sb = await open(server.wsUrl, b.token);
    sb.send({ type: "subscribe", conversationId: conv.id });
    assertEquals((await sb.next((f) => f.type === "error")).code, "not_found");
    sb.send({ type: "send", conversationId: conv.id, text: "hi", clientId: "x" });
    const err = await sb.next((f) => f.type === "error");
    assertEquals([err.code, err.clientId], ["not_found", "x"]);
    sb.send({ type: "typing", conversationId: conv.id, typing: true });
    assertEquals((await sb.next((f) => f.type === "error")).code, "not_found");
    sb.send({ type: "subscribe", inbox: true });
    assertEquals((await sb.next((f) => f.type === "error")).code, "forbidden");
    sb.send({ type: "ping" });
    await sb.next((f) => f.type === "pong");
    assertEquals(sb.frames.filter((f) => f.type === "message"), []);
    assertEquals((await server.api.messages(a, conv.id)).length, 1);
  });
});

Deno.test("origin: a cross-site upgrade is refused; same-site and allowed origins pass", async () => {
  const server = await startTestServer({ ALLOWED_ORIGINS: "https://shop.example" });
  try {
    const upgrade = (origin: string) =>
      fetch(server.url + "ws", {
        headers: {
          origin,
          upgrade: "websocket",
          connection: "Upgrade",
          "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
          "sec-websocket-version": "13",
        },
      });
    const evil = await upgrade("https://evil.example");
    assertEquals(evil.status, 403);
    assertEquals((await evil.json()).error.code, "forbidden");
    const allowed = await WsClient.connect(server.wsUrl, undefined, {
      origin: "https://shop.example",
    });
    await allowed.close();
    const same = await WsClient.connect(server.wsUrl, undefined, {
      origin: server.url.replace(/\/$/, ""),
    });
    await same.close();
    const evilSocket = WsClient.connect(server.wsUrl, undefined, {
      origin: "https://evil.example",
    });
    let refused = false;
    await evilSocket.then((s) => s.close(), () => refused = true);
    assert(refused, "cross-site socket must be refused");
  } finally {
    await server.shutdown();
  }
});

Deno.test("authentication: Bearer header and cookie at the upgrade, first frame, bad tokens", async () => {
  await withServer(async (server, open) => {
    const g = await server.api.guest("Hed");
    const viaHeader = await open(server.wsUrl, undefined, { authorization: `Bearer ${g.token}` });
    assertEquals((await viaHeader.next((f) => f.type === "ready")).user.name, "Hed");
    const viaCookie = await open(server.wsUrl, undefined, { cookie: `session=${g.token}` });
    assertEquals((await viaCookie.next((f) => f.type === "ready")).user.id, g.user.id);

    const anon = await open(server.wsUrl);
    anon.send({ type: "subscribe", inbox: true });
    assertEquals((await anon.next((f) => f.type === "error")).code, "unauthorized");
    anon.send({ type: "auth", token: "wrong" });
    assertEquals((await anon.closed).code, 4401);

    // An expired session counts as no session.
    const expiredToken = "expired-token-for-test";
    const past = new Date(Date.now() - 60_000).toISOString();
    await server.services.store.kv.set(keys.session(await sha256Hex(expiredToken)), {
      userId: g.user.id,
      createdAt: past,
      expiresAt: past,
    });
    const expired = await open(server.wsUrl);
    expired.send({ type: "auth", token: expiredToken });
    assertEquals((await expired.closed).code, 4401);
  });
});

Deno.test("logout closes that session's sockets", async () => {
  await withServer(async (server, open) => {
    const g = await server.api.guest();
    const s = await open(server.wsUrl, g.token);
    await server.api.request("POST", "/api/auth/logout", { token: g.token });
    assertEquals((await s.closed).code, 4401);
  });
});

Deno.test("bad frames get error frames and the socket stays open; oversize closes 1009", async () => {
  await withServer(async (server, open) => {
    const g = await server.api.guest();
    const conv = await server.api.start(g);
    const s = await open(server.wsUrl, g.token);
    const bad: unknown[] = [
      "not json",
      "[]",
      JSON.stringify({ type: "nope" }),
      JSON.stringify({ type: "send", conversationId: conv.id }),
      JSON.stringify({ type: "send", conversationId: conv.id, text: "", clientId: "e" }),
      JSON.stringify({ type: "subscribe", conversationId: conv.id, after: -3 }),
      JSON.stringify({ type: "read", conversationId: conv.id, seq: "x" }),
    ];
    for (const frame of bad) {
      s.send(frame);
      assertEquals((await s.next((f) => f.type === "error")).code, "bad_request", String(frame));
    }
    s.ws.send(new Uint8Array([1, 2, 3]));
    assertEquals((await s.next((f) => f.type === "error")).code, "bad_request");
    s.send({ type: "send", conversationId: conv.id, text: "y".repeat(4001), clientId: "big" });
    const big = await s.next((f) => f.type === "error");
    assertEquals([big.code, big.clientId], ["too_large", "big"]);
    s.send({ type: "ping" });
    await s.next((f) => f.type === "pong");
    assertEquals((await server.api.messages(g, conv.id)).length, 1);
    s.send({ type: "send", conversationId: conv.id, text: "z".repeat(17_000), clientId: "huge" });
    assertEquals((await s.closed).code, 1009);
  });
});

Deno.test("typing and read receipts reach the other side; the inbox sees changes", async () => {
  await withServer(async (server, open) => {
    const c = await server.api.guest("Tia");
    const admin = await server.admin();
    const agent = await server.api.agent(admin, "Ari", "ari@example.com", "busy");
    const sa = await open(server.wsUrl, agent.token);
    sa.send({ type: "subscribe", inbox: true });
    sa.send({ type: "ping" });
    await sa.next((f) => f.type === "pong");
    const conv = await server.api.start(c);
    const created = await sa.next((f) =>
      f.type === "conversation" && f.conversation.id === conv.id
    );
    assertEquals(created.conversation.mode, "bot");

    const sc = await open(server.wsUrl, c.token);
    sc.send({ type: "subscribe", conversationId: conv.id });
    await sc.next(messageFrom("bot"));
    sa.send({ type: "subscribe", conversationId: conv.id });
    await sa.next(messageFrom("bot", conv.id));
    sc.send({ type: "typing", conversationId: conv.id, typing: true });
    const typing = await sa.next((f) => f.type === "typing" && f.userId === c.user.id);
    assertEquals([typing.name, typing.role, typing.typing], ["Tia", "guest", true]);
    sa.send({ type: "read", conversationId: conv.id, seq: 1 });
    const read = await sc.next((f) => f.type === "read");
    assertEquals([read.userId, read.seq], [agent.user.id, 1]);
    assertEquals(sc.frames.filter((f) => f.type === "typing" && f.userId === c.user.id), []);
  });
});
