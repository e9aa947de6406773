/**
 * The HTTP edge against a real server: which client address the per-address limits see (with and
 * without TRUST_PROXY), the Secure cookie and HSTS only over HTTPS, login CSRF (Origin and JSON
 * only on the sign-in endpoints), the CSRF check following the credential actually used, and the
 * caps on WebSocket connections per address and unauthenticated ones.
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { type TestServer, withTestServer, WsClient } from "./helpers.ts";
import { until } from "./wait.ts";

const guestFrom = (server: TestServer, headers: Record<string, string>) =>
  server.api.request("POST", "/api/auth/guest", { body: {}, headers });

Deno.test("TRUST_PROXY unset: forwarding headers are ignored, spoofing gains nothing", async () => {
  await withTestServer(async (server) => {
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const res = await guestFrom(server, {
        "x-forwarded-for": `198.51.100.${i}`,
        "forwarded": `for=203.0.113.${i}`,
      });
      statuses.push(res.status);
    }
    assertEquals(statuses, [201, 201, 201, 429], "one budget: the peer's");
  }, { RATE_AUTH_PER_MIN: "3" });
});

Deno.test("TRUST_PROXY=1: each forwarded client has its own budget; entries left of it don't count", async () => {
  await withTestServer(async (server) => {
    const as = (xff: string) => guestFrom(server, { "x-forwarded-for": xff });
    for (let i = 0; i < 2; i++) assertEquals((await as("198.51.100.1")).status, 201);
    const limited = await as("198.51.100.1");
    assertEquals(limited.status, 429);
    assertEquals(limited.body.error.code, "rate_limited");
    assertMatch(limited.body.error.message, /from your address\. Try again in \d+ seconds\./);
    assert(Number(limited.headers.get("retry-after")) >= 1);
    // A spoofed entry in front of the proxy's doesn't buy a new budget...
    assertEquals((await as("10.9.9.9, 198.51.100.1")).status, 429);
    // ...while another client behind the same proxy has its own.
    assertEquals((await as("198.51.100.2")).status, 201);
    assertEquals((await as("2001:db8::7")).status, 201);
    // Forwarded (RFC 7239) works the same when there is no X-Forwarded-For.
    const fwd = await guestFrom(server, { forwarded: 'for="[2001:db8::7]:4711"' });
    assertEquals(fwd.status, 201);
    assertEquals((await guestFrom(server, { forwarded: 'for="[2001:db8::7]"' })).status, 429);
  }, { RATE_AUTH_PER_MIN: "2", TRUST_PROXY: "1" });
});

Deno.test("TRUST_PROXY as CIDRs: trusted hops are skipped, others are the client", async () => {
  await withTestServer(async (server) => {
    const as = (xff: string) => guestFrom(server, { "x-forwarded-for": xff });
    // 127.0.0.1 (the test's peer) and 10.0.0.0/8 are proxies: the client is 198.51.100.5.
    assertEquals((await as("198.51.100.5, 10.1.1.1")).status, 201);
    assertEquals((await as("198.51.100.5")).status, 201);
    assertEquals((await as("6.6.6.6, 198.51.100.5, 10.2.2.2")).status, 429);
    // Malformed entries never become the client: the walk stops at the last good address.
    assertEquals((await as("garbage, 198.51.100.6")).status, 201);
  }, { RATE_AUTH_PER_MIN: "2", TRUST_PROXY: "127.0.0.0/8, 10.0.0.0/8" });
});

Deno.test("Secure cookie and HSTS only over HTTPS, as a trusted proxy says", async (t) => {
  const check = async (env: Record<string, string>, proto: string | null, secure: boolean) => {
    await withTestServer(async (server) => {
      const headers: Record<string, string> = proto ? { "x-forwarded-proto": proto } : {};
      const res = await guestFrom(server, headers);
      const cookie = res.headers.get("set-cookie") ?? "";
      assertMatch(cookie, /^session=/);
      assertEquals(/;\s*Secure/i.test(cookie), secure, cookie);
      const page = await fetch(`${server.url}login`, { headers });
      await page.body?.cancel();
      assertEquals(page.headers.has("strict-transport-security"), secure);
      if (secure) {
        assertMatch(page.headers.get("strict-transport-security")!, /max-age=\d+/);
      }
    }, env);
  };
  await t.step("plain HTTP: neither", () => check({}, null, false));
  await t.step(
    "a spoofed X-Forwarded-Proto without TRUST_PROXY: neither",
    () => check({}, "https", false),
  );
  await t.step(
    "X-Forwarded-Proto from a trusted proxy: both",
    () => check({ TRUST_PROXY: "1" }, "https", true),
  );
  await t.step(
    "an untrusted peer's X-Forwarded-Proto: neither",
    () => check({ TRUST_PROXY: "10.0.0.0/8" }, "https", false),
  );
});

Deno.test("login CSRF: sign-in endpoints check Origin and take only JSON", async () => {
  await withTestServer(async (server) => {
    const { api } = server;
    const customer = await api.register("Cee", "cee@example.com");
    const origin = api.base.replace(/\/$/, "");
    const post = (path: string, headers: Record<string, string>, raw: string) =>
      api.request("POST", path, { headers, raw });
    const login = JSON.stringify({ email: "cee@example.com", password: "password-123" });
    const register = JSON.stringify({
      name: "X",
      email: "x@example.com",
      password: "password-123",
    });
    const cases: [string, string][] = [
      ["/api/auth/login", login],
      ["/api/auth/register", register],
      ["/api/auth/guest", "{}"],
    ];
    for (const [path, body] of cases) {
      // A page on another site posting JSON (fetch, no-cors) or a form: refused by Origin.
      const cross = await post(path, {
        origin: "https://evil.example",
        "content-type": "application/json",
      }, body);
      assertEquals([path, cross.status, cross.body.error.code], [path, 403, "forbidden"]);
      const noOrigin = await post(
        path,
        { "sec-fetch-site": "cross-site", "content-type": "text/plain" },
        body,
      );
      assertEquals([path, noOrigin.status], [path, 403]);
      // A text/plain or urlencoded body is refused even from this site (or a browser without Origin).
      for (
        const type of [
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
        ]
      ) {
        const res = await post(path, { origin, "content-type": type }, body);
        assertEquals([path, type, res.status, res.body.error.code], [
          path,
          type,
          400,
          "bad_request",
        ]);
        assertMatch(res.body.error.message, /application\/json/);
      }
      const noType = await post(path, {}, body);
      assertEquals([path, noType.status], [path, 400]);
    }
    // The same requests as this site's pages send them work.
    assertEquals(
      (await post("/api/auth/login", { origin, "content-type": "application/json" }, login)).status,
      200,
    );
    assertEquals(
      (await api.request("POST", "/api/auth/guest")).status,
      201,
      "no body at all is fine",
    );
    // Claim: a cookie POST like the others; cross-site is refused.
    const guest = await api.guest();
    const claim = await api.request("POST", "/api/auth/claim", {
      headers: { cookie: `session=${customer.token}`, origin: "https://evil.example" },
      body: { guestToken: guest.token },
    });
    assertEquals(claim.status, 403);
  });
});

Deno.test("CSRF follows the credential used: a Basic header next to the cookie doesn't skip it", async () => {
  await withTestServer(async (server) => {
    const { api } = server;
    const guest = await api.guest("Basic");
    const conv = await api.start(guest);
    const path = `/api/conversations/${conv.id}/messages`;
    const send = (headers: Record<string, string>) =>
      api.request("POST", path, { headers, body: { text: "hello" } });
    const cookie = `session=${guest.token}`;
    for (const authorization of ["Basic dXNlcjpwYXNz", "Digest x", "Token abc", "Bearer"]) {
      const res = await send({ cookie, authorization, origin: "https://evil.example" });
      assertEquals([authorization, res.status], [authorization, 403]);
    }
    // A Bearer token is the credential: no cookie in play, no CSRF check.
    const bearer = await send({
      authorization: `Bearer ${guest.token}`,
      origin: "https://evil.example",
    });
    assertEquals(bearer.status, 201);
    // Same site with the cookie (and a proxy's Basic header): fine.
    const ok = await send({
      cookie,
      authorization: "Basic dXNlcjpwYXNz",
      origin: api.base.replace(/\/$/, ""),
    });
    assertEquals(ok.status, 201);
    // Nothing the refused requests sent was stored.
    assertEquals(
      (await api.messages(guest, conv.id)).filter((m) => m.sender === "customer").length,
      2,
    );
  });
});

Deno.test("WebSocket caps: per address, unauthenticated per address and in all", async () => {
  const sockets: WsClient[] = [];
  const refusedWith = async (url: string, headers: Record<string, string>) => {
    const res = await fetch(url.replace(/^ws/, "http"), {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        ...headers,
      },
    });
    const body = await res.json().catch(() => null);
    return { status: res.status, body, retryAfter: res.headers.get("retry-after") };
  };
  await withTestServer(async (server) => {
    try {
      const from = (ip: string) => ({ "x-forwarded-for": ip });
      // Two unauthenticated sockets from one address; the third is refused at the upgrade.
      for (let i = 0; i < 2; i++) {
        sockets.push(await WsClient.connect(server.wsUrl, undefined, from("198.51.100.1")));
      }
      const third = await refusedWith(server.wsUrl, from("198.51.100.1"));
      assertEquals([third.status, third.body?.error.code], [429, "rate_limited"]);
      assertMatch(third.body.error.message, /not signed in yet/);
      assert(Number(third.retryAfter) >= 1);
      // Once one authenticates, its place is free again.
      const guest = await server.api.guest();
      sockets[0].send({ type: "auth", token: guest.token });
      await sockets[0].next((f) => f.type === "ready");
      sockets.push(await WsClient.connect(server.wsUrl, undefined, from("198.51.100.1")));
      // Now 3 open from that address: authenticated ones are refused too beyond the per-address cap.
      const fourth = await refusedWith(server.wsUrl, {
        ...from("198.51.100.1"),
        authorization: `Bearer ${guest.token}`,
      });
      assertEquals(fourth.status, 429);
      assertMatch(fourth.body.error.message, /open connections from your address/);
      // Another address is not affected, until the total of unauthenticated sockets (3) is reached.
      sockets.push(await WsClient.connect(server.wsUrl, undefined, from("198.51.100.2")));
      const total = await refusedWith(server.wsUrl, from("198.51.100.3"));
      assertEquals(total.status, 429);
      assertMatch(total.body.error.message, /signing in at this moment/);
      // Closing gives the places back.
      for (const s of sockets.splice(0)) await s.close();
      await until(() => server.services.socketDeps.guards.unauthenticated === 0, "places freed");
      sockets.push(await WsClient.connect(server.wsUrl, undefined, from("198.51.100.3")));
    } finally {
      for (const s of sockets) await s.close();
    }
  }, {
    TRUST_PROXY: "1",
    MAX_SOCKETS_PER_ADDRESS: "3",
    MAX_UNAUTH_SOCKETS_PER_ADDRESS: "2",
    MAX_UNAUTH_SOCKETS: "3",
  });
});
