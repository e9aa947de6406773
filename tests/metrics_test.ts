/**
 * GET /api/metrics over a scripted day with an injected clock: counts now and in the window,
 * medians of time to first human response, resolution and waiting.
 */
import { assertEquals, assertMatch } from "./assert.ts";
import { testConfig } from "../lib/config.ts";
import { createServices } from "../lib/server/services.ts";
import { createApp } from "../lib/server/app.ts";
import type { Bot } from "../lib/bot/types.ts";

const quietBot: Bot = {
  name: "Bot",
  greet: () => "Hello!",
  reply: () => Promise.resolve({ text: "ok", outcome: "answered" }),
};
const MIN = 60_000;

Deno.test("metrics for a scripted scenario", async () => {
  const kv = await Deno.openKv(":memory:");
  const T0 = Date.parse("2030-01-10T10:00:00Z");
  let now = T0 - 10 * 24 * 60 * MIN;
  const at = (ms: number) => now = T0 + ms;
  const services = createServices(testConfig({ LOG_LEVEL: "error" }), kv, {
    bot: quietBot,
    clock: { now: () => now },
  });
  const { store, chat, assigner: router, auth } = services;
  const app = createApp(services);
  try {
    const admin = await store.users.create({ name: "Root", email: "root@x.test", role: "admin" });
    const ann = await store.users.create({ name: "Ann", email: "ann@x.test", role: "agent" });
    const customer = async (name: string) => await store.users.create({ name, role: "guest" });

    // Ten days ago: a conversation handled and resolved (outside the default window).
    const old = await customer("Old");
    const c4 = await chat.start(old);
    await chat.takeover(ann, c4.id);
    now += 24 * 60 * MIN;
    await chat.resolve(ann, c4.id);

    at(0);
    await router.updateAgent(ann.id, { status: "available" });
    const u1 = await customer("One");
    const c1 = await chat.start(u1);
    at(1 * MIN);
    assertEquals((await chat.handoff(u1, c1.id)).assigneeId, ann.id); // no wait
    await router.updateAgent(ann.id, { status: "busy" });
    const u2 = await customer("Two");
    const c2 = await chat.start(u2);
    at(2 * MIN);
    assertEquals((await chat.handoff(u2, c2.id)).mode, "waiting");
    at(3 * MIN);
    await chat.send(ann, c1.id, "Hi, I'm Ann."); // first response: 2 min
    at(5 * MIN);
    await chat.start(await customer("Three")); // stays with the bot
    at(6 * MIN);
    await router.updateAgent(ann.id, { status: "available" }); // c2 waited 4 min
    at(7 * MIN);
    await chat.send(ann, c2.id, "Sorry for the wait."); // first response: 5 min
    at(10 * MIN);
    await chat.resolve(u1, c1.id); // resolution: 10 min
    at(20 * MIN);
    await chat.resolve(ann, c2.id); // resolution: 19 min
    at(29 * MIN);
    const c5 = await chat.start(await customer("Five"));
    at(30 * MIN);
    await chat.send(ann, c5.id, "Can I help?"); // takes over and answers at once: 0 min
    at(40 * MIN);

    const token = (await auth.issue(admin)).token;
    const get = (query = "", as = token) =>
      app.request(`/api/metrics${query}`, { headers: { authorization: `Bearer ${as}` } });
    const week = await (await get()).json();
    assertEquals(week.window, {
      since: new Date(T0 + 40 * MIN - 7 * 24 * 60 * MIN).toISOString(),
      until: new Date(T0 + 40 * MIN).toISOString(),
    });
    assertEquals(week.counts, { open: 2, bot: 1, waiting: 0, human: 1, created: 4, resolved: 2 });
    assertEquals(week.medianMs, {
      firstHumanResponse: 2 * MIN,
      resolution: 14.5 * MIN,
      waiting: 0,
    });
    assertEquals(week.samples, { firstHumanResponse: 3, resolution: 2, waiting: 3 });

    const since = new Date(T0 + 15 * MIN).toISOString();
    const late = await (await get(`?since=${since}`)).json();
    assertEquals(late.counts, { open: 2, bot: 1, waiting: 0, human: 1, created: 1, resolved: 1 });
    assertEquals(late.medianMs, { firstHumanResponse: 0, resolution: 19 * MIN, waiting: 0 });

    // The milestones behind the figures, on the conversation itself.
    const two = (await store.conversations.get(c2.id))!;
    assertEquals(
      [two.humanRequestedAt, two.firstAssignedAt, two.firstHumanResponseAt, two.resolvedAt],
      [2, 6, 7, 20].map((m) => new Date(T0 + m * MIN).toISOString()),
    );

    const bad = await get("?since=yesterday");
    assertEquals(bad.status, 400);
    assertMatch((await bad.json()).error.message, /since/);
    const agentToken = (await auth.issue(ann)).token;
    assertEquals((await get("", agentToken)).status, 403);
  } finally {
    await services.close();
  }
});
