/**
 * The waiting queue (key shapes in ./keys.ts). Three structures, all written in the commit that
 * moves a conversation into or out of the queue (./lists.ts `reindex`):
 *
 * - ["waiting", since, id]: the queue in order; its first key is the head (draining reads one key);
 * - ["queue_tree", node]: a Fenwick tree of KvU64 counters over `waitingSince` in milliseconds
 *   (2^42 slots, until 2109): a join adds 1, a leave 2^64 − 1 (−1), to at most 42 nodes;
 * - ["queue_version"]: a KvU64 that every join and leave adds 1 to.
 *
 * A place in line is 1 + the entries before it: the tree's prefix count of earlier milliseconds
 * (at most 42 node reads) plus the entries of the same millisecond with a smaller id (a short
 * list). Requeued conversations keep their original `waitingSince`, so they go back to their place.
 *
 * Exactness: the tree's nodes are read in several calls, so a read racing a commit could count
 * half of it. A join that stores its number ("You're number 3 in the queue") reads the version
 * first and checks it in its commit (./conversations.ts): any join or leave committed meanwhile
 * makes it retry, so concurrent joins get distinct, correct numbers, and leaves never wait for
 * joins. Live positions (`positions`) read the version before and after, and read again if it moved.
 */
import { keys } from "./keys.ts";
import { getManyBatched } from "./batch.ts";
import { countOf, MINUS_ONE, signedOf } from "./counters.ts";

export interface QueueEntry {
  since: string;
  id: string;
}

const SLOTS = 2 ** 42;

/** The tree slot of a waitingSince (1-based milliseconds since 1970, clamped). */
export function slotOf(since: string): number {
  const ms = Date.parse(since);
  return Number.isNaN(ms) ? 1 : Math.min(SLOTS, Math.max(1, ms + 1));
}

/** The lowest set bit of a positive integer below 2^53 (bitwise operators stop at 32 bits). */
function lowbit(i: number): number {
  let p = 1;
  while (i % (p * 2) === 0) p *= 2;
  return p;
}

/** The nodes a change at `slot` adds to. */
export function updateNodes(slot: number): number[] {
  const out: number[] = [];
  for (let i = slot; i <= SLOTS; i += lowbit(i)) out.push(i);
  return out;
}

/** The nodes whose sum is the count of slots 1..`slot`. */
export function prefixNodes(slot: number): number[] {
  const out: number[] = [];
  for (let i = slot; i > 0; i -= lowbit(i)) out.push(i);
  return out;
}

/** What index writes go to: an atomic operation, or a recorder (./lists.ts `RecordedWrites`). */
export interface Writes {
  set(key: Deno.KvKey, value: unknown): unknown;
  delete(key: Deno.KvKey): unknown;
  sum(key: Deno.KvKey, n: bigint): unknown;
}

function move(op: Writes, entry: QueueEntry, by: bigint): number {
  const nodes = updateNodes(slotOf(entry.since));
  for (const node of nodes) op.sum(keys.queueTree(node), by);
  op.sum(keys.queueVersion(), 1n);
  return nodes.length + 2;
}

/** Adds `entry` to the queue in `op`; returns the mutations added. */
export function joinQueue(op: Writes, entry: QueueEntry): number {
  op.set(keys.waiting(entry.since, entry.id), null);
  return move(op, entry, 1n);
}

/** Removes `entry` from the queue in `op`; returns the mutations added. */
export function leaveQueue(op: Writes, entry: QueueEntry): number {
  op.delete(keys.waiting(entry.since, entry.id));
  return move(op, entry, MINUS_ONE);
}

/** Reading the queue: its head, its size, places in line. */
export class Queue {
  constructor(private kv: Deno.Kv) {}

  /** The first `limit` entries, in order. */
  async head(limit = 1): Promise<QueueEntry[]> {
    const out: QueueEntry[] = [];
    for await (const e of this.kv.list({ prefix: keys.waitingPrefix() }, { limit })) {
      out.push({ since: String(e.key[1]), id: String(e.key[2]) });
    }
    return out;
  }

