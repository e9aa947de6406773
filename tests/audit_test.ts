/**
 * The audit log: admin actions (an agent created, a capacity changed, a setting saved, a webhook
 * added and deleted, a help article saved and deleted) recorded with who, when and what, newest first, in pages; admins only.
 */
import { assert, assertEquals } from "./assert.ts";
import { withTestServer } from "./helpers.ts";
import { Receiver } from "./webhook_receiver.ts";

Deno.test("audit log: admin actions, newest first, paged, admins only", async () => {
  const receiver = new Receiver();
  try {
    await withTestServer(async (s) => {
      const admin = await s.admin();
      const agent = await s.api.agent(admin, "Dana", "dana@example.com");
      const cap = await s.api.request("PUT", `/api/agents/${agent.user.id}`, {
        token: admin.token,
        body: { capacity: 2 },
      });
      assertEquals(cap.status, 200);
      const current = await s.api.request("GET", "/api/settings/widget", { token: admin.token });
      const saved = await s.api.request("PUT", "/api/settings/widget", {
        token: admin.token,
        body: { value: current.body.value, revision: current.body.revision },
      });
      assertEquals(saved.status, 200);
      const hook = await s.api.request("POST", "/api/webhooks", {
        token: admin.token,
        body: { url: receiver.url, events: ["message.created"] },
      });
      await s.api.request("DELETE", `/api/webhooks/${hook.body.webhook.id}`, {
        token: admin.token,
      });

      const res = await s.api.request("GET", "/api/audit", { token: admin.token });
      assertEquals(res.status, 200);
      const entries = res.body.entries;
      assertEquals(entries.map((e: { action: string }) => e.action), [
        "webhook.deleted",
        "webhook.created",
        "setting.changed",
        "agent.changed",
        "agent.created",
      ]);
      for (const e of entries) {
        assertEquals(e.actorId, admin.user.id);
        assert(!Number.isNaN(Date.parse(e.at)));
        assertEquals(Object.keys(e).sort(), ["action", "actorId", "at", "details", "target"]);
      }
      assertEquals(entries[4].target, agent.user.id);
      assertEquals(entries[4].details.email, "dana@example.com");
      assertEquals(entries[3].details, { capacity: 2 });
      assertEquals(entries[2].target, "widget");
      assert(!JSON.stringify(entries).includes("whsec_"), "no secret in the log");

      const first = await s.api.request("GET", "/api/audit?limit=2", { token: admin.token });
      assertEquals(first.body.entries.length, 2, JSON.stringify(first.body));
      const second = await s.api.request(
        "GET",
        `/api/audit?limit=2&cursor=${encodeURIComponent(first.body.next)}`,
        { token: admin.token },
      );
      assertEquals(second.status, 200, JSON.stringify(second.body));
      assertEquals(second.body.entries.map((e: { action: string }) => e.action), [
        "setting.changed",
        "agent.changed",
      ]);
      assertEquals(
        (await s.api.request("GET", "/api/audit?cursor=nonsense", { token: admin.token })).status,
        400,
      );
      assertEquals(
        (await s.api.request("GET", "/api/audit?limit=0", { token: admin.token })).status,
        400,
      );
      assertEquals((await s.api.request("GET", "/api/audit", { token: agent.token })).status, 403);

      // Help-center edits too.
      const put = await s.api.request("PUT", "/api/help/articles/audit-check", {
        token: admin.token,
        body: { source: "# Audit check\n\nSome text." },
      });
      assertEquals(put.status, 201);
      await s.api.request("DELETE", "/api/help/articles/audit-check", { token: admin.token });
      const latest = await s.api.request("GET", "/api/audit?limit=2", { token: admin.token });
      assertEquals(
        latest.body.entries.map((e: { action: string; target: string }) => [e.action, e.target]),
        [
          ["article.deleted", "audit-check"],
          ["article.created", "audit-check"],
        ],
      );
    }, { WEBHOOK_ALLOW_PRIVATE: "1" });
  } finally {
    await receiver.close();
  }
});
