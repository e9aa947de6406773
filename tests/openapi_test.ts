/**
 * The OpenAPI document: every registered /api route is in it (and nothing else), it is OpenAPI
 * 3.1, and real responses of a real server validate against it (Ajv, JSON Schema 2020-12).
 * /api/docs renders it as a page.
 */
import { assert, assertEquals } from "./assert.ts";
import { type ApiResponse, type TestServer, withTestServer } from "./helpers.ts";
import { createApp } from "../lib/server/app.ts";
import { openApiPath } from "../lib/http/openapi.ts";
import { Ajv2020 } from "ajv/dist/2020.js";
import { Receiver } from "./webhook_receiver.ts";

// deno-lint-ignore no-explicit-any
type Doc = { openapi: string; paths: Record<string, Record<string, any>> };

Deno.test("OpenAPI: every route is documented, and real responses match the document", async () => {
  const receiver = new Receiver();
  try {
    await withTestServer(async (s) => {
      const res = await s.api.request<Doc>("GET", "/api/openapi.json");
      assertEquals(res.status, 200);
      const doc = res.body;
      assertEquals(doc.openapi, "3.1.0");

      const registered = new Set<string>();
      for (const r of createApp(s.services).routes) {
        if (r.method !== "ALL" && r.path.startsWith("/api/")) {
          registered.add(`${r.method} ${openApiPath(r.path)}`);
        }
      }
      const documented = new Set(
        Object.entries(doc.paths).flatMap(([p, ms]) =>
          Object.keys(ms).map((m) => `${m.toUpperCase()} ${p}`)
        ),
      );
      assertEquals([...registered].filter((r) => !documented.has(r)), [], "undocumented routes");
      assertEquals([...documented].filter((r) => !registered.has(r)), [], "documented, not routed");

      const ajv = new Ajv2020({ strict: false, allErrors: true });
      let validated = 0;
      const check = async <T>(
        method: string,
        template: string,
        path: string,
        opts: Parameters<TestServer["api"]["request"]>[2] = {},
      ): Promise<ApiResponse<T>> => {
        const r = await s.api.request(method, path, opts);
        const op = doc.paths[template]?.[method.toLowerCase()];
        assert(op, `${method} ${template} documented`);
        const response = op.responses[String(r.status)] ?? op.responses.default;
        const schema = response?.content?.["application/json"]?.schema;
        if (schema) {
          const ok = ajv.validate(schema, r.body);
          assert(
            ok,
            `${method} ${path} ${r.status}: ${ajv.errorsText()} in ${
              JSON.stringify(r.body).slice(0, 300)
            }`,
          );
          validated++;
        } else assertEquals(r.body, null, `${method} ${path}: no body documented`);
        return r;
      };

      const login = await check<{ token: string }>("POST", "/api/auth/login", "/api/auth/login", {
        body: { email: "admin@test.local", password: "admin-password-1" },
      });
      const admin = login.body.token;
      const guest = await check<{ token: string }>("POST", "/api/auth/guest", "/api/auth/guest", {
        body: { name: "Casey" },
      });
      const g = guest.body.token;
      await check("GET", "/api/auth/me", "/api/auth/me", { token: g });
      const agent = await check<{ user: { id: string } }>("POST", "/api/agents", "/api/agents", {
        token: admin,
        body: {
          name: "Dana",
          email: "dana@example.com",
          password: "agent-password-1",
          role: "agent",
        },
      });
      await check("GET", "/api/agents", "/api/agents", { token: admin });
      await check("PUT", "/api/agents/{id}", `/api/agents/${agent.body.user.id}`, {
        token: admin,
        body: { capacity: 3 },
      });
      const conv = await check<{ conversation: { id: string } }>(
        "POST",
        "/api/conversations",
        "/api/conversations",
        { token: g },
      );
      const id = conv.body.conversation.id;
      await check("POST", "/api/conversations/{id}/messages", `/api/conversations/${id}/messages`, {
        token: g,
        body: { text: "hello" },
      });
      await check("GET", "/api/conversations/{id}/messages", `/api/conversations/${id}/messages`, {
        token: g,
      });
      await check("GET", "/api/conversations", "/api/conversations", { token: admin });
      await check("GET", "/api/conversations/counts", "/api/conversations/counts", {
        token: admin,
      });
      await check("GET", "/api/conversations/{id}", `/api/conversations/${id}`, { token: g });
      await check("POST", "/api/conversations/{id}/read", `/api/conversations/${id}/read`, {
        token: g,
        body: { seq: 1 },
      });
      await check("POST", "/api/conversations/{id}/takeover", `/api/conversations/${id}/takeover`, {
        token: admin,
      });
      await check("POST", "/api/conversations/{id}/resolve", `/api/conversations/${id}/resolve`, {
        token: admin,
      });
      // Errors match the error schema too.
      await check("POST", "/api/conversations/{id}/messages", `/api/conversations/${id}/messages`, {
        token: g,
        body: { text: "" },
      });
      await check("GET", "/api/conversations/{id}", `/api/conversations/${id}`);
      const hook = await check<{ webhook: { id: string } }>(
        "POST",
        "/api/webhooks",
        "/api/webhooks",
        {
          token: admin,
          body: { url: receiver.url, events: ["conversation.created"] },
        },
      );
      await check("GET", "/api/webhooks", "/api/webhooks", { token: admin });
      await check("GET", "/api/webhooks/deliveries", "/api/webhooks/deliveries", { token: admin });
      const token = await check<{ token: { id: string } }>("POST", "/api/tokens", "/api/tokens", {
        token: admin,
        body: { name: "ci", scopes: ["admin"] },
      });
      await check("GET", "/api/tokens", "/api/tokens", { token: admin });
      await check("DELETE", "/api/tokens/{id}", `/api/tokens/${token.body.token.id}`, {
        token: admin,
      });
      await check("DELETE", "/api/webhooks/{id}", `/api/webhooks/${hook.body.webhook.id}`, {
        token: admin,
      });
      await check("GET", "/api/audit", "/api/audit", { token: admin });
      await check("GET", "/api/metrics", "/api/metrics", { token: admin });
      await check("GET", "/api/widget/settings", "/api/widget/settings");
      assert(validated >= 25, `validated ${validated} responses`);

      const page = await fetch(new URL("api/docs", s.url));
      assertEquals(page.status, 200);
      const html = await page.text();
      assert(html.includes("POST /api/webhooks") && html.includes("GET /api/audit"));
      assert(!/<script/i.test(html) && !/https?:\/\/cdn/i.test(html), "no script, no CDN");
    }, { WEBHOOK_ALLOW_PRIVATE: "1" });
  } finally {
    await receiver.close();
  }
});
