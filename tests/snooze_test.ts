/**
 * Snooze: `POST /api/conversations/:id/snooze {until?}` takes a conversation out of the open lists
 * and counts until a time or the customer's next message (which ends it in the message's own
 * commit); bad input changes nothing; with two instances on one KV, a due snooze wakes exactly
 * once.
 */
import { assert, assertEquals } from "./assert.ts";
import { withTestServer } from "./helpers.ts";
import { testConfig } from "../lib/config.ts";
import { createServices } from "../lib/server/services.ts";
import type { Bot } from "../lib/bot/types.ts";
import type { Conversation } from "../lib/contract/types.ts";

Deno.test("snooze over HTTP: lists, counts, the customer's reply, bad input", async (t) => {
  await withTestServer(async (server) => {
    const { api } = server;
    const admin = await server.admin();
    const ann = await api.agent(admin, "Ann", "ann@example.com");
    const carol = await api.guest("Carol");
    const conv = await api.start(carol);
    const path = `/api/conversations/${conv.id}`;
    const openIds = async (status = "open") =>
      (await api.request("GET", `/api/conversations?status=${status}`, { token: ann.token }))
        .body;

    await t.step("bad input: 400/403/404, nothing changes", async () => {
      const past = new Date(Date.now() - 60_000).toISOString();
      for (const body of [{ until: past }, { until: "tomorrow" }, { until: 5 }, { x: 1 }]) {
        const res = await api.request("POST", `${path}/snooze`, { token: ann.token, body });
        assertEquals(res.status, 400, JSON.stringify(body));
        assert(res.body.error.message.startsWith("until") || res.body.error.message.includes("x"));
      }
      const far = new Date(Date.now() + 400 * 24 * 3600_000).toISOString();
      assertEquals(
        (await api.request("POST", `${path}/snooze`, { token: ann.token, body: { until: far } }))
          .status,
        400,
      );
      assertEquals(
        (await api.request("POST", `${path}/snooze`, { token: carol.token, body: {} })).status,
        403,
      );
      assertEquals(
        (await api.request("POST", `/api/conversations/01J00000000000000000000000/snooze`, {
          token: ann.token,
          body: {},
        })).status,
        404,
      );
      const now = (await api.request("GET", path, { token: ann.token })).body.conversation;
      assert(!now.snoozedUntil);
    });

    await t.step("snoozed until the reply: out of the open list, into its own", async () => {
      const before = (await openIds()).counts;
      const res = await api.request("POST", `${path}/snooze`, { token: ann.token, body: {} });
      assertEquals(res.status, 200);
      assertEquals(res.body.conversation.snoozedUntil, "reply");
      const open = await openIds();
      assert(!open.conversations.some((c: Conversation) => c.id === conv.id));
      assertEquals(open.counts.open, before.open - 1);
      assertEquals(open.counts.snoozed, 1);
      const snoozed = await openIds("snoozed");
      assertEquals(snoozed.conversations.map((c: Conversation) => c.id), [conv.id]);
      // All (no status) still has it; the customer still sees it among their open ones.
      const all = (await api.request("GET", "/api/conversations", { token: ann.token })).body;
      assert(all.conversations.some((c: Conversation) => c.id === conv.id));
      const mine = (await api.request("GET", "/api/conversations?status=open", {
        token: carol.token,
      })).body;
      assertEquals(mine.conversations.map((c: Conversation) => c.id), [conv.id]);
      // When the team snoozed it is the team's business: not in the customer's copies.
      assert(!("snoozedUntil" in mine.conversations[0]), "not in the customer's list");
      const theirs = (await api.request("GET", path, { token: carol.token })).body.conversation;
      assert(!("snoozedUntil" in theirs), "not in the customer's read");
    });

    await t.step("the customer's message ends it in the same commit", async () => {
      const sent = await api.request("POST", `${path}/messages`, {
        token: carol.token,
        body: { text: "Any news?" },
      });
      assertEquals(sent.status, 201);
      const c = (await api.request("GET", path, { token: ann.token })).body.conversation;
      assertEquals(c.snoozedUntil, null);
      const open = await openIds();
      assert(open.conversations.some((x: Conversation) => x.id === conv.id));
      assertEquals(open.counts.snoozed, 0);
    });

    await t.step("resolved: 409", async () => {
      await api.request("POST", `${path}/resolve`, { token: ann.token });
      const res = await api.request("POST", `${path}/snooze`, { token: ann.token, body: {} });
      assertEquals(res.status, 409);
    });
  });
});

const quietBot: Bot = {
  name: "Bot",
  greet: () => "Hello!",
  reply: () => Promise.resolve({ text: "ok", outcome: "answered" }),
};

Deno.test("snooze: two instances on one KV wake a due conversation exactly once", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/kv.sqlite`;
  let now = Date.parse("2030-01-01T09:00:00Z");
  const clock = { now: () => now };
  const config = testConfig({ LOG_LEVEL: "error", KV_PATH: path });
  const kvs = [await Deno.openKv(path), await Deno.openKv(path)];
  // Two instances: services on their own KV handles, their timers not started (the test drives
  // the waker itself, so nothing else can wake the conversation first).
  const [one, two] = kvs.map((kv) => createServices(config, kv, { bot: quietBot, clock }));
  try {
    const carol = await one.auth.guest("Carol");
    const agent = await one.store.users.create({ name: "Ann", role: "agent" });
    const conv = await one.chat.start(carol.user);
    const until = new Date(now + 3600_000).toISOString();
    await one.snoozer.snooze(agent, conv.id, until);
    assertEquals(await Promise.all([one.snoozer.wakeDue(), two.snoozer.wakeDue()]), [0, 0]);
    now += 3600_000; // due now (until is inclusive)
    const woken = await Promise.all([one.snoozer.wakeDue(), two.snoozer.wakeDue()]);
    assertEquals(woken[0] + woken[1], 1, `woken ${woken}`);
    const back = await two.store.conversations.get(conv.id);
    assertEquals(back!.snoozedUntil, null);
    const page = await two.store.lists.page({ status: "open" }, 10);
    assertEquals(page.conversations.map((c) => c.id), [conv.id]);
    let due = 0;
    for await (const _ of kvs[0].list({ prefix: ["snoozed"] })) due++;
    assertEquals(due, 0);
    assertEquals(await Promise.all([one.snoozer.wakeDue(), two.snoozer.wakeDue()]), [0, 0]);
  } finally {
    await one.close();
    await two.close();
    await Deno.remove(dir, { recursive: true });
  }
});
