/**
 * CSAT (POST/GET /api/conversations/:id/rating) and reports (GET /api/reports) over a scripted day
 * with an injected clock: who may rate and when, the bad inputs, and the figures the counters give
 * (kept in the commits of the events, never by scanning conversations), JSON and CSV.
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { testConfig } from "../lib/config.ts";
import { createServices } from "../lib/server/services.ts";
import { createApp } from "../lib/server/app.ts";
import type { Bot } from "../lib/bot/types.ts";
import { bucketOf, bucketValue } from "../lib/store/report_counters.ts";

const quietBot: Bot = {
  name: "Bot",
  greet: () => "Hello!",
  reply: () => Promise.resolve({ text: "ok", outcome: "answered" }),
};
const MIN = 60_000;

Deno.test("CSAT: once, by its customer, after the resolve; reports from counters", async () => {
  const kv = await Deno.openKv(":memory:");
  const T0 = Date.parse("2030-03-10T10:00:00Z");
  let now = T0;
  const services = createServices(testConfig({ LOG_LEVEL: "error" }), kv, {
    bot: quietBot,
    clock: { now: () => now },
  });
  const { store, chat, auth } = services;
  const app = createApp(services);
  try {
    const admin = await store.users.create({ name: "Root", email: "root@x.test", role: "admin" });
    const ann = await store.users.create({ name: "Ann", email: "ann@x.test", role: "agent" });
    const u1 = await store.users.create({ name: "One", role: "guest" });
    const u2 = await store.users.create({ name: "Two", role: "guest" });
    const tokens = new Map<string, string>();
    for (const u of [admin, ann, u1, u2]) tokens.set(u.id, (await auth.issue(u)).token);
    const call = async (user: { id: string }, method: string, path: string, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: {
          authorization: `Bearer ${tokens.get(user.id)}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch { /* CSV */ }
      return { status: res.status, body: json, text, headers: res.headers };
    };

    // c1: handed to Ann, answered after 2 minutes, resolved after 10.
    const c1 = await chat.start(u1);
    now = T0 + MIN;
    await chat.takeover(ann, c1.id);
    now = T0 + 3 * MIN;
    await chat.send(ann, c1.id, "Hi, I'm Ann.");
    const rate = (u: { id: string }, id: string, body: unknown) =>
      call(u, "POST", `/api/conversations/${id}/rating`, body);
    const early = await rate(u1, c1.id, { score: 5 });
    assertEquals(early.status, 409, "not resolved yet");
    now = T0 + 10 * MIN;
    await chat.resolve(ann, c1.id);

    for (
      const [body, field] of [
        [{ score: 6 }, "score"],
        [{ score: 0 }, "score"],
        [{ score: 4.5 }, "score"],
        [
          { score: 3, comment: "x".repeat(1001) },
          "comment",
        ],
        [{ score: 3, extra: 1 }, "body"],
        [{}, "score"],
      ] as const
    ) {
      const res = await rate(u1, c1.id, body);
      assertEquals(res.status, 400, JSON.stringify(body));
      assertMatch(res.body.error.message, new RegExp(field));
    }
    assertEquals((await rate(u2, c1.id, { score: 1 })).status, 404, "someone else's");
    assertEquals((await rate(ann, c1.id, { score: 1 })).status, 403, "an agent");
    assertEquals((await call(u1, "GET", `/api/conversations/${c1.id}/rating`)).body.rating, null);
    const rated = await rate(u1, c1.id, { score: 5, comment: "  Quick and kind.  " });
    assertEquals(rated.status, 201);
    assertEquals(rated.body.rating.comment, "Quick and kind.");
    assertEquals(rated.body.rating.agentId, ann.id);
    assertEquals((await rate(u1, c1.id, { score: 1 })).status, 409, "once");
    assertEquals(
      (await call(ann, "GET", `/api/conversations/${c1.id}/rating`)).body.rating.score,
      5,
    );
    assertEquals((await call(u2, "GET", `/api/conversations/${c1.id}/rating`)).status, 404);

    // c2: the bot alone, resolved by the customer after 5 minutes, rated 2; c3 stays open.
    now = T0 + 20 * MIN;
    const c2 = await chat.start(u2);
    now = T0 + 25 * MIN;
    await chat.resolve(u2, c2.id);
    assertEquals((await rate(u2, c2.id, { score: 2 })).status, 201);
    await chat.start(u1);
    // The next day: one more started.
    now = T0 + 24 * 60 * MIN;
    await chat.start(u2);

    const report = await call(admin, "GET", "/api/reports");
    assertEquals(report.status, 200);
    const { days, totals, agents, from, to } = report.body.report;
    assertEquals([from, to], ["2030-02-10", "2030-03-11"], "the last 30 days");
    assertEquals(days.length, 30);
    const day = days.find((d: { day: string }) => d.day === "2030-03-10");
    assertEquals(
      [day.started, day.handoff, day.resolved, day.botResolved, day.ratings, day.satisfied],
      [3, 1, 2, 1, 2, 1],
    );
    assertEquals(day.csat, 50);
    assertEquals(day.averageScore, 3.5);
    assertEquals(day.medianFirstResponseMs, bucketValue(bucketOf(2 * MIN)));
    assertEquals(totals.started, 4);
    assert(Math.abs(bucketValue(bucketOf(2 * MIN)) - 2 * MIN) <= 0.12 * 2 * MIN, "within 12 %");
    assertEquals(agents.length, 1);
    assertEquals(
      [agents[0].name, agents[0].handled, agents[0].resolved, agents[0].ratings, agents[0].csat],
      ["Ann", 1, 1, 1, 100],
    );

    const csv = await call(admin, "GET", "/api/reports?from=2030-03-10&to=2030-03-11&format=csv");
    assertEquals(csv.status, 200);
    assertMatch(csv.headers.get("content-type")!, /text\/csv/);
    const lines = csv.text.trimEnd().split("\r\n");
    assertEquals(lines.length, 3);
    assertMatch(lines[0], /^day,started,handoff,resolved,botResolved,/);
    assertMatch(lines[1], /^2030-03-10,3,1,2,1,/);
    assertMatch(lines[2], /^2030-03-11,1,0,0,0,/);

    for (
      const [query, field] of [
        ["from=2030-02-30", "from"],
        ["to=yesterday", "to"],
        [
          "from=2030-03-11&to=2030-03-10",
          "from",
        ],
        ["from=2020-01-01&to=2030-01-01", "to"],
        ["format=xml", "format"],
      ]
    ) {
      const bad = await call(admin, "GET", `/api/reports?${query}`);
      assertEquals(bad.status, 400, query);
      assertMatch(bad.body.error.message, new RegExp(field));
    }
    assertEquals((await call(ann, "GET", "/api/reports")).status, 403);
  } finally {
    await services.close();
  }
});
