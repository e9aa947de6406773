/** The HTTP API over a real server: auth, permissions, dedupe, and every class of bad input. */
import { assert, assertEquals } from "./assert.ts";
import { type TestServer, withTestServer as withServer } from "./helpers.ts";

/** Every key in the store, to prove a refused request changed nothing. */
/**
 * Every key; the outbox is left out (drained in the background by lib/outbox/loop.ts), and so are
 * the leases background sweepers take.
 */
async function dump(server: TestServer): Promise<string[]> {
  const out: string[] = [];
  for await (const e of server.services.store.kv.list({ prefix: [] })) {
    if (["outbox", "outbox_lease", "leases", "search_indexer_lease"].includes(String(e.key[0]))) {
      continue;
    }
    out.push(JSON.stringify(e.key) + (e.versionstamp));
  }
  return out;
}

Deno.test("auth: register, login, me, logout, and tokens that stop working", async () => {
  await withServer(async ({ api }) => {
    const reg = await api.request("POST", "/api/auth/register", {
      body: { name: "Ann", email: "Ann@Example.com", password: "long-enough" },
    });
    assertEquals(reg.status, 201);
    assertEquals(reg.body.user.role, "customer");
    assertEquals(reg.body.user.email, "ann@example.com");
    assert(/session=[^;]+;.*HttpOnly/i.test(reg.headers.get("set-cookie") ?? ""));
    assert(/SameSite=Lax/i.test(reg.headers.get("set-cookie") ?? ""));

    const dup = await api.request("POST", "/api/auth/register", {
      body: { name: "Ann 2", email: "ann@example.com", password: "long-enough" },
    });
    assertEquals(dup.status, 409);
    assertEquals(dup.body.error.code, "conflict");

    const wrongPw = await api.request("POST", "/api/auth/login", {
      body: { email: "ann@example.com", password: "nope-nope" },
    });
    const noUser = await api.request("POST", "/api/auth/login", {
      body: { email: "who@example.com", password: "nope-nope" },
    });
    assertEquals([wrongPw.status, noUser.status], [401, 401]);
    assertEquals(wrongPw.body, noUser.body);

    const login = await api.login("ann@example.com", "long-enough");
    const me = await api.request("GET", "/api/auth/me", { token: login.token });
    assertEquals(me.body.user.id, reg.body.user.id);
    assertEquals(
      (await api.request("POST", "/api/auth/logout", { token: login.token })).status,
      204,
    );
    const after = await api.request("GET", "/api/auth/me", { token: login.token });
    assertEquals(after.status, 401);
    assertEquals(after.body.error.code, "unauthorized");
    // The other session is unaffected.
    assertEquals((await api.request("GET", "/api/auth/me", { token: reg.body.token })).status, 200);
  });
});

Deno.test("auth: the cookie works, and a cross-site cookie POST is refused", async () => {
  await withServer(async ({ api }) => {
    const guest = await api.guest("Cookie");
    const cookie = `session=${guest.token}`;
    const me = await api.request("GET", "/api/auth/me", { headers: { cookie } });
    assertEquals(me.body.user.name, "Cookie");
    const sameSite = await api.request("POST", "/api/conversations", {
      headers: { cookie, origin: api.base.replace(/\/$/, "") },
    });
    assertEquals(sameSite.status, 201);
    const crossSite = await api.request("POST", "/api/conversations", {
      headers: { cookie, origin: "https://evil.example" },
    });
    assertEquals(crossSite.status, 403);
    assertEquals(crossSite.body.error.code, "forbidden");
  });
});

