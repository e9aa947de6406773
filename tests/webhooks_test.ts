/**
 * Webhooks end to end against real HTTP receivers: every event arrives (at least once per
 * delivery id) through failures, signatures verify, private notes stay out unless asked for;
 * bad URLs are refused at registration (400) or fail their deliveries (redirect, hang, 500/HTML).
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { type TestServer, withTestServer } from "./helpers.ts";
import { until } from "./wait.ts";
import { Receiver } from "./webhook_receiver.ts";
import { WEBHOOK_EVENTS } from "../lib/contract/operations.ts";

const FAST = {
  WEBHOOK_ALLOW_PRIVATE: "1",
  OUTBOX_POLL_MS: "20",
  OUTBOX_RETRY_BASE_MS: "20",
  WEBHOOK_TIMEOUT_MS: "1500",
};

// deno-lint-ignore no-explicit-any
async function deliveries(s: TestServer, token: string): Promise<any[]> {
  const res = await s.api.request("GET", "/api/webhooks/deliveries?limit=200", { token });
  assertEquals(res.status, 200);
  return res.body.deliveries;
}

Deno.test("webhooks: a receiver failing at first gets every event, signed, ids stable", async () => {
  // The first four requests fail (500 with an HTML page), then every one succeeds.
  const receiver = new Receiver((_, n) =>
    n <= 4
      ? new Response("<html><body>oops</body></html>", {
        status: 500,
        headers: { "content-type": "text/html" },
      })
      : new Response(null, { status: 204 })
  );
  try {
    await withTestServer(async (s) => {
      const admin = await s.admin();
      const created = await s.api.request("POST", "/api/webhooks", {
        token: admin.token,
        body: { url: receiver.url, events: [...WEBHOOK_EVENTS] },
      });
      assertEquals(created.status, 201);
      const { webhook, secret } = created.body;
      assertMatch(secret, /^whsec_[0-9a-f]{64}$/);
      assertEquals(webhook.includePrivate, false);
      assert(
        !JSON.stringify((await s.api.request("GET", "/api/webhooks", { token: admin.token })).body)
          .includes(secret),
      );

      const agent = await s.api.agent(admin, "Dana", "dana@example.com", "available");
      const guest = await s.api.guest("Casey");
      const conv = await s.api.start(guest);
      await s.api.request("POST", `/api/conversations/${conv.id}/messages`, {
        token: guest.token,
        body: { text: "hello there" },
      });
      await s.api.request("POST", `/api/conversations/${conv.id}/handoff`, { token: guest.token });
      await s.api.request("POST", `/api/conversations/${conv.id}/messages`, {
        token: agent.token,
        body: { text: "Dana here, how can I help?" },
      });
      await s.api.request("POST", `/api/conversations/${conv.id}/resolve`, { token: agent.token });

      const want = [
        "conversation.created",
        "message.created",
        "conversation.handoff",
        "conversation.assigned",
        "conversation.resolved",
      ];
      await until(async () => {
        const all = await deliveries(s, admin.token);
        return all.length > 0 && all.every((d) => d.status === "delivered") &&
          want.every((e) => all.some((d) => d.event === e));
      }, "every delivery delivered");
      const all = await deliveries(s, admin.token);
      // Every delivery arrived, at least once; the failed ones again under the same id.
      for (const d of all) {
        assert(receiver.ids().has(d.id), `delivery ${d.id} (${d.event}) arrived`);
      }
      assert(receiver.received.length >= all.length + 4, "the four failures were retried");
      const byId = new Map<string, string>();
      for (const r of receiver.received) {
        assert(await receiver.verify(r, secret), `signature of ${r.id}`);
        assertEquals(r.json.id, r.id);
        assertEquals(r.json.event, r.event);
        assertMatch(r.timestamp, /^\d{10}$/);
        if (byId.has(r.id)) assertEquals(r.body, byId.get(r.id), "a retry sends the same body");
        byId.set(r.id, r.body);
      }
      const texts = receiver.received.filter((r) => r.event === "message.created")
        .map((r) => r.json.data.message.text);
      assert(texts.includes("hello there") && texts.includes("Dana here, how can I help?"));
      const resolved = receiver.received.find((r) => r.event === "conversation.resolved")!;
      assertEquals(resolved.json.data.conversation.id, conv.id);
      assertEquals(resolved.json.data.conversation.status, "resolved");
    }, FAST);
  } finally {
    await receiver.close();
  }
});

Deno.test("webhooks: bad URLs are refused, failing receivers fail their deliveries", async (t) => {
  const redirecting = new Receiver(() =>
    new Response(null, { status: 302, headers: { location: "http://169.254.169.254/" } })
  );
  const hanging = new Receiver(() => "hang");
  const erroring = new Receiver(() =>
    new Response("<html>Bad gateway</html>", {
      status: 502,
      headers: { "content-type": "text/html" },
    })
  );
  try {
    await t.step("registration refuses what is not http(s) or is private", async () => {
      await withTestServer(async (s) => {
        const admin = await s.admin();
        for (
          const url of [
            "ftp://example.com/hook",
            "file:///etc/passwd",
            "http://127.0.0.1:9/hook",
            "http://localhost:9/hook",
            "http://[::1]/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://10.0.0.1/",
            "not a url",
          ]
        ) {
          const res = await s.api.request("POST", "/api/webhooks", {
            token: admin.token,
            body: { url, events: ["message.created"] },
          });
          assertEquals(res.status, 400, url);
          assertEquals(res.body.error.code, "bad_request");
          assertMatch(res.body.error.message, /url/);
        }
        for (
          const body of [
            { url: "https://example.com/", events: [] },
            { url: "https://example.com/", events: ["message.deleted"] },
            { url: "https://example.com/" },
            { url: "https://example.com/", events: ["message.created"], extra: 1 },
          ]
        ) {
          const res = await s.api.request("POST", "/api/webhooks", { token: admin.token, body });
          assertEquals(res.status, 400, JSON.stringify(body));
        }
        const list = await s.api.request("GET", "/api/webhooks", { token: admin.token });
        assertEquals(list.body.webhooks, []);
        const agent = await s.api.agent(admin, "Ann", "ann@example.com");
        const forbidden = await s.api.request("POST", "/api/webhooks", {
          token: agent.token,
          body: { url: "https://example.com/", events: ["message.created"] },
        });
        assertEquals(forbidden.status, 403);
      });
    });

    await t.step("redirects, hangs and 5xx HTML fail and are retried", async () => {
      await withTestServer(async (s) => {
        const admin = await s.admin();
        for (const r of [redirecting, hanging, erroring]) {
          const res = await s.api.request("POST", "/api/webhooks", {
            token: admin.token,
            body: { url: r.url, events: ["conversation.created"] },
          });
          assertEquals(res.status, 201);
        }
        const guest = await s.api.guest("Casey");
        await s.api.start(guest);
        const errorOf = async (url: string) =>
          (await deliveries(s, admin.token)).find((d) =>
            d.target === url && d.attempts >= 1 && d.lastError
          );
        await until(async () => (await errorOf(redirecting.url)) !== undefined, "redirect failure");
        assertMatch((await errorOf(redirecting.url)).lastError, /redirect \(302\) refused/);
        assertEquals((await errorOf(redirecting.url)).status, "pending");
        await until(async () => (await errorOf(erroring.url)) !== undefined, "502 failure");
        assertEquals((await errorOf(erroring.url)).lastStatus, 502);
        await until(async () => (await errorOf(hanging.url)) !== undefined, "timeout", 15_000);
        assertMatch((await errorOf(hanging.url)).lastError, /no answer within 1500 ms/);
        // The redirect's target was never called (nothing listens there; nothing was followed).
        await until(() => redirecting.received.length >= 2, "the redirect retried");
      }, { ...FAST, WEBHOOK_TIMEOUT_MS: "1500" });
    });
  } finally {
    await redirecting.close();
    await hanging.close();
    await erroring.close();
  }
});
