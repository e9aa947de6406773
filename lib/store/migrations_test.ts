/**
 * The start-up migration (./migrations.ts) on a store written the old way — conversation records
 * without labels, and only the keys the code before list indexes wrote — interrupted part-way,
 * then finished by two instances at once: afterwards the indexes, counters, pages and queue places
 * are those of a store written by today's code, and running it again changes nothing.
 */
import { assert, assertEquals } from "../../tests/assert.ts";
import { createStore } from "./mod.ts";
import { LATEST_VERSION, migrate } from "./migrations.ts";
import { retryWhenBusy } from "./busy.ts";
import { keys } from "./keys.ts";
import { assertIndexesMatch, assertPagesMatch } from "../../tests/fixtures/list_checks.ts";
import type { Conversation, ConversationMode, ConversationStatus } from "../contract/types.ts";
import type { ListFilter } from "./list_query.ts";

/** What the code before list indexes wrote for a conversation (and its first message). */
function writeOldWay(op: Deno.AtomicOperation, c: Omit<Conversation, "labels">) {
  op.set(["conversations", c.id], c)
    .set(["conversations_by_customer", c.customerId, c.id], null)
    .set(["messages", c.id, 1], {
      id: `${c.id}-m1`,
      conversationId: c.id,
      seq: 1,
      sender: "bot",
      authorId: "bot",
      authorName: "Bot",
      text: "Hi",
      createdAt: c.createdAt,
    });
  if (c.status === "open" && c.mode === "human" && c.assigneeId) {
    op.set(["conversations_by_assignee", c.assigneeId, c.id], null);
  }
  if (c.status === "open" && c.mode === "waiting") op.set(["waiting", c.waitingSince!, c.id], null);
}

function oldConversation(i: number): Omit<Conversation, "labels"> {
  const status: ConversationStatus = i % 5 === 0 ? "resolved" : "open";
  const mode: ConversationMode = (["bot", "waiting", "human"] as const)[i % 3];
  const at = new Date(Date.parse("2026-05-01T00:00:00.000Z") + i * 60_000 - (i % 7) * 3600_000)
    .toISOString();
  const assigned = mode === "human";
  return {
    id: `01OLD${String(i).padStart(5, "0")}`,
    customerId: `cust-${i % 4}`,
    customerName: `Customer ${i % 4}`,
    status,
    mode,
    assigneeId: assigned ? `agent-${i % 2}` : null,
    assigneeName: assigned ? `Agent ${i % 2}` : null,
    createdAt: at,
    updatedAt: at,
    lastSeq: 1,
    lastMessage: null,
    // Waiting in a different order than created; two share a millisecond.
    waitingSince: status === "open" && mode === "waiting"
      ? new Date(Date.parse(at) - (i % 4) * 1000 - (i === 4 || i === 7 ? 999_999 : 0)).toISOString()
      : null,
    botMisses: 0,
  };
}

Deno.test("migration: an old store is indexed, resumably, by two instances at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "parley-migrate-" });
  const path = `${dir}/kv.sqlite`;
  const kvA = retryWhenBusy(await Deno.openKv(path));
  const kvB = retryWhenBusy(await Deno.openKv(path));
  try {
    const old = Array.from({ length: 83 }, (_, i) => oldConversation(i));
    for (let i = 0; i < old.length; i += 20) {
      const op = kvA.atomic();
      for (const c of old.slice(i, i + 20)) writeOldWay(op, c);
      assert((await op.commit()).ok);
    }

    // A crash after two batches: the progress stays, and the next start goes on from there.
    let batches = 0;
    const crashed = await migrate(kvA, {
      batchSize: 10,
      onBatch: () => {
        if (++batches === 2) throw new Error("crash");
      },
    }).then(() => false, () => true);
    assert(crashed);
    assertEquals((await kvA.get(keys.migrations())).value, null);

    // Two instances start at once and finish it together: each conversation indexed once.
    const [a, b] = await Promise.all([
      migrate(kvA, { batchSize: 7 }),
      migrate(kvB, { batchSize: 9 }),
    ]);
    assertEquals(a + b, old.length - 20);
    assertEquals((await kvA.get(keys.migrations())).value, { version: LATEST_VERSION });
    assertEquals(await migrate(kvB), 0);

    const store = createStore(kvA);
    await assertIndexesMatch(store);
    const filters: ListFilter[] = [{}, { status: "open" }, { mode: "waiting" }];
    filters.push(
      ...(["open", "resolved"] as const).map((status) => ({ status, assignee: "agent-1" })),
    );
    await assertPagesMatch(store, [...filters, { customer: "cust-2" }], 6);

    // Queue places: the old waiting entries, in waitingSince order.
    const waiting = old.filter((c) => c.status === "open" && c.mode === "waiting")
      .sort((x, y) => x.waitingSince!.localeCompare(y.waitingSince!) || x.id.localeCompare(y.id));
    const places = await store.conversations.queue.positions(
      waiting.map((c) => ({ since: c.waitingSince!, id: c.id })),
    );
    assertEquals(waiting.map((c) => places.get(c.id)), waiting.map((_, i) => i + 1));
    for (const [i, c] of waiting.entries()) {
      assertEquals(
        await store.conversations.queue.position({ since: c.waitingSince!, id: c.id }),
        i + 1,
      );
    }

    // Today's code goes on from there: a state change moves the migrated entries.
    await store.conversations.change(
      waiting[0].id,
      (c) => ({ next: { ...c, status: "resolved" } }),
    );
    await assertIndexesMatch(store);
  } finally {
    kvA.close();
    kvB.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("migration: conversations written by today's code are never counted twice", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = createStore(kv);
    const customer = await store.users.create({ name: "C", role: "customer" });
    for (let i = 0; i < 5; i++) {
      await store.conversations.create(customer, { name: "B", text: "Hi" });
    }
    const op = kv.atomic();
    writeOldWay(op, oldConversation(1));
    assert((await op.commit()).ok);
    assertEquals(await migrate(kv), 1);
    await assertIndexesMatch(store);
    assertEquals((await store.lists.counts("x")).open, 6);
  } finally {
    kv.close();
  }
});