  /**
   * The waitingSince of a new arrival at `now`: after the last entry's, so that arrivals line up
   * in the order of their (version-checked) commits even when clocks or milliseconds collide.
   */
  async sinceForNew(now: string): Promise<string> {
    let last: string | null = null;
    for await (
      const e of this.kv.list({ prefix: keys.waitingPrefix() }, { reverse: true, limit: 1 })
    ) {
      last = String(e.key[1]);
    }
    return last !== null && last >= now ? new Date(Date.parse(last) + 1).toISOString() : now;
  }

  /** How many wait (the open/waiting filter count). */
  async size(): Promise<number> {
    return countOf((await this.kv.get(keys.countState("open", "waiting"))).value);
  }

  /** The version entry a join checks (see the header). */
  version(): Promise<Deno.KvEntryMaybe<Deno.KvU64>> {
    return this.kv.get<Deno.KvU64>(keys.queueVersion());
  }

  /**
   * The 1-based place of `entry` (in the queue or about to join it): one round of reads, exact
   * only if the version did not move meanwhile (a join checks it in its commit).
   */
  async position(entry: QueueEntry): Promise<number> {
    return (await this.#byTree([entry])).get(entry.id)!;
  }

  /**
   * Places of many entries, consistent with one state of the queue. Costs O(m log n) reads for m
   * entries in a queue of n, or one listing of the queue when that is cheaper (m close to n).
   */
  async positions(entries: QueueEntry[]): Promise<Map<string, number>> {
    if (!entries.length) return new Map();
    let result = new Map<string, number>();
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = await this.version();
      const listing = entries.length * 24 >= await this.size();
      result = listing ? await this.#byListing(entries) : await this.#byTree(entries);
      if ((await this.version()).versionstamp === before.versionstamp) break;
    }
    return result;
  }

  async #byListing(entries: QueueEntry[]): Promise<Map<string, number>> {
    const listed: QueueEntry[] = [];
    for await (const e of this.kv.list({ prefix: keys.waitingPrefix() }, { batchSize: 1000 })) {
      listed.push({ since: String(e.key[1]), id: String(e.key[2]) });
    }
    // Place = 1 + entries listed before it (binary search: the listing is in order).
    const out = new Map<string, number>();
    for (const e of entries) {
      let lo = 0, hi = listed.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const m = listed[mid];
        if (m.since < e.since || (m.since === e.since && m.id < e.id)) lo = mid + 1;
        else hi = mid;
      }
      out.set(e.id, lo + 1);
    }
    return out;
  }

  async #byTree(entries: QueueEntry[]): Promise<Map<string, number>> {
    const nodes = [
      ...new Set(entries.flatMap((e) => prefixNodes(slotOf(e.since) - 1))),
    ];
    const [values, sameSlot] = await Promise.all([
      getManyBatched<Deno.KvU64>(this.kv, nodes.map((n) => keys.queueTree(n))),
      Promise.all(entries.map((e) => this.#sameSlotBefore(e))),
    ]);
    const count = new Map(nodes.map((n, i) => [n, signedOf(values[i].value)]));
    const out = new Map<string, number>();
    entries.forEach((e, i) => {
      let before = sameSlot[i];
      for (const n of prefixNodes(slotOf(e.since) - 1)) before += count.get(n)!;
      out.set(e.id, Math.max(0, before) + 1);
    });
    return out;
  }

  /** Entries of the same millisecond before `entry` (ids sort after their time). */
  async #sameSlotBefore(entry: QueueEntry): Promise<number> {
    let n = 0;
    const iter = this.kv.list({
      prefix: keys.waitingAt(entry.since),
      end: keys.waiting(entry.since, entry.id),
    });
    for await (const _ of iter) n++;
    return n;
  }
}
