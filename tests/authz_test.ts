/**
 * The authorization matrix: anonymous, guest, customer A, customer B, agent and admin against
 * every endpoint and every frame type, each expected status asserted. Plus CSRF on cookie POSTs,
 * the cross-site WebSocket upgrade, secure headers on pages and /healthz.
 */
import { assert, assertEquals } from "./assert.ts";
import { type Frame, type Session, startTestServer, WsClient } from "./helpers.ts";
import { GENEROUS_LIMITS } from "./instances.ts";

type Who = "anon" | "guest" | "A" | "B" | "agent" | "admin";
const WHO: Who[] = ["anon", "guest", "A", "B", "agent", "admin"];

Deno.test("authorization matrix: every endpoint and frame type, every role", async (t) => {
  const server = await startTestServer(GENEROUS_LIMITS);
  const { api } = server;
  const sockets: WsClient[] = [];
  try {
    const admin = await server.admin();
    const agent = await api.agent(admin, "Agent", "agent@m.test");
    const sessions: Record<Who, Session | null> = {
      anon: null,
      guest: await api.guest("G"),
      A: await api.register("A", "a@m.test"),
      B: await api.register("B", "b@m.test"),
      agent,
      admin,
    };
    const A = sessions.A!;
    const cA = (await api.start(A)).id;
    const fresh = async () => (await api.start(A)).id;
    const resolved = async () => {
      const id = await fresh();
      await api.request("POST", `/api/conversations/${id}/resolve`, { token: A.token });
      return id;
    };
    let n = 0;

    type Row = [string, string | (() => Promise<string>), unknown, number[]];
    const rows: Row[] = [
      ["GET", "/api/auth/me", undefined, [401, 200, 200, 200, 200, 200]],
      ["GET", "/api/agents", undefined, [401, 403, 403, 403, 200, 200]],
      ["POST", "/api/agents", () => ({
        name: "New",
        email: `new${++n}@m.test`,
        password: "password-123",
        role: "agent",
      }), [401, 403, 403, 403, 403, 201]],
      ["PUT", "/api/agents/me/status", { status: "busy" }, [401, 403, 403, 403, 200, 200]],
      ["GET", `/api/customers/${A.user.id}`, undefined, [401, 403, 403, 403, 200, 200]],
      ["POST", "/api/conversations", undefined, [401, 201, 201, 201, 403, 403]],
      ["GET", "/api/conversations", undefined, [401, 200, 200, 200, 200, 200]],
      ["GET", `/api/conversations/${cA}`, undefined, [401, 404, 200, 404, 200, 200]],
      ["GET", `/api/conversations/${cA}/messages`, undefined, [401, 404, 200, 404, 200, 200]],
      ["POST", async () => `/api/conversations/${await fresh()}/messages`, { text: "hi" }, [
        401,
        404,
        201,
        404,
        201,
        201,
      ]],
      ["POST", async () => `/api/conversations/${await fresh()}/handoff`, undefined, [
        401,
        404,
        200,
        404,
        403,
        403,
      ]],
      ["POST", async () => `/api/conversations/${await fresh()}/takeover`, undefined, [
        401,
        403,
        403,
        403,
        200,
        200,
      ]],
      ["POST", async () => `/api/conversations/${await fresh()}/handback`, undefined, [
        401,
        403,
        403,
        403,
        403,
        200,
      ]],
      ["POST", async () => `/api/conversations/${await fresh()}/transfer`, {
        agentId: agent.user.id,
      }, [401, 403, 403, 403, 403, 200]],
      ["POST", async () => `/api/conversations/${await fresh()}/resolve`, undefined, [
        401,
        404,
        200,
        404,
        200,
        200,
      ]],
      ["POST", async () => `/api/conversations/${await resolved()}/rating`, { score: 5 }, [
        401,
        404,
        201,
        404,
        403,
        403,
      ]],
      ["GET", `/api/conversations/${cA}/rating`, undefined, [401, 404, 200, 404, 200, 200]],
      ["GET", "/api/reports", undefined, [401, 403, 403, 403, 403, 200]],
      ["GET", `/api/customers/${A.user.id}/export`, undefined, [401, 403, 403, 403, 403, 200]],
      ["DELETE", async () => `/api/customers/${(await api.guest("Gone")).user.id}`, undefined, [
        401,
        403,
        403,
        403,
        403,
        204,
      ]],
      ["POST", "/api/auth/guest", {}, [201, 201, 201, 201, 201, 201]],
      ["POST", "/api/auth/register", () => ({
        name: "R",
        email: `r${++n}@m.test`,
        password: "password-123",
      }), [201, 201, 201, 201, 201, 201]],
      ["POST", "/api/auth/login", { email: "a@m.test", password: "password-123" }, [
        200,
        200,
        200,
        200,
        200,
        200,
      ]],
      ["POST", "/api/auth/login", { email: "a@m.test", password: "wrong-password" }, [
        401,
        401,
        401,
        401,
        401,
        401,
      ]],
    ];

    await t.step("HTTP", async () => {
      const failures: string[] = [];
      for (const [method, pathOf, bodyOf, expected] of rows) {
        for (const [i, who] of WHO.entries()) {
          const path = typeof pathOf === "string" ? pathOf : await pathOf();
          const body = typeof bodyOf === "function" ? bodyOf() : bodyOf;
          const res = await api.request(method, path, { token: sessions[who]?.token, body });
          if (res.status !== expected[i]) {
            failures.push(`${who} ${method} ${path}: ${res.status}, expected ${expected[i]}`);
          }
          if (res.status >= 400) assertEquals(typeof res.body.error.code, "string");
        }
      }
      // Logout last, on throwaway sessions: 204, then the token is dead.
      for (const who of WHO) {
        const s = who === "anon" ? null : who === "guest" ? await api.guest() : await api.login(
          sessions[who]!.user.email!,
          who === "admin"
            ? "admin-password-1"
            : who === "agent"
            ? "agent-password-1"
            : "password-123",
        );
        const res = await api.request("POST", "/api/auth/logout", { token: s?.token });
        if (res.status !== (s ? 204 : 401)) failures.push(`${who} logout: ${res.status}`);
        if (s) {
          const me = await api.request("GET", "/api/auth/me", { token: s.token });
          if (me.status !== 401) failures.push(`${who} token alive after logout`);
        }
      }
      assertEquals(failures, []);
    });

    await t.step("WebSocket frames", async () => {
      /** Sends a frame, then a ping; says what came back before the pong. */
      const outcome = async (ws: WsClient, frame: unknown): Promise<string> => {
        ws.frames = [];
        ws.send(frame);
        ws.send({ type: "ping" });
        await ws.next((f) => f.type === "pong");
        // The probe's pong and a ping's own may arrive together: pongs aren't an outcome.
        const got = ws.frames.filter((f: Frame) => !["typing", "read", "pong"].includes(f.type));
        const err = got.find((f) => f.type === "error");
        if (err) return `error:${err.code}`;
        return got[0]?.type ?? "ok";
      };
      const frameRows: [string, (id: string) => unknown, string[]][] = [
        ["subscribe", (id) => ({ type: "subscribe", conversationId: id }), [
          "error:unauthorized",
          "error:not_found",
          "conversation",
          "error:not_found",
          "conversation",
          "conversation",
        ]],
        ["inbox", () => ({ type: "subscribe", inbox: true }), [
          "error:unauthorized",
          "error:forbidden",
          "error:forbidden",
          "error:forbidden",
          "ok",
          "ok",
        ]],
        ["send", (id) => ({ type: "send", conversationId: id, text: "hi", clientId: "k" }), [
          "error:unauthorized",
          "error:not_found",
          "ack",
          "error:not_found",
          "ack",
          "ack",
        ]],
        ["typing", (id) => ({ type: "typing", conversationId: id, typing: true }), [
          "error:unauthorized",
          "error:not_found",
          "ok",
          "error:not_found",
          "ok",
          "ok",
        ]],
        ["read", (id) => ({ type: "read", conversationId: id, seq: 1 }), [
          "error:unauthorized",
          "error:not_found",
          "ok",
          "error:not_found",
          "ok",
          "ok",
        ]],
        ["unsubscribe", (id) => ({ type: "unsubscribe", conversationId: id }), [
          "error:unauthorized",
          "ok",
          "ok",
          "ok",
          "ok",
          "ok",
        ]],
        ["auth again", () => ({ type: "auth", token: "whatever" }), [
          "closed",
          "error:bad_request",
          "error:bad_request",
          "error:bad_request",
          "error:bad_request",
          "error:bad_request",
        ]],
        // "ok": nothing but the pong of the probe came back (a ping's own pong is taken by it).
        ["ping", () => ({ type: "ping" }), ["ok", "ok", "ok", "ok", "ok", "ok"]],
      ];
      const failures: string[] = [];
      for (const [name, make, expected] of frameRows) {
        for (const [i, who] of WHO.entries()) {
          const ws = await WsClient.connect(server.wsUrl, sessions[who]?.token);
          sockets.push(ws);
          let got: string;
          try {
            got = await outcome(ws, make(await fresh()));
          } catch {
            got = ws.ws.readyState >= WebSocket.CLOSING ? "closed" : "no answer";
          }
          if (got !== expected[i]) failures.push(`${who} ${name}: ${got}, expected ${expected[i]}`);
          await ws.close();
        }
      }
      assertEquals(failures, []);
    });

    await t.step("CSRF on cookie POSTs, cross-site upgrade, headers, healthz", async () => {
      const cookie = `session=${A.token}`;
      const post = (headers: Record<string, string>) =>
        api.request("POST", "/api/conversations", { headers: { cookie, ...headers } });
      const host = new URL(server.url).host;
      assertEquals((await post({ origin: "https://evil.example" })).status, 403);
      assertEquals((await post({ "sec-fetch-site": "cross-site" })).status, 403);
      assertEquals((await post({ origin: `http://${host}` })).status, 201);
      // Bearer tokens don't ride along on their own: no origin check needed.
      const bearer = await api.request("POST", "/api/conversations", {
        token: A.token,
        headers: { origin: "https://evil.example" },
      });
      assertEquals(bearer.status, 201);
      const cross = await fetch(server.wsUrl.replace(/^ws/, "http"), {
        headers: { upgrade: "websocket", origin: "https://evil.example", cookie },
      });
      assertEquals(cross.status, 403);
      await cross.body?.cancel();
      const page = await fetch(server.url);
      await page.body?.cancel();
      assertEquals(page.headers.get("x-content-type-options"), "nosniff");
      assertEquals(page.headers.get("x-frame-options"), "SAMEORIGIN");
      assertEquals(page.headers.get("referrer-policy"), "strict-origin-when-cross-origin");
      assert(/script-src 'self' 'nonce-/.test(page.headers.get("content-security-policy") ?? ""));
      const health = await api.request("GET", "/healthz");
      assertEquals([health.status, health.body.ok], [200, true]);
    });
  } finally {
    for (const s of sockets) await s.close();
    await server.shutdown();
  }
});
