/**
 * GDPR export and erasure, checked key by key, and retention (RETENTION_DAYS) with an injected
 * clock: every KV key and value is listed before and after, and nothing naming the erased customer
 * (id, email, name, external id, conversation ids) is left; the other customer's data and every
 * counter stay right; two sweepers at once (two instances: two KV handles on one file) and a
 * half-done erase (a crash) delete once.
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { testConfig } from "../lib/config.ts";
import { createServices, type Services } from "../lib/server/services.ts";
import { createApp } from "../lib/server/app.ts";
import type { Bot } from "../lib/bot/types.ts";
import { Retention } from "../lib/chat/retention.ts";
import { createLogger } from "../lib/log.ts";
import { openKv } from "../lib/store/mod.ts";

const quietBot: Bot = {
  name: "Bot",
  greet: () => "Hello!",
  reply: () => Promise.resolve({ text: "ok", outcome: "answered" }),
};
const DAY = 24 * 3600_000;

/** Every key and value in the store, as text. */
async function dump(kv: Deno.Kv): Promise<string[]> {
  const out: string[] = [];
  for await (const e of kv.list({ prefix: [] })) {
    out.push(
      JSON.stringify(
        [e.key, e.value],
        (_, v) => typeof v === "bigint" ? String(v) : v instanceof Deno.KvU64 ? String(v.value) : v,
      ),
    );
  }
  return out;
}

/** The filter counters agree with the conversations actually stored. */
async function assertCountsRight(services: Services, readerId: string) {
  const all = await services.store.conversations.listAll(10_000);
  const counts = await services.store.lists.counts(readerId);
  const by = (f: (c: (typeof all)[number]) => boolean) => all.filter(f).length;
  assertEquals(
    [counts.open, counts.resolved, counts.bot, counts.waiting, counts.human],
    [
      by((c) => c.status === "open"),
      by((c) => c.status === "resolved"),
      by((c) => c.status === "open" && c.mode === "bot"),
      by((c) => c.status === "open" && c.mode === "waiting"),
      by((c) => c.status === "open" && c.mode === "human"),
    ],
    "counters",
  );
  assertEquals(
    await services.store.conversations.queue.size(),
    by((c) => c.mode === "waiting" && c.status === "open"),
  );
}

