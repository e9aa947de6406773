/**
 * The website widget over HTTP and WebSocket against a real server: the loader's caching and
 * headers, CORS and frame-ancestors for allowed origins only (ALLOWED_ORIGINS and the admin's),
 * the run-time settings API, verified identify (on, off, bad hashes, claims, switching people),
 * the visitor's contact details, availability, and the customer-data API asked by external id.
 */
import http from "node:http";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { type Session, startTestServer, type TestServer, WsClient } from "./helpers.ts";
import { userHashFor } from "../lib/widget/identity.ts";
import { LOADER_CACHE_CONTROL } from "../routes/widget.ts";

const SECRET = "a-widget-secret-of-some-length";
const SITE = "https://shop.example";

/** The Content-Encoding header as sent on the wire (node:http does not decompress). */
function wireEncoding(url: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { "accept-encoding": "gzip" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.headers["content-encoding"]));
    });
    request.on("error", reject);
  });
}

async function allow(server: TestServer, admin: Session, origins: string[]) {
  const res = await server.api.request("PUT", "/api/settings/widget", {
    token: admin.token,
    body: { value: { allowedOrigins: origins } },
  });
  assertEquals(res.status, 200, JSON.stringify(res.body));
}

Deno.test("widget.js: cached briefly, revalidated by ETag, loadable from any site", async () => {
  const server = await startTestServer();
  try {
    const first = await fetch(`${server.url}widget.js`, { headers: { "accept-encoding": "gzip" } });
    const body = await first.text();
    assertEquals(first.status, 200);
    assertMatch(first.headers.get("content-type")!, /^text\/javascript/);
    assertEquals(first.headers.get("cache-control"), LOADER_CACHE_CONTROL);
    assertEquals(first.headers.get("cross-origin-resource-policy"), "cross-origin");
    // Deno 2.5's fetch decompresses and drops Content-Encoding, so ask the way a browser's wire sees it.
    assertEquals(await wireEncoding(`${server.url}widget.js`), "gzip");
    assert(body.includes("/widget/frame"), "the loader itself");
    const etag = first.headers.get("etag")!;
    const again = await fetch(`${server.url}widget.js`, { headers: { "if-none-match": etag } });
    await again.body?.cancel();
    assertEquals(again.status, 304);
  } finally {
    await server.shutdown();
  }
});

Deno.test("allowed origins: CORS, frame-ancestors, sockets and CSRF follow the admin's list", async () => {
  const server = await startTestServer({ ALLOWED_ORIGINS: "https://fixed.example" });
  try {
    const admin = await server.admin();
    const settingsFrom = (origin: string) =>
      fetch(`${server.url}api/widget/settings`, { headers: { origin } });
    const corsFor = async (origin: string) => {
      const res = await settingsFrom(origin);
      const body = await res.json();
      assertEquals(res.status, 200);
      assertEquals("allowedOrigins" in body.settings, false, "the list stays private");
      return res.headers.get("access-control-allow-origin");
    };
    assertEquals(await corsFor("https://fixed.example"), "https://fixed.example");
    assertEquals(await corsFor(SITE), null);
    const frame = (origin: string) =>
      fetch(`${server.url}widget/frame?origin=${encodeURIComponent(origin)}`);
    let res = await frame(SITE);
    await res.body?.cancel();
    assertEquals(res.status, 403, "not allowed yet");

    await allow(server, admin, [SITE]);
    assertEquals(await corsFor(SITE), SITE, "at once on this instance");
    res = await frame(SITE);
    const html = await res.text();
    assertEquals(res.status, 200);
    assertMatch(
      res.headers.get("content-security-policy")!,
      /frame-ancestors 'self' https:\/\/fixed\.example https:\/\/shop\.example(;|$)/,
    );
    assertEquals(res.headers.get("x-frame-options"), null);
    assert(html.includes('aria-label="Message"'), "the panel");
    const home = await fetch(server.url);
    await home.body?.cancel();
    assertMatch(home.headers.get("content-security-policy")!, /frame-ancestors 'none'/);

    // The admin's site may open sockets and post with cookies, like ALLOWED_ORIGINS.
    const guest = await server.api.guest();
    const socket = await WsClient.connect(server.wsUrl, guest.token, { origin: SITE });
    await socket.close();
    const cookiePost = (origin: string) =>
      server.api.request("POST", "/api/conversations", {
        headers: { cookie: `session=${guest.token}`, origin },
      });
    assertEquals((await cookiePost(SITE)).status, 201);
    assertEquals((await cookiePost("https://evil.example")).status, 403);
    let refused = false;
    try {
      await WsClient.connect(server.wsUrl, guest.token, { origin: "https://evil.example" });
    } catch {
      refused = true;
    }
    assert(refused, "a socket from another site is refused");
  } finally {
    await server.shutdown();
  }
});

