/**
 * API tokens: created once with their secret, stored hashed, listed with their last use, revoked
 * at once; scopes enforced on every route (each registered /api route is in the scope table, and a
 * token with any other scope gets 403 from it).
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { type TestServer, withTestServer } from "./helpers.ts";
import { createApp } from "../lib/server/app.ts";
import { ROUTE_SCOPES } from "../lib/http/scopes.ts";
import { TOKEN_SCOPES, type TokenScope } from "../lib/contract/operations.ts";

async function token(s: TestServer, admin: string, scopes: TokenScope[], name = "ci") {
  const res = await s.api.request("POST", "/api/tokens", { token: admin, body: { name, scopes } });
  assertEquals(res.status, 201, JSON.stringify(res.body));
  return res.body as { token: { id: string; name: string; scopes: string[] }; secret: string };
}

/** The /api routes the app registers, as "METHOD /api/path". */
function registeredRoutes(s: TestServer): string[] {
  const out = new Set<string>();
  for (const r of createApp(s.services).routes) {
    if (r.method !== "ALL" && r.path.startsWith("/api/")) out.add(`${r.method} ${r.path}`);
  }
  return [...out];
}

const SAMPLE_ID = "01HZZZZZZZZZZZZZZZZZZZZZZZ";
const concrete = (path: string) =>
  path.replace(/:seq/g, "1").replace(/:slug/g, "welcome").replace(/:name/g, "widget")
    .replace(/:[a-zA-Z]+/g, SAMPLE_ID);

Deno.test("API tokens: secret once, hashed, last use, revoked at once", async () => {
  await withTestServer(async (s) => {
    const admin = await s.admin();
    const made = await token(s, admin.token, ["conversations:read"], "reporting");
    assertEquals(made.token.name, "reporting");
    assertEquals(made.token.scopes, ["conversations:read"]);
    assertMatch(made.secret, /^pat_[A-Za-z0-9_-]{43}$/);

    const list = await s.api.request("GET", "/api/conversations", { token: made.secret });
    assertEquals(list.status, 200);
    const tokens = await s.api.request("GET", "/api/tokens", { token: admin.token });
    assertEquals(tokens.body.tokens.length, 1);
    assertEquals(tokens.body.tokens[0].name, "reporting");
    assert(tokens.body.tokens[0].lastUsedAt, "last use noted");
    assert(!JSON.stringify(tokens.body).includes(made.secret), "the secret is never listed");

    // Stored hashed: no KV value holds the secret.
    for await (const e of s.services.store.kv.list({ prefix: [] })) {
      assert(!JSON.stringify(e.value ?? null).includes(made.secret), `secret in ${String(e.key)}`);
    }
    // Not a socket credential.
    const me = await s.api.request("GET", "/api/auth/me", { token: made.secret });
    assertEquals(me.status, 200);

    const revoked = await s.api.request("DELETE", `/api/tokens/${made.token.id}`, {
      token: admin.token,
    });
    assertEquals(revoked.status, 204);
    const after = await s.api.request("GET", "/api/conversations", { token: made.secret });
    assertEquals(after.status, 401);
    const again = await s.api.request("DELETE", `/api/tokens/${made.token.id}`, {
      token: admin.token,
    });
    assertEquals(again.status, 404);

    for (
      const body of [{ name: "x", scopes: [] }, { name: "x", scopes: ["root"] }, {
        scopes: ["admin"],
      }, {
        name: "",
        scopes: ["admin"],
      }]
    ) {
      const res = await s.api.request("POST", "/api/tokens", { token: admin.token, body });
      assertEquals(res.status, 400, JSON.stringify(body));
    }
    // A token can't make tokens unless it has the admin scope.
    const hooks = await token(s, admin.token, ["webhooks:manage"]);
    const refused = await s.api.request("POST", "/api/tokens", {
      token: hooks.secret,
      body: { name: "y", scopes: ["admin"] },
    });
    assertEquals(refused.status, 403);
    const audit = await s.api.request("GET", "/api/audit", { token: admin.token });
    // Newest first: the second token, the revocation, the first token.
    assertEquals(audit.body.entries.map((e: { action: string }) => e.action).slice(0, 3), [
      "token.created",
      "token.revoked",
      "token.created",
    ]);
    assertEquals(audit.body.entries[1].target, made.token.id);
    assertEquals(audit.body.entries[1].actorId, admin.user.id);
  });
});

Deno.test("API tokens: every route needs its scope (a token with any other gets 403)", async () => {
  await withTestServer(async (s) => {
    const admin = await s.admin();
    const routes = registeredRoutes(s);
    const missing = routes.filter((r) => !(r in ROUTE_SCOPES));
    assertEquals(missing, [], "routes missing from lib/http/scopes.ts");
    const stale = Object.keys(ROUTE_SCOPES).filter((r) => !routes.includes(r));
    assertEquals(stale, [], "scope table entries with no route");

    const byScope = new Map<TokenScope, string>();
    for (const scope of TOKEN_SCOPES) {
      byScope.set(scope, (await token(s, admin.token, [scope])).secret);
    }
    let checked = 0;
    for (const route of routes) {
      const [method, path] = route.split(" ");
      const needed = ROUTE_SCOPES[route];
      if (needed === "any") continue; // public documents: any token may read them
      const wrong = TOKEN_SCOPES.filter((sc) =>
        sc !== needed && (needed === null || sc !== "admin")
      );
      for (const scope of wrong) {
        const res = await s.api.request(method, concrete(path), {
          token: byScope.get(scope)!,
          body: method === "GET" || method === "DELETE" ? undefined : {},
        });
        assertEquals(res.status, 403, `${route} with a ${scope} token`);
        assertEquals(res.body.error.code, "forbidden");
        checked++;
      }
    }
    assert(checked > routes.length * 3, `checked ${checked}`);
    // And the right scope gets through (to the route's own checks).
    const read = await s.api.request("GET", "/api/conversations", {
      token: byScope.get("conversations:read")!,
    });
    assertEquals(read.status, 200);
    const viaAdmin = await s.api.request("GET", "/api/webhooks", { token: byScope.get("admin")! });
    assertEquals(viaAdmin.status, 200);
  });
});
