/**
 * Abuse limits: a client flooding messages is told to slow down, then cut off (4429), while
 * another client on the same address is served as usual; the per-IP frame budget; the per-user
 * socket cap; login brute force gets 429 with Retry-After.
 */
import { assert, assertEquals } from "./assert.ts";
import { type Frame, startTestServer, WsClient } from "./helpers.ts";

Deno.test("rate limits: flooders are slowed and cut off, others unaffected", async (t) => {
  const server = await startTestServer({
    RATE_FRAMES_PER_SEC: "5",
    RATE_FRAMES_BURST: "10",
    RATE_IP_FRAMES_PER_SEC: "1000",
    RATE_IP_FRAMES_BURST: "1000",
    RATE_AUTH_PER_MIN: "8",
    MAX_SOCKETS_PER_USER: "3",
  });
  const { api } = server;
  const sockets: WsClient[] = [];
  const connect = async (token?: string) => {
    const ws = await WsClient.connect(server.wsUrl, token);
    sockets.push(ws);
    return ws;
  };
  try {
    const admin = await server.admin();
    const flooder = await api.guest("Flood");
    const calm = await api.guest("Calm");
    const floodConv = (await api.start(flooder)).id;
    const calmConv = (await api.start(calm)).id;
    // Agents hold both conversations so the bot stays out of the counts.
    for (const id of [floodConv, calmConv]) {
      await api.request("POST", `/api/conversations/${id}/takeover`, { token: admin.token });
    }

    await t.step("flood on one socket", async () => {
      const f = await connect(flooder.token);
      const c = await connect(calm.token);
      c.send({ type: "subscribe", conversationId: calmConv });
      const got: Frame[] = [];
      f.ws.addEventListener("message", (e) => got.push(JSON.parse(e.data)));
      for (let k = 0; k < 300 && f.ws.readyState === WebSocket.OPEN; k++) {
        f.send({ type: "send", conversationId: floodConv, text: `spam ${k}`, clientId: `f${k}` });
      }
      // Meanwhile the calm client on the same address talks normally.
      for (let k = 0; k < 5; k++) {
        c.send({ type: "send", conversationId: calmConv, text: `hi ${k}`, clientId: `c${k}` });
        await c.next((x) => x.type === "ack" && x.clientId === `c${k}`);
        await c.next((x) => x.type === "message" && x.message.clientId === `c${k}`);
      }
      // Cut off. A client that keeps writing after the close frame gets its connection reset
      // (the server closes TCP with the flood still unread), so the code may not reach it.
      const closed = await f.closed;
      assert(closed.code === 4429 || !closed.wasClean, `closed with ${closed.code}`);
      // Only a burst's worth of the flood was stored.
      const stored = (await api.messages(flooder, floodConv)).filter((m) =>
        m.sender === "customer"
      );
      assert(stored.length >= 1 && stored.length <= 12, `stored ${stored.length}`);
      const acked = got.filter((x) => x.type === "ack").map((x) => x.message.id);
      assert(acked.every((id) => stored.some((m) => m.id === id)), "every ack stored");
      console.log(JSON.stringify({ floodSent: 300, stored: stored.length, frames: got.length }));
    });

    await t.step("paced flood: rate_limited errors, then close 4429", async () => {
      const f = await connect(flooder.token);
      let acks = 0, limited = 0;
      for (let k = 0;; k++) {
        f.send({ type: "send", conversationId: floodConv, text: `again ${k}`, clientId: `p${k}` });
        const reply = await Promise.race([
          f.next((x) => x.clientId === `p${k}`).catch(() => null),
          f.closed.then(() => null),
        ]);
        if (!reply) break;
        if (reply.type === "ack") acks++;
        else if (reply.code === "rate_limited") limited++;
      }
      assertEquals((await f.closed).code, 4429);
      assert(limited >= 10, `limited ${limited}`);
      assert(acks <= 12, `acks ${acks}`);
    });

    await t.step("per-user socket cap", async () => {
      const user = await api.guest("Many");
      for (let i = 0; i < 3; i++) await connect(user.token);
      const fourth = await WsClient.connect(server.wsUrl);
      fourth.send({ type: "auth", token: user.token });
      assertEquals((await fourth.closed).code, 4429);
    });

    await t.step("login brute force", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await api.request("POST", "/api/auth/login", {
          body: { email: "admin@test.local", password: `guess-${i}` },
        });
        statuses.push(res.status);
        if (res.status === 429) {
          assertEquals(res.body.error.code, "rate_limited");
          assert(Number(res.headers.get("retry-after")) >= 1);
        }
      }
      // The earlier admin and guest sign-ins used part of the budget (8 a minute).
      assert(statuses.includes(401) && statuses.at(-1) === 429, statuses.join(","));
      const right = await api.request("POST", "/api/auth/login", {
        body: { email: "admin@test.local", password: "admin-password-1" },
      });
      assertEquals(right.status, 429);
    });
  } finally {
    for (const s of sockets) await s.close();
    await server.shutdown();
  }
});

Deno.test("rate limits: one address's sockets share a frame budget", async () => {
  const server = await startTestServer({
    RATE_FRAMES_PER_SEC: "1000",
    RATE_FRAMES_BURST: "1000",
    RATE_IP_FRAMES_PER_SEC: "1",
    RATE_IP_FRAMES_BURST: "20",
  });
  const sockets: WsClient[] = [];
  try {
    let limited = 0, answered = 0;
    for (let i = 0; i < 3; i++) {
      const { token } = await server.api.guest();
      const ws = await WsClient.connect(server.wsUrl, undefined, {
        authorization: `Bearer ${token}`,
      });
      await ws.next((x) => x.type === "ready");
      sockets.push(ws);
    }
    for (const ws of sockets) {
      for (let k = 0; k < 10; k++) ws.send({ type: "ping" });
      for (let k = 0; k < 10; k++) {
        const f = await ws.next((x) => x.type === "pong" || x.type === "error");
        answered++;
        if (f.type === "error" && f.code === "rate_limited") limited++;
      }
    }
    assertEquals(answered, 30);
    assert(limited >= 9 && limited <= 11, `limited: ${limited}`);
  } finally {
    for (const s of sockets) await s.close();
    await server.shutdown();
  }
});