Deno.test("settings API: admins only, validated, versioned", async () => {
  const server = await startTestServer();
  try {
    const admin = await server.admin();
    const agent = await server.api.agent(admin, "Ann", "ann@example.com");
    const guest = await server.api.guest();
    const put = (token: string | undefined, body: unknown) =>
      server.api.request("PUT", "/api/settings/widget", { token, body });
    assertEquals((await put(undefined, { value: {} })).status, 401);
    assertEquals((await put(guest.token, { value: {} })).status, 403);
    assertEquals((await put(agent.token, { value: {} })).status, 403);
    assertEquals(
      (await server.api.request("GET", "/api/settings/widget", { token: agent.token })).status,
      403,
    );
    assertEquals(
      (await server.api.request("GET", "/api/settings/nope", { token: admin.token })).status,
      404,
    );
    const bad = await put(admin.token, {
      value: { color: "red", allowedOrigins: ["https://x.example/path"] },
    });
    assertEquals(bad.status, 400);
    assertMatch(bad.body.error.message, /value\.color/);
    assertMatch(bad.body.error.message, /value\.allowedOrigins\.0/);
    const current = await server.api.request("GET", "/api/settings/widget", {
      token: admin.token,
    });
    assertEquals(current.body.revision, 0, "the bad write changed nothing");
    assertEquals(current.body.value.color, "#4f46e5");
    const saved = await put(admin.token, {
      value: { color: "#ABC", allowedOrigins: ["https://Shop.example/"] },
      revision: 0,
    });
    assertEquals(saved.status, 200);
    assertEquals(
      [saved.body.revision, saved.body.value.color, saved.body.value.allowedOrigins],
      [1, "#aabbcc", ["https://shop.example"]],
    );
    assertEquals(saved.body.updatedBy, admin.user.id);
    const stale = await put(admin.token, { value: { color: "#000000" }, revision: 0 });
    assertEquals(stale.status, 409);
    const shown = await server.api.request("GET", "/api/widget/settings");
    assertEquals(shown.body.settings.color, "#aabbcc");
  } finally {
    await server.shutdown();
  }
});

