/**
 * The list indexes and filter counts of conversations (key shapes in ./keys.ts), derived from the
 * record alone: `entriesOf(c)` are the index keys a conversation has in state `c`, `countersOf(c)`
 * the KvU64 counters it adds 1 to, `queuedOf(c)` its place in the waiting queue (./queue.ts).
 * Every commit that writes a conversation record calls `reindex(op, prev, next)` — create, state
 * changes (./conversations.ts), message appends (./group_commit.ts), claims (./claim.ts), the
 * migration (./migrations.ts) — which deletes the entries only `prev` had, sets the ones only
 * `next` has and moves the counters by ±1. So lists and counts can't drift from the records, and
 * an entry holds only an id (its key), never a copy. Readers are in ./list_query.ts.
 *
 * What a message costs: it changes only `updatedAt` (with lastSeq and lastMessage), so the only
 * entries that move are those whose key holds the activity time of an open conversation: its
 * ["by_state", …] entry and one ["by_label", …] entry per label — a delete and a set each, no
 * check, no counter. Resolved conversations take no messages, so their entries never move after
 * the resolve. A customer's and an agent's open conversations are few, so they are kept by id
 * (["by_customer_open", …], ["conversations_by_assignee", …]) and sorted when read.
 */
import { keys } from "./keys.ts";
import type { Conversation } from "../contract/types.ts";
import { joinQueue, leaveQueue, type QueueEntry, type Writes } from "./queue.ts";
import { MINUS_ONE } from "./counters.ts";

export const labelsOf = (c: Conversation): readonly string[] => c.labels ?? [];

/**
 * The status lane a conversation is listed and counted in: a snoozed open conversation has its
 * own ("snoozed"), so it leaves the open lists and counts until it wakes (lib/chat/snooze.ts).
 */
export const laneOf = (c: Conversation): string =>
  c.status === "open" && c.snoozedUntil ? "snoozed" : c.status;

/** The index keys a conversation in state `c` has. */
export function entriesOf(c: Conversation): Deno.KvKey[] {
  return [...activityEntriesOf(c), ...steadyEntriesOf(c)];
}

/** Its entries whose key holds its activity time (`updatedAt`): what a message moves. */
function activityEntriesOf(c: Conversation): Deno.KvKey[] {
  const out: Deno.KvKey[] = [keys.byState(laneOf(c), c.mode, c.updatedAt, c.id)];
  if (c.status === "resolved") {
    out.push(keys.customerResolved(c.customerId, c.updatedAt, c.id));
    if (c.assigneeId) out.push(keys.assigneeResolved(c.assigneeId, c.updatedAt, c.id));
  }
  for (const label of labelsOf(c)) out.push(keys.byLabel(label, c.status, c.updatedAt, c.id));
  return out;
}

/** Its entries kept by id alone. */
function steadyEntriesOf(c: Conversation): Deno.KvKey[] {
  const out: Deno.KvKey[] = [keys.byCustomer(c.customerId, c.id)];
  if (c.status === "open") {
    out.push(keys.customerOpen(c.customerId, c.id));
    if (c.mode === "human" && c.assigneeId) out.push(keys.byAssignee(c.assigneeId, c.id));
    // Snoozed until a time: the wake-up index (a snooze until the customer's reply has none).
    if (c.snoozedUntil && c.snoozedUntil !== "reply") out.push(keys.snoozed(c.snoozedUntil, c.id));
  }
  return out;
}

/** Same lists, counters and queue place apart from the activity time (a message, say). */
function sameShape(a: Conversation, b: Conversation): boolean {
  const la = labelsOf(a), lb = labelsOf(b);
  return a.id === b.id && a.status === b.status && a.mode === b.mode &&
    a.assigneeId === b.assigneeId && a.customerId === b.customerId &&
    a.waitingSince === b.waitingSince && (a.snoozedUntil ?? null) === (b.snoozedUntil ?? null) &&
    la.length === lb.length &&
    la.every((l, i) => l === lb[i]);
}