Deno.test("permissions: roles and other customers' conversations", async () => {
  await withServer(async (server) => {
    const { api } = server;
    const a = await api.register("A", "a@example.com");
    const b = await api.register("B", "b@example.com");
    const admin = await server.admin();
    const agent = await api.agent(admin, "Ag", "ag@example.com");
    const conv = await api.start(a);
    const before = await dump(server);

    for (
      const path of [`/api/conversations/${conv.id}`, `/api/conversations/${conv.id}/messages`]
    ) {
      const res = await api.request("GET", path, { token: b.token });
      assertEquals(res.status, 404, path);
      assertEquals(res.body.error.code, "not_found");
    }
    const post = await api.request("POST", `/api/conversations/${conv.id}/messages`, {
      token: b.token,
      body: { text: "mine now" },
    });
    assertEquals(post.status, 404);
    const listB = await api.request("GET", "/api/conversations", { token: b.token });
    assertEquals(listB.body.conversations, []);

    const agentOnly: [string, string, unknown?][] = [
      ["GET", "/api/agents"],
      ["POST", "/api/agents", {
        name: "X",
        email: "x@example.com",
        password: "12345678",
        role: "agent",
      }],
      ["PUT", "/api/agents/me/status", { status: "available" }],
      ["GET", `/api/customers/${a.user.id}`],
      ["POST", `/api/conversations/${conv.id}/takeover`],
    ];
    for (const [method, path, body] of agentOnly) {
      const res = await api.request(method, path, { token: a.token, body });
      assertEquals(res.status, 403, `${method} ${path}`);
      assertEquals(res.body.error.code, "forbidden");
      const anon = await api.request(method, path, { body });
      assertEquals(anon.status, 401, `anonymous ${method} ${path}`);
    }
    const agentCreates = await api.request("POST", "/api/agents", {
      token: agent.token,
      body: { name: "X", email: "x@example.com", password: "12345678", role: "admin" },
    });
    assertEquals(agentCreates.status, 403);
    assertEquals(await dump(server), before);

    // Agents see every conversation and the customer's profile.
    const listAgent = await api.request("GET", "/api/conversations", { token: agent.token });
    assertEquals(listAgent.body.conversations.map((c: { id: string }) => c.id), [conv.id]);
    const customer = await api.request("GET", `/api/customers/${a.user.id}`, {
      token: agent.token,
    });
    assertEquals(customer.status, 200);
    assertEquals(customer.body.profile.email, "a@example.com");
    assertEquals(customer.body.conversations.length, 1);
  });
});

Deno.test("messages: a repeated clientId stores one message; after/limit page", async () => {
  await withServer(async ({ api, services }) => {
    const g = await api.guest();
    const conv = await api.start(g);
    const send = () =>
      api.request("POST", `/api/conversations/${conv.id}/messages`, {
        token: g.token,
        body: { text: "hello there", clientId: "same-1" },
      });
    const [first, second] = await Promise.all([send(), send()]);
    assertEquals([first.status, second.status], [201, 201]);
    assertEquals(first.body.message.id, second.body.message.id);
    const third = await send();
    assertEquals(third.body.message.id, first.body.message.id);
    await services.botRunner.idle();
    const all = await api.messages(g, conv.id);
    assertEquals(all.filter((m) => m.clientId === "same-1").length, 1);
    assertEquals(all.map((m) => m.seq), all.map((_, i) => i + 1));
    const page = await api.request(
      "GET",
      `/api/conversations/${conv.id}/messages?after=1&limit=1`,
      {
        token: g.token,
      },
    );
    assertEquals(page.body.messages.map((m: { seq: number }) => m.seq), [2]);
  });
});

Deno.test("bad input gets the contract's error and changes nothing", async (t) => {
  await withServer(async (server) => {
    const { api } = server;
    const g = await api.guest();
    const conv = await api.start(g);
    await server.services.botRunner.idle();
    const before = await dump(server);
    const cases: [string, string, string | undefined, number, string, RegExp?][] = [
      [
        "malformed JSON",
        `/api/conversations/${conv.id}/messages`,
        "{not json",
        400,
        "bad_request",
        /JSON/,
      ],
      [
        "wrong type",
        `/api/conversations/${conv.id}/messages`,
        '{"text": 5}',
        400,
        "bad_request",
        /text/,
      ],
      ["missing field", `/api/conversations/${conv.id}/messages`, "{}", 400, "bad_request", /text/],
      [
        "unknown field",
        `/api/conversations/${conv.id}/messages`,
        '{"text":"hi","x":1}',
        400,
        "bad_request",
        /x/,
      ],
      [
        "empty text",
        `/api/conversations/${conv.id}/messages`,
        '{"text":"   "}',
        400,
        "bad_request",
        /text/,
      ],
      [
        "oversize text",
        `/api/conversations/${conv.id}/messages`,
        JSON.stringify({ text: "x".repeat(4001) }),
        413,
        "too_large",
      ],
      [
        "oversize body",
        `/api/conversations/${conv.id}/messages`,
        JSON.stringify({ text: "x".repeat(70_000) }),
        413,
        "too_large",
      ],
      [
        "unknown conversation",
        "/api/conversations/nope/messages",
        '{"text":"hi"}',
        404,
        "not_found",
      ],
      [
        "register: short password",
        "/api/auth/register",
        '{"name":"a","email":"a@b.co","password":"short"}',
        400,
        "bad_request",
        /password/,
      ],
      [
        "register: bad email",
        "/api/auth/register",
        '{"name":"a","email":"nope","password":"long-enough"}',
        400,
        "bad_request",
        /email/,
      ],
    ];
    for (const [name, path, raw, status, code, re] of cases) {
      await t.step(name, async () => {
        const res = await api.request("POST", path, {
          token: g.token,
          raw,
          headers: { "content-type": "application/json" },
        });
        assertEquals(res.status, status);
        assertEquals(res.body.error.code, code);
        if (re) assert(re.test(res.body.error.message), res.body.error.message);
      });
    }
    await t.step("bad query", async () => {
      const res = await api.request("GET", `/api/conversations/${conv.id}/messages?after=-1`, {
        token: g.token,
      });
      assertEquals(res.status, 400);
    });
    await t.step("expired or revoked token", async () => {
      const res = await api.request("GET", "/api/auth/me", { token: "not-a-token" });
      assertEquals(res.status, 401);
    });
    assertEquals(await dump(server), before);
  });
});