Deno.test("GDPR: export, then erase every record naming the customer", async () => {
  const kv = await Deno.openKv(":memory:");
  let now = Date.parse("2030-05-01T09:00:00Z");
  const services = createServices(testConfig({ LOG_LEVEL: "error" }), kv, {
    bot: quietBot,
    clock: { now: () => now },
  });
  const { store, chat, auth, reads } = services;
  const app = createApp(services);
  try {
    const admin = await store.users.create({ name: "Root", email: "root@x.test", role: "admin" });
    const ann = await store.users.create({ name: "Ann", email: "ann@x.test", role: "agent" });
    const zed = await store.visitors.identify("ext-zed-77", "Zed Quincy", {
      email: "zed.quincy@x.test",
    });
    const keep = await store.users.create({
      name: "Keep Me",
      email: "keep@x.test",
      role: "customer",
    });
    const adminToken = (await auth.issue(admin)).token;
    await auth.issue(zed);
    await auth.issue(zed);
    const call = (method: string, path: string, token = adminToken) =>
      app.request(path, { method, headers: { authorization: `Bearer ${token}` } });

    // Zed: one resolved and rated, one waiting in the queue, one with Ann; read marks, a gap.
    const resolved = await chat.start(zed);
    await chat.send(zed, resolved.id, "My order 123 never came.");
    await chat.takeover(ann, resolved.id);
    await chat.send(ann, resolved.id, "Sending another.");
    await reads.mark(zed, resolved.id, 3);
    await reads.mark(ann, resolved.id, 3);
    await chat.resolve(ann, resolved.id);
    await services.csat.rate(zed, resolved.id, { score: 4, comment: "Thanks, Zed Quincy here" });
    now += 1000;
    const waiting = await chat.start(zed);
    await chat.handoff(zed, waiting.id);
    assertEquals((await store.conversations.get(waiting.id))!.mode, "waiting");
    const held = await chat.start(zed);
    await chat.send(zed, held.id, "hello?", "client-1");
    await chat.takeover(ann, held.id);
    await store.botStats.addGap({
      question: "where is zed.quincy@x.test's parcel",
      conversationId: held.id,
      reason: null,
      lang: "en",
    });
    // Someone else's conversation, untouched.
    const other = await chat.start(keep);
    await chat.send(keep, other.id, "Keep this.");
    await chat.takeover(ann, other.id);
    assertEquals((await store.users.agentState(ann.id)).value!.load, 2);

    await services.botRunner.idle();
    const otherMessages = (await store.conversations.messages(other.id)).length;
    const exported = await call("GET", `/api/customers/${zed.id}/export`);
    assertEquals(exported.status, 200);
    const data = await exported.json();
    assertEquals(data.customer.email, "zed.quincy@x.test");
    assertEquals(data.customer.externalId, "ext-zed-77");
    assertEquals("passwordHash" in data.customer, false);
    assertEquals(data.conversations.length, 3);
    const r = data.conversations.find((c: { id: string }) => c.id === resolved.id);
    assertEquals(r.parts.messages.length, (await store.conversations.messages(resolved.id)).length);
    assert(r.parts.messages.length >= 5);
    assertEquals(r.parts.rating[0].score, 4);
    assertEquals(r.parts.reads.length, 2);
    assertEquals(data.other.sessions.length, 2);
    assertEquals(data.other.unansweredQuestions.length, 1);

    // Refusals change nothing.
    const before = await dump(kv);
    const agentId = await call("DELETE", `/api/customers/${ann.id}`);
    assertEquals(agentId.status, 400);
    assertMatch((await agentId.json()).error.message, /^id: /);
    assertEquals((await call("GET", `/api/customers/${admin.id}/export`)).status, 400);
    assertEquals((await call("DELETE", "/api/customers/01ARZ3NDEKTSV4RRFFQ69G5FAV")).status, 404);
    const annToken = (await auth.issue(ann)).token;
    assertEquals((await call("DELETE", `/api/customers/${zed.id}`, annToken)).status, 403);
    const annSession = (await dump(kv)).filter((line) => !before.includes(line));
    assertEquals(
      annSession.map((line) => JSON.parse(line)[0][0]).sort(),
      ["presence", "sessions"],
      "only Ann's session and presence (she used the API) were written",
    );
    const needles = [
      zed.id,
      "zed.quincy@x.test",
      "Zed Quincy",
      "ext-zed-77",
      resolved.id,
      waiting.id,
      held.id,
    ];
    assert(before.some((line) => needles.some((n) => line.includes(n))));

    const erased = await call("DELETE", `/api/customers/${zed.id}`);
    assertEquals(erased.status, 204);
    const after = await dump(kv);
    // The audit log keeps that an admin exported and erased this id, and nothing else of theirs.
    const isAuditOfErasure = (line: string) =>
      line.startsWith('[["audit",') && /"action":"customer\.(exported|erased)"/.test(line);
    const left = after.filter((line) =>
      needles.some((n) => line.includes(n)) && !isAuditOfErasure(line)
    );
    assertEquals(left, [], "nothing of the customer's is left");
    assertEquals(after.filter(isAuditOfErasure).length, 2, "the export and the erasure are logged");
    assert(
      after.some((line) => line.includes(other.id)),
      "the other customer's conversation stays",
    );
    assertEquals((await store.conversations.messages(other.id)).length, otherMessages);
    assertEquals((await store.users.agentState(ann.id)).value!.load, 1, "Ann's load follows");
    await assertCountsRight(services, ann.id);
    assertEquals((await call("GET", `/api/customers/${zed.id}/export`)).status, 404);
    assertEquals((await call("DELETE", `/api/customers/${zed.id}`)).status, 404);

    // A crash right after the erasure's first commit (record gone, job written): any instance's
    // sweeper finishes it, RETENTION_DAYS set or not.
    const yan = await store.users.create({
      name: "Yan Crash",
      email: "yan@x.test",
      role: "customer",
    });
    const yc = await chat.start(yan);
    await chat.send(yan, yc.id, "half-erased");
    await services.botRunner.idle();
    assertEquals(await store.eraser.startCustomer((await store.users.getEntry(yan.id))!), true);
    assertEquals(await store.eraser.pendingCustomers(), [yan.id]);
    await services.retention.sweep();
    assertEquals(await store.eraser.pendingCustomers(), []);
    const yanLeft = (await dump(kv)).filter((line) =>
      [yan.id, "yan@x.test", "Yan Crash", yc.id].some((n) => line.includes(n))
    );
    assertEquals(yanLeft, [], "the interrupted erasure was finished");
    await assertCountsRight(services, ann.id);
  } finally {
    await services.close();
  }
});

