/**
 * Business hours over HTTP with an injected clock: the editor's bad inputs (overlapping hours, an
 * unknown time zone) are 400s naming the field and change nothing; outside hours a handoff says
 * when the team is back and offers to take an email; the widget's availability says so; and the
 * reports count the wait within hours only.
 */
import { assertEquals, assertMatch } from "./assert.ts";
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

Deno.test("business hours: validated editor, away message, availability, time within hours", async () => {
  const kv = await Deno.openKv(":memory:");
  let now = Date.parse("2026-12-21T17:00:00Z"); // Monday 18:00 in Paris
  const services = createServices(testConfig({ LOG_LEVEL: "error" }), kv, {
    bot: quietBot,
    clock: { now: () => now },
  });
  const { store, chat, auth } = services;
  const app = createApp(services);
  try {
    const admin = await store.users.create({ name: "Root", email: "root@x.test", role: "admin" });
    const ann = await store.users.create({ name: "Ann", email: "ann@x.test", role: "agent" });
    const guest = await store.users.create({ name: "Gus", role: "guest" });
    const adminToken = (await auth.issue(admin)).token;
    const guestToken = (await auth.issue(guest)).token;
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: await res.json() };
    };
    const put = (value: unknown) =>
      call("PUT", "/api/settings/business_hours", adminToken, { value });
    const nine = [{ from: "09:00", to: "17:00" }];

    const overlap = await put({
      enabled: true,
      timeZone: "Europe/Paris",
      weekly: { mon: [{ from: "09:00", to: "13:00" }, { from: "12:00", to: "17:00" }] },
    });
    assertEquals(overlap.status, 400);
    assertMatch(overlap.body.error.message, /value\.weekly\.mon\.1: overlaps 09:00–13:00/);
    const zone = await put({ enabled: true, timeZone: "Europe/Atlantis" });
    assertEquals(zone.status, 400);
    assertMatch(zone.body.error.message, /value\.timeZone: must be a time zone/);
    const untouched = await call("GET", "/api/settings/business_hours", adminToken);
    assertEquals([untouched.body.revision, untouched.body.value.enabled], [0, false]);

    const saved = await put({
      enabled: true,
      timeZone: "Europe/Paris",
      weekly: { mon: nine, tue: nine },
      holidays: [{ date: "2026-12-25", name: "Christmas" }],
    });
    assertEquals(saved.status, 200);
    assertEquals(saved.body.revision, 1);

    const available = await call("GET", "/api/widget/availability", guestToken);
    assertEquals(available.body, {
      online: false,
      open: false,
      reopensAt: "2026-12-22T08:00:00.000Z",
      reopensText: "tomorrow at 09:00 (Europe/Paris)",
    });

    const c = await chat.start(guest);
    const waiting = await chat.handoff(guest, c.id);
    assertEquals(waiting.mode, "waiting");
    const said = (await store.conversations.messages(c.id)).at(-1)!;
    assertEquals(
      said.text,
      "Our team is away right now and back tomorrow at 09:00 (Europe/Paris). Leave your email " +
        "address and we'll answer there; I can keep helping meanwhile.",
    );

    // Tuesday 09:30 in Paris: Ann answers. The wait counted within hours is 30 minutes.
    now = Date.parse("2026-12-22T08:30:00Z");
    assertEquals((await call("GET", "/api/widget/availability", guestToken)).body.open, true);
    await chat.takeover(ann, c.id);
    await chat.send(ann, c.id, "Good morning!");
    const report = await services.reports.report("2026-12-22", "2026-12-22");
    assertEquals(report.days[0].medianFirstResponseMs, bucketValue(bucketOf(30 * 60_000)));
  } finally {
    await services.close();
  }
});
