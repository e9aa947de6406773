/**
 * The queue's order statistics (./queue.ts): the Fenwick tree's node paths, and places in line
 * against a brute-force ranking through random joins and leaves (ties in one millisecond
 * included), by the tree and by listing.
 */
import { assert, assertEquals } from "../../tests/assert.ts";
import {
  joinQueue,
  leaveQueue,
  prefixNodes,
  Queue,
  type QueueEntry,
  slotOf,
  updateNodes,
} from "./queue.ts";
import { keys } from "./keys.ts";

Deno.test("queue: a change at a slot reaches exactly one node of every prefix that covers it", () => {
  const slots = [1, 2, 3, 7, 8, 1023, 1024, 1025, slotOf("2026-07-01T12:00:00.123Z")];
  for (const changed of slots) {
    const touched = new Set(updateNodes(changed));
    assert(touched.size <= 43, `${touched.size} nodes`);
    for (const query of [...slots, changed - 1, changed + 1, 2 ** 41 + 5]) {
      if (query < 1) continue;
      const hits = prefixNodes(query).filter((n) => touched.has(n)).length;
      assertEquals(hits, changed <= query ? 1 : 0, `change ${changed}, prefix ${query}`);
    }
  }
  assertEquals(prefixNodes(0), []);
  assertEquals(slotOf("not a date"), 1);
});

Deno.test("queue: places in line match a brute-force ranking through joins and leaves", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const queue = new Queue(kv);
    const base = Date.parse("2026-07-01T09:00:00.000Z");
    let waiting: QueueEntry[] = [];
    let n = 0;
    const rank = (e: QueueEntry) =>
      waiting.filter((w) => w.since < e.since || (w.since === e.since && w.id < e.id)).length + 1;
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 15; i++) {
        const op = kv.atomic();
        if (waiting.length && Math.random() < 0.35) {
          const gone = waiting[Math.floor(Math.random() * waiting.length)];
          leaveQueue(op, gone);
          waiting = waiting.filter((w) => w !== gone);
        } else {
          // Few distinct milliseconds, so that ties are common; ids sort within one.
          const since = new Date(base + Math.floor(Math.random() * 40) * 997).toISOString();
          const entry = { since, id: `c${String(n++).padStart(4, "0")}` };
          joinQueue(op, entry);
          waiting.push(entry);
        }
        assert((await op.commit()).ok);
      }
      const probes = [...waiting, { since: new Date(base + 20_000).toISOString(), id: "zzz" }];
      const expected = new Map(probes.map((e) => [e.id, rank(e)]));
      for (const e of probes) assertEquals(await queue.position(e), expected.get(e.id));
      assertEquals(await queue.positions(probes), expected);
      const head = await queue.head(2);
      const sorted = [...waiting].sort((a, b) => rank(a) - rank(b));
      assertEquals(head, sorted.slice(0, 2));
    }
    // Everyone left (up to 44 mutations each): every node is back at zero.
    for (let i = 0; i < waiting.length; i += 20) {
      const op = kv.atomic();
      for (const e of waiting.slice(i, i + 20)) leaveQueue(op, e);
      assert((await op.commit()).ok);
    }
    for await (const e of kv.list<Deno.KvU64>({ prefix: ["queue_tree"] })) {
      assertEquals(e.value.value, 0n, `node ${String(e.key[1])}`);
    }
    assertEquals((await kv.get(keys.waitingPrefix())).value, null);
  } finally {
    kv.close();
  }
});