Deno.test("identify: off without WIDGET_SECRET", async () => {
  const server = await startTestServer();
  try {
    const res = await server.api.request("POST", "/api/widget/identify", {
      body: { userId: "u1", userHash: await userHashFor(SECRET, "u1") },
    });
    assertEquals(res.status, 403);
    assertMatch(res.body.error.message, /WIDGET_SECRET/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("identify: verified, the same person everywhere, a guest's chats claimed", async () => {
  const server = await startTestServer({ WIDGET_SECRET: SECRET });
  try {
    const { api } = server;
    const admin = await server.admin();
    const identify = (body: Record<string, unknown>, token?: string) =>
      api.request("POST", "/api/widget/identify", { body, token });
    const hash = await userHashFor(SECRET, "cust-42");

    assertEquals((await identify({ userId: "cust-42", userHash: "00" })).status, 400);
    const forged = await identify({ userId: "cust-42", userHash: "0".repeat(64) });
    assertEquals(forged.status, 401);
    assertMatch(forged.body.error.message, /userHash does not match userId/);
    const other = await identify({ userId: "cust-43", userHash: hash });
    assertEquals(other.status, 401, "a hash is good for its own user id only");

    // A guest chats, then the site vouches for them: the conversation comes along.
    const guest = await api.guest();
    const conversation = await api.start(guest);
    const first = await identify(
      { userId: "cust-42", userHash: hash, name: "Ada", email: "Ada@Example.com" },
      guest.token,
    );
    assertEquals(first.status, 200, JSON.stringify(first.body));
    assertEquals(first.body.claimed, 1);
    const ada = first.body.user;
    assertEquals([ada.role, ada.externalId, ada.name, ada.email], [
      "customer",
      "cust-42",
      "Ada",
      "ada@example.com",
    ]);
    assertEquals(
      (await api.request("GET", "/api/auth/me", { token: guest.token })).status,
      401,
      "the guest session ended",
    );
    const moved = await api.request("GET", `/api/conversations/${conversation.id}`, {
      token: first.body.token,
    });
    assertEquals(moved.body.conversation.customerId, ada.id);

    // Again with the same session: nothing new. From another device: the same customer.
    const again = await identify({ userId: "cust-42", userHash: hash }, first.body.token);
    assertEquals([again.body.user.id, again.body.token], [ada.id, first.body.token]);
    const laptop = await identify({ userId: "cust-42", userHash: hash.toUpperCase() });
    assertEquals(laptop.body.user.id, ada.id);
    assert(laptop.body.token !== first.body.token);
    const mine = await api.request("GET", "/api/conversations", { token: laptop.body.token });
    assertEquals(mine.body.conversations.map((c: { id: string }) => c.id), [conversation.id]);

    // Someone else signs in on that device: the earlier person's session there ends.
    const bob = await identify(
      { userId: "cust-7", userHash: await userHashFor(SECRET, "cust-7") },
      laptop.body.token,
    );
    assertEquals(bob.body.claimed, 0);
    assert(bob.body.user.id !== ada.id);
    assertEquals(
      (await api.request("GET", "/api/auth/me", { token: laptop.body.token })).status,
      401,
    );
    assertEquals(
      (await api.request("GET", "/api/conversations", { token: bob.body.token }))
        .body.conversations.length,
      0,
    );

    // Agents see the external id; the email given in the widget is not a sign-in.
    const customer = await api.request("GET", `/api/customers/${ada.id}`, {
      token: admin.token,
    });
    assertEquals(customer.body.user.externalId, "cust-42");
    assertEquals((await api.register("Someone", "ada@example.com")).user.email, "ada@example.com");
  } finally {
    await server.shutdown();
  }
});

Deno.test("profile and availability: what the pre-chat and offline forms use", async () => {
  const server = await startTestServer();
  try {
    const { api } = server;
    const admin = await server.admin();
    const guest = await api.guest();
    const put = (token: string, body: unknown) =>
      api.request("PUT", "/api/widget/profile", { token, body });
    assertEquals((await put(guest.token, { email: "not an email" })).status, 400);
    assertEquals((await put(guest.token, {})).status, 400);
    assertEquals((await put(guest.token, { email: "x@y.z", role: "admin" })).status, 400);
    const saved = await put(guest.token, { name: "Grace", email: "Grace@Example.com" });
    assertEquals(saved.status, 200);
    assertEquals([saved.body.user.name, saved.body.user.email], ["Grace", "grace@example.com"]);
    const account = await api.register("Rita", "rita@example.com");
    assertEquals((await put(account.token, { email: "other@example.com" })).status, 403);
    assertEquals((await put(admin.token, { name: "Boss" })).status, 403);

    const online = async () =>
      (await api.request("GET", "/api/widget/availability", { token: guest.token })).body.online;
    assertEquals(await online(), false);
    await api.agent(admin, "Ann", "ann@example.com", "available");
    assertEquals(await online(), true);
    assertEquals((await api.request("GET", "/api/widget/availability")).status, 401);
  } finally {
    await server.shutdown();
  }
});

Deno.test("the customer-data API is asked by the website's own user id", async () => {
  const asked: string[] = [];
  const ac = new AbortController();
  const receiver = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    (r) => {
      asked.push(new URL(r.url).pathname);
      return Response.json({ plan: "Pro" });
    },
  );
  const server = await startTestServer({
    WIDGET_SECRET: SECRET,
    CUSTOMER_API_URL: `http://127.0.0.1:${receiver.addr.port}`,
  });
  try {
    const res = await server.api.request("POST", "/api/widget/identify", {
      body: { userId: "cust/42", userHash: await userHashFor(SECRET, "cust/42") },
    });
    const record = await server.services.store.users.get(res.body.user.id);
    const facts = await server.services.facts(record!, null);
    assertEquals(facts?.plan, "Pro");
    assertEquals(asked, ["/cust%2F42"]);
  } finally {
    await server.shutdown();
    ac.abort();
    await receiver.finished;
  }
});

Deno.test("the panel's socket (?auth=frame) is the token's user, never a cookie's", async () => {
  const server = await startTestServer();
  try {
    const admin = await server.admin();
    const guest = await server.api.guest("Visitor");
    const socket = await WsClient.connect(`${server.wsUrl}?auth=frame`, undefined, {
      cookie: `session=${admin.token}`,
    });
    socket.send({ type: "auth", token: guest.token });
    const ready = await socket.next((f) => f.type === "ready");
    assertEquals(ready.user.id, guest.user.id);
    await socket.close();
  } finally {
    await server.shutdown();
  }
});