/** The counters a conversation in state `c` counts in. */
export function countersOf(c: Conversation): Deno.KvKey[] {
  // Snoozed ones count in their own lane, so "open" counts match the open lists.
  const lane = laneOf(c);
  const out: Deno.KvKey[] = [keys.countState(lane, c.mode)];
  if (c.assigneeId) out.push(keys.countAssignee(c.assigneeId, lane));
  for (const label of labelsOf(c)) out.push(keys.countLabel(label, lane));
  return out;
}

/** Its place in the waiting queue: open, waiting, and since when. */
export function queuedOf(c: Conversation | null): QueueEntry | null {
  return c && c.status === "open" && c.mode === "waiting" && c.waitingSince
    ? { since: c.waitingSince, id: c.id }
    : null;
}

export interface Reindexed {
  /** Mutations added to the operation. */
  mutations: number;
  /** The conversation joined the queue, left it, or moved in it. */
  queueMoved: boolean;
  /** Its place in the queue now, when it joined or moved (null otherwise). */
  joined: QueueEntry | null;
}

const str = (key: Deno.KvKey) => JSON.stringify(key);

/** Records writes to replay on an operation later (the group commit counts before it adds). */
export class RecordedWrites implements Writes {
  readonly #writes: ((op: Writes) => void)[] = [];
  get size() {
    return this.#writes.length;
  }
  set(key: Deno.KvKey, value: unknown) {
    this.#writes.push((op) => op.set(key, value));
  }
  delete(key: Deno.KvKey) {
    this.#writes.push((op) => op.delete(key));
  }
  sum(key: Deno.KvKey, n: bigint) {
    this.#writes.push((op) => op.sum(key, n));
  }
  replay(op: Writes): void {
    for (const write of this.#writes) write(op);
  }
}

/**
 * Adds to `op` what moves `prev`'s indexes, counters and queue place to `next`'s (`prev` null: a
 * new conversation, or one never indexed). Both must be of the same conversation.
 */
export function reindex(
  op: Writes,
  prev: Conversation | null,
  next: Conversation,
): Reindexed {
  if (prev && sameShape(prev, next)) {
    // The hot path (every message): only the activity-keyed entries move, if the time did.
    if (prev.updatedAt === next.updatedAt) return { mutations: 0, queueMoved: false, joined: null };
    const gone = activityEntriesOf(prev), added = activityEntriesOf(next);
    for (const key of gone) op.delete(key);
    for (const key of added) op.set(key, null);
    return { mutations: gone.length + added.length, queueMoved: false, joined: null };
  }
  let mutations = 0;
  const diff = (before: Deno.KvKey[], after: Deno.KvKey[]) => {
    const was = new Set(before.map(str)), is = new Set(after.map(str));
    return {
      gone: before.filter((k) => !is.has(str(k))),
      added: after.filter((k) => !was.has(str(k))),
    };
  };
  const entries = diff(prev ? entriesOf(prev) : [], entriesOf(next));
  for (const key of entries.gone) op.delete(key);
  for (const key of entries.added) op.set(key, null);
  const counters = diff(prev ? countersOf(prev) : [], countersOf(next));
  for (const key of counters.gone) op.sum(key, MINUS_ONE);
  for (const key of counters.added) op.sum(key, 1n);
  mutations += entries.gone.length + entries.added.length + counters.gone.length +
    counters.added.length;

  const before = queuedOf(prev), after = queuedOf(next);
  const queueMoved = before?.since !== after?.since;
  if (queueMoved) {
    if (before) mutations += leaveQueue(op, before);
    if (after) mutations += joinQueue(op, after);
  }
  return { mutations, queueMoved, joined: queueMoved ? after : null };
}

/**
 * Adds to `op` what removes a conversation from every index, counter and the queue (it is being
 * deleted: ./erase.ts). Returns the number of mutations added.
 */
export function unindex(op: Writes, c: Conversation): number {
  const entries = entriesOf(c), counters = countersOf(c);
  for (const key of entries) op.delete(key);
  for (const key of counters) op.sum(key, MINUS_ONE);
  const place = queuedOf(c);
  return entries.length + counters.length + (place ? leaveQueue(op, place) : 0);
}