Deno.test("state changes: handoff, takeover, transfer, handback, resolve", async () => {
  await withServer(async (server) => {
    const { api } = server;
    const c = await api.register("Cy", "cy@example.com");
    const admin = await server.admin();
    const a1 = await api.agent(admin, "One", "one@example.com");
    const a2 = await api.agent(admin, "Two", "two@example.com", "busy");
    const conv = await api.start(c);
    const path = (p: string) => `/api/conversations/${conv.id}/${p}`;

    const handoff = await api.request("POST", path("handoff"), { token: c.token });
    assertEquals(handoff.body.conversation.mode, "human");
    assertEquals(handoff.body.conversation.assigneeId, a1.user.id);
    const byOther = await api.request("POST", path("handback"), { token: a2.token });
    assertEquals(byOther.status, 403);
    const transfer = await api.request("POST", path("transfer"), {
      token: a1.token,
      body: { agentId: a2.user.id },
    });
    assertEquals(transfer.body.conversation.assigneeId, a2.user.id);
    const agents = await api.request("GET", "/api/agents", { token: a1.token });
    const load = Object.fromEntries(
      agents.body.agents.map((
        u: { id: string; activeConversations: number },
      ) => [u.id, u.activeConversations]),
    );
    assertEquals([load[a1.user.id], load[a2.user.id]], [0, 1]);
    const back = await api.request("POST", path("handback"), { token: a2.token });
    assertEquals([back.body.conversation.mode, back.body.conversation.assigneeId], ["bot", null]);
    const resolved = await api.request("POST", path("resolve"), { token: c.token });
    assertEquals(resolved.body.conversation.status, "resolved");
    const late = await api.request("POST", path("messages"), {
      token: c.token,
      body: { text: "hi" },
    });
    assertEquals(late.status, 409);
    const systems = (await api.messages(c, conv.id)).filter((m) => m.sender === "system");
    assertEquals(systems.length, 4);
  });
});

Deno.test("claim: a guest who registers keeps their conversations", async () => {
  await withServer(async ({ api }) => {
    const guest = await api.guest("Gwen");
    const conv = await api.start(guest);
    const post = (token: string, text: string) =>
      api.request("POST", `/api/conversations/${conv.id}/messages`, { token, body: { text } });
    assertEquals((await post(guest.token, "hello as a guest")).status, 201);
    const other = await api.register("Oz", "oz@example.com");
    const customer = await api.register("Gwen", "gwen@example.com");
    const claim = (token: string, guestToken: string) =>
      api.request("POST", "/api/auth/claim", { token, body: { guestToken } });

    assertEquals((await claim(guest.token, guest.token)).status, 403);
    assertEquals((await claim(customer.token, other.token)).status, 400);
    const ok = await claim(customer.token, guest.token);
    assertEquals(ok.status, 200);
    assertEquals(ok.body.conversations.map((c: { id: string }) => c.id), [conv.id]);
    const mine = await api.request("GET", `/api/conversations/${conv.id}`, {
      token: customer.token,
    });
    assertEquals(mine.body.conversation.customerId, customer.user.id);
    // The customer writes on at once (the server's cached copy predates the claim).
    assertEquals((await post(customer.token, "hello as a customer")).status, 201);
    // The guest token is spent: it neither works nor claims again.
    assertEquals((await api.request("GET", "/api/auth/me", { token: guest.token })).status, 401);
    assertEquals((await claim(other.token, guest.token)).status, 400);
    const others = await api.request("GET", `/api/conversations/${conv.id}`, {
      token: other.token,
    });
    assertEquals(others.status, 404);
  });
});

Deno.test("healthz and unknown paths", async () => {
  await withServer(async ({ api }) => {
    const health = await api.request("GET", "/healthz");
    assertEquals([health.status, health.body], [200, { ok: true }]);
    const missing = await api.request("GET", "/api/nothing-here");
    assertEquals([missing.status, missing.body.error.code], [404, "not_found"]);
  });
});
