import { assert, assertEquals } from "../../tests/assert.ts";
import { createStore } from "../store/mod.ts";
import { keys } from "../store/keys.ts";
import { addOutboxEvent } from "../store/outbox.ts";
import { idGenerator } from "../ids.ts";
import { fanOut, planDeliveries } from "./fanout.ts";
import type { WebhookRecord } from "../store/deliveries.ts";
import type { Message } from "../contract/types.ts";

const hook = (id: string, includePrivate: boolean): WebhookRecord => ({
  id,
  url: "https://example.com/" + id,
  events: ["message.created", "rating.created"],
  includePrivate,
  secret: "s",
  createdAt: new Date().toISOString(),
  createdBy: "admin",
});

Deno.test("fan-out: private notes only to webhooks that ask, never by email", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = createStore(kv);
  try {
    const newId = idGenerator();
    const customer = await store.users.create({
      name: "Casey",
      role: "customer",
      email: "c@example.com",
    });
    const { conversation } = await store.conversations.create(customer, {
      name: "Bot",
      text: "Hi",
    });
    const note: Message & { private: boolean } = {
      id: newId(),
      conversationId: conversation.id,
      seq: 2,
      sender: "agent",
      authorId: "a",
      authorName: "Dana",
      text: "internal: customer is angry",
      createdAt: new Date().toISOString(),
      private: true,
    };
    await kv.set(keys.message(conversation.id, 2), note);
    const hooks = [hook("plain", false), hook("all", true)];
    const mail = { smtpUrl: "smtp://x", from: "f@x", replyTo: "r@x", delayMs: 0 };
    const record = {
      at: note.createdAt,
      items: [{
        event: "message.created" as const,
        ref: { conversationId: conversation.id, seq: 2 },
      }],
    };
    const planned = await planDeliveries({ store, newId, mail }, record, hooks, Date.now());
    assertEquals(planned.map((d) => d.kind === "webhook" ? d.webhookId : d.kind), ["all"]);

    // The same message, not private: both webhooks and an email.
    await kv.set(keys.message(conversation.id, 2), { ...note, private: false });
    const open = await planDeliveries({ store, newId, mail }, record, hooks, Date.now());
    assertEquals(open.map((d) => d.kind === "webhook" ? d.webhookId : d.kind), [
      "plain",
      "all",
      "email",
    ]);
  } finally {
    store.close();
  }
});

Deno.test("fan-out: records become deliveries once, under the lease; addOutboxEvent", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = createStore(kv);
  try {
    const newId = idGenerator();
    for (const h of [hook("a", false), hook("b", false)]) {
      await store.deliveries.createWebhook(h, {
        actorId: "x",
        action: "t",
        target: h.id,
        details: {},
      });
    }
    // Another feature's commit emits an event (rating.created), and a failed one emits none.
    await addOutboxEvent(kv.atomic().set(["x"], 1), "rating.created", { score: 5 }).commit();
    const failed = await addOutboxEvent(
      kv.atomic().check({ key: ["x"], versionstamp: null }),
      "rating.created",
      { score: 1 },
    ).commit();
    assertEquals(failed.ok, false);
    assertEquals((await store.outbox.oldest(10)).length, 1);

    const now = Date.now();
    const lease = await store.outbox.takeLease("me", now, now + 5000);
    assert(lease);
    assertEquals(await store.outbox.takeLease("other", now, now + 5000), null, "held by me");
    assertEquals(await fanOut({ store, newId, mail: null }, lease, now), 1);
    assertEquals((await store.outbox.oldest(10)).length, 0);
    const made = await store.deliveries.recent(10);
    assertEquals(made.length, 2);
    assertEquals(JSON.parse((made[0] as { body: string }).body).data, { score: 5 });
    // A stale lease (someone took it over) commits nothing.
    await addOutboxEvent(kv.atomic(), "rating.created", { score: 4 }).commit();
    const later = now + 10_000;
    const theirs = await store.outbox.takeLease("other", later, later + 5000);
    assert(theirs);
    assertEquals(await fanOut({ store, newId, mail: null }, lease, later), 0);
    assertEquals((await store.deliveries.recent(10)).length, 2);
  } finally {
    store.close();
  }
});

Deno.test("deliveries: one claim wins; a lost claim finishes nothing; expiry frees it", async () => {
  const kv = await Deno.openKv(":memory:");
  const store = createStore(kv);
  try {
    const now = 1_000_000;
    const op = kv.atomic();
    store.deliveries.add(op, {
      id: "d1",
      kind: "webhook",
      webhookId: "w",
      url: "https://example.com",
      event: "message.created",
      body: "{}",
      status: "pending",
      createdAt: new Date(now).toISOString(),
      attempts: 0,
      dueAt: now,
      leaseOwner: null,
      leaseUntil: 0,
      lastError: null,
      lastStatus: null,
      finishedAt: null,
    });
    await op.commit();
    const [due] = await store.deliveries.due(now, 10);
    const claims = await Promise.all(
      ["a", "b", "c"].map((o) => store.deliveries.claim("d1", due.dueAt, o, now, now + 100)),
    );
    const won = claims.filter((c) => c !== null);
    assertEquals(won.length, 1);
    assertEquals(await store.deliveries.due(now + 50, 10), [], "leased: not due");
    // The lease ends (its holder crashed): due again, and someone else claims it.
    const [again] = await store.deliveries.due(now + 100, 10);
    const retaken = await store.deliveries.claim("d1", again.dueAt, "z", now + 100, now + 200);
    assert(retaken);
    assertEquals(retaken.value.attempts, 2);
    const stale = await store.deliveries.finish(won[0]!, {
      status: "delivered",
      error: null,
      httpStatus: 200,
      at: "t",
    });
    assertEquals(stale, false, "the crashed holder's late result is not written");
    assert(
      await store.deliveries.finish(retaken, {
        status: "delivered",
        error: null,
        httpStatus: 200,
        at: "t",
      }),
    );
    assertEquals((await store.deliveries.get("d1")).value?.status, "delivered");
    assertEquals(await store.deliveries.due(now + 1_000_000, 10), []);
  } finally {
    store.close();
  }
});
