/**
 * Migration steps 2 and 3 (./migrations.ts, issue 16) on a store written in the layout before
 * them — store version 1, one ["client_ids", conversation, author, clientId] key per message —
 * written key by key from a fixture description, interrupted part-way and finished by two
 * instances at once: afterwards no old key is left, every record holds its dedupe window, a
 * repeated clientId is acked with its first message and a new one takes the next seq.
 */
import { assert, assertEquals } from "../../tests/assert.ts";
import { createStore } from "./mod.ts";
import { LATEST_VERSION, migrate } from "./migrations.ts";
import { retryWhenBusy } from "./busy.ts";
import { keys } from "./keys.ts";
import { PER_AUTHOR, type StoredConversation } from "./client_ids.ts";
import type { Message as Current } from "../contract/types.ts";

/** Messages as the code before notes wrote them (no `private`: read as false). */
type Message = Omit<Current, "private">;

/** The fixture: conversations and, per conversation, how many messages each author sent. */
const FIXTURE = Array.from({ length: 30 }, (_, i) => ({
  id: `01V1CONV${String(i).padStart(4, "0")}`,
  customer: `cust-${i}`,
  // Customers send 0..40 messages; every third conversation also has an agent writing.
  sends: [
    { author: `cust-${i}`, count: (i * 7) % 41 },
    ...(i % 3 === 0 ? [{ author: "agent-1", count: 5 }] : []),
  ],
}));

/** Writes one conversation the way store version 1 did: record, messages, a dedupe key each. */
async function writeVersion1(kv: Deno.Kv, c: typeof FIXTURE[number]) {
  const at = "2026-05-01T00:00:00.000Z";
  const op = kv.atomic();
  const messages: Message[] = [{
    id: `${c.id}-1`,
    conversationId: c.id,
    seq: 1,
    sender: "bot",
    authorId: "bot",
    authorName: "Bot",
    text: "Hi",
    createdAt: at,
  }];
  // Interleaved, as people write: one message of each author in turn.
  const left = c.sends.map((s) => ({ ...s }));
  while (left.some((s) => s.count > 0)) {
    for (const s of left.filter((s) => s.count > 0)) {
      const seq = messages.length + 1;
      messages.push({
        id: `${c.id}-${seq}`,
        conversationId: c.id,
        seq,
        sender: s.author.startsWith("agent") ? "agent" : "customer",
        authorId: s.author,
        authorName: s.author,
        text: `m${seq}`,
        createdAt: at,
        clientId: `${s.author}-c${s.count--}`,
      });
    }
  }
  for (const m of messages) {
    op.set(["messages", c.id, m.seq], m);
    if (m.clientId) op.set(["client_ids", c.id, m.authorId, m.clientId], m.seq);
  }
  op.set(["conversations", c.id], {
    id: c.id,
    customerId: c.customer,
    customerName: c.customer,
    status: "open",
    mode: "human",
    assigneeId: "agent-1",
    assigneeName: "Agent",
    createdAt: at,
    updatedAt: at,
    lastSeq: messages.length,
    lastMessage: null,
    waitingSince: null,
    botMisses: 0,
    labels: [],
  });
  assert((await op.commit()).ok);
  return messages;
}

Deno.test("migration: the old per-message dedupe keys fold into the records, resumably", async () => {
  const dir = await Deno.makeTempDir({ prefix: "parley-migrate-window-" });
  const path = `${dir}/kv.sqlite`;
  const kvA = retryWhenBusy(await Deno.openKv(path));
  const kvB = retryWhenBusy(await Deno.openKv(path));
  try {
    const written = new Map<string, Message[]>();
    for (const c of FIXTURE) written.set(c.id, await writeVersion1(kvA, c));
    await kvA.set(keys.migrations(), { version: 1 });
    await kvA.set(keys.migrationProgress(1), { after: null, done: true });

    // A crash part-way through step 2, then two instances finish it together.
    let batches = 0;
    const crashed = await migrate(kvA, {
      batchSize: 4,
      onBatch: (step) => {
        if (step === 2 && ++batches === 3) throw new Error("crash");
      },
    }).then(() => false, () => true);
    assert(crashed);
    await Promise.all([migrate(kvA, { batchSize: 3 }), migrate(kvB, { batchSize: 5 })]);
    assertEquals((await kvA.get(keys.migrations())).value, { version: LATEST_VERSION });

    let left = 0;
    for await (const _ of kvA.list({ prefix: keys.clientIdsPrefix() })) left++;
    assertEquals(left, 0, "no old dedupe key left");

    const store = createStore(kvA);
    for (const c of FIXTURE) {
      const record = (await kvA.get<StoredConversation>(keys.conversation(c.id))).value!;
      const messages = written.get(c.id)!;
      for (const { author } of c.sends) {
        const own = messages.filter((m) => m.authorId === author);
        assertEquals(
          (record.recentClientIds?.[author]?.length ?? 0) / 2,
          Math.min(own.length, PER_AUTHOR),
          `${c.id} ${author}: the window holds the newest`,
        );
        // Each of the newest is acked as a repeat with its first message.
        for (const m of own.slice(-PER_AUTHOR)) {
          const again = await store.conversations.append({
            conversationId: c.id,
            sender: m.sender,
            authorId: author,
            authorName: author,
            text: "again",
            clientId: m.clientId,
          }, () => {});
          assert(again.duplicate, `${c.id} ${m.clientId} is a repeat`);
          assertEquals(again.message.id, m.id);
        }
      }
      const next = await store.conversations.append({
        conversationId: c.id,
        sender: "customer",
        authorId: c.customer,
        authorName: c.customer,
        text: "new",
        clientId: "brand-new",
      }, () => {});
      assertEquals(next.duplicate, false);
      assertEquals(next.message.seq, messages.length + 1, "gapless after the upgrade");
    }
    assertEquals(await migrate(kvB), 0, "a second run changes nothing");
  } finally {
    kvA.close();
    kvB.close();
    await Deno.remove(dir, { recursive: true });
  }
});