Deno.test("retention: old resolved conversations go, once, even with two sweepers and after a crash", async () => {
  // Two instances: two KV handles on one file, each with its own services.
  const path = await Deno.makeTempFile({ suffix: ".sqlite" });
  const kv = await openKv(path); // as production opens a shared file (lib/store/busy.ts)
  const T0 = Date.parse("2030-06-01T12:00:00Z");
  let now = T0 - 45 * DAY;
  const clock = { now: () => now };
  const config = testConfig({ LOG_LEVEL: "error", RETENTION_DAYS: "30" });
  const services = createServices(config, kv, { bot: quietBot, clock });
  const second = createServices(config, await openKv(path), { bot: quietBot, clock });
  const { store, chat } = services;
  try {
    const ann = await store.users.create({ name: "Ann", email: "ann@x.test", role: "agent" });
    const u = await store.users.create({ name: "Una", role: "customer" });
    const old: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await chat.start(u);
      for (let m = 0; m < 30; m++) await chat.send(u, c.id, `message ${m}`);
      await chat.takeover(ann, c.id);
      await chat.resolve(ann, c.id);
      await services.csat.rate(u, c.id, { score: 5 });
      old.push(c.id);
    }
    const oldOpen = await chat.start(u); // old but open: kept
    now = T0 - 10 * DAY;
    const recent = await chat.start(u);
    await chat.resolve(u, recent.id); // resolved 10 days ago: kept
    now = T0;
    await services.botRunner.idle();

    // A crash in the middle of erasing old[0]: some of its messages already gone.
    await store.eraser.deletePlaces([{ prefix: ["messages", old[0]] }]);

    const log = createLogger("error");
    const other = new Retention(second.store, second.privacy, {
      days: 30,
      clock,
      log,
      owner: "instance-b",
      batch: 2,
    });
    const mine = new Retention(store, services.privacy, {
      days: 30,
      clock,
      log,
      owner: "instance-a",
      batch: 2,
    });
    // Both at once: the lease lets one through; the other erases nothing this time.
    const [a, b] = await Promise.all([mine.sweep(), other.sweep()]);
    assertEquals([a, b].sort(), [0, 2]);
    // Without the lease (it ran out mid-sweep): the same conversation erased twice at once moves
    // its counters once.
    const twice = await Promise.all([
      store.eraser.eraseConversation(old[4]),
      second.store.eraser.eraseConversation(old[4]),
    ]);
    assertEquals(twice.sort(), ["erased", "gone"]);
    // (The sweeper also clears what names its batch elsewhere; this direct call stands for it.)
    await store.eraser.deleteScanned({ customerId: null, conversationIds: new Set([old[4]]) });
    await assertCountsRight(services, ann.id);
    const winner = a ? mine : other;
    while (await winner.sweep() > 0) { /* batches of 2 */ }
    for (const id of old) assertEquals(await store.conversations.get(id), null);
    const lines = await dump(kv);
    for (const id of old) {
      assertEquals(lines.filter((l) => l.includes(id)), [], `nothing of ${id} left`);
    }
    assert(await store.conversations.get(oldOpen.id));
    assert(await store.conversations.get(recent.id));
    await assertCountsRight(services, ann.id);
    const counts = await store.lists.counts(ann.id, { assignee: ann.id });
    assertEquals(counts.assignee, { open: 0, resolved: 0 });
    // Reports keep their figures (counters per day, naming nobody).
    const report = await services.reports.report("2030-04-01", "2030-06-01");
    assertEquals(report.totals.ratings, 5);

    // Unset: nothing is ever due.
    const keepAll = new Retention(store, services.privacy, {
      days: null,
      clock,
      log,
      owner: "instance-c",
    });
    now = T0 + 1000 * DAY;
    await mine.stop();
    await other.stop();
    assertEquals(await keepAll.sweep(), 0);
    assertEquals(keepAll.cutoff(), null);
    assert(await store.conversations.get(recent.id));
  } finally {
    await second.close();
    await services.close();
    await Deno.remove(path).catch(() => {});
  }
});
