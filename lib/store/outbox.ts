/**
 * The outbox: events that must reach the outside (webhooks, email), written under ["outbox", ulid]
 * in the SAME atomic commit as the change that causes them, so that a committed change always has
 * its event and a failed commit has none. A sender loop (lib/outbox/) later fans each record out
 * into one delivery per webhook or email (./deliveries.ts), in one commit that also deletes it.
 *
 * `addOutboxEvent(op, event, data)` is the function other features call to emit an event inside
 * their own commit (e.g. `rating.created`):
 *
 * ```ts
 * const op = kv.atomic().check(entry).set(keys.rating(id), rating);
 * addOutboxEvent(op, "rating.created", { conversationId, rating });
 * await op.commit(); // the event exists if and only if this commit succeeded
 * ```
 *
 * Messages are referenced by (conversationId, seq), not copied: one small record per group commit.
 */
import { ulidFactory } from "../ids.ts";
import { keys } from "./keys.ts";
import type { Conversation } from "../contract/types.ts";

import type { WebhookEvent } from "../contract/operations.ts";
export type { WebhookEvent };

/** One event in an outbox record: its data inline, or a message to read at fan-out. */
export type OutboxItem =
  | { event: WebhookEvent; data: Record<string, unknown> }
  | { event: "message.created"; ref: { conversationId: string; seq: number } };

export interface OutboxRecord {
  /** When the causing commit was made (ISO). */
  at: string;
  items: OutboxItem[];
}

const nextUlid = ulidFactory();

/** Adds an outbox record holding `items` to a commit (one mutation). */
export function addOutbox(op: Deno.AtomicOperation, items: OutboxItem[], at = new Date()) {
  if (!items.length) return op;
  const record: OutboxRecord = { at: at.toISOString(), items };
  return op.set(keys.outbox(nextUlid(at.getTime())), record);
}

/**
 * Emits one event inside the caller's commit: it is delivered to the webhooks that subscribe to
 * it if and only if that commit succeeds. `data` must be small (well under 60 KiB as JSON).
 */
export function addOutboxEvent(
  op: Deno.AtomicOperation,
  event: WebhookEvent,
  data: Record<string, unknown>,
  at = new Date(),
) {
  return addOutbox(op, [{ event, data }], at);
}

/** What webhooks are told about a conversation (no message texts, no internals). */
export const conversationData = (c: Conversation) => ({
  conversation: {
    id: c.id,
    customerId: c.customerId,
    customerName: c.customerName,
    status: c.status,
    mode: c.mode,
    assigneeId: c.assigneeId,
    assigneeName: c.assigneeName,
    labels: c.labels,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  },
});

/** The events a state change from `prev` to `next` causes (none for `prev` null: see create). */
export function changeEvents(prev: Conversation, next: Conversation): OutboxItem[] {
  const data = conversationData(next);
  const out: OutboxItem[] = [];
  if (prev.mode === "bot" && next.mode !== "bot" && next.status === "open") {
    out.push({ event: "conversation.handoff", data });
  }
  if (next.assigneeId && next.assigneeId !== prev.assigneeId) {
    out.push({ event: "conversation.assigned", data });
  }
  if (prev.status === "open" && next.status === "resolved") {
    out.push({ event: "conversation.resolved", data });
  }
  return out;
}

/** The fan-out lease: who moves outbox records into deliveries right now. */
export interface Lease {
  owner: string;
  until: number;
}

export class Outbox {
  constructor(private kv: Deno.Kv) {}

  /** The oldest records, up to `limit`. */
  async oldest(limit: number): Promise<Deno.KvEntry<OutboxRecord>[]> {
    const out: Deno.KvEntry<OutboxRecord>[] = [];
    for await (const e of this.kv.list<OutboxRecord>({ prefix: keys.outboxPrefix() }, { limit })) {
      out.push(e);
    }
    return out;
  }

  /**
   * Takes (or renews) the fan-out lease for `owner` until `until`, if it is free, expired or
   * already ours: a checked write. Returns the entry to check in the fan-out commit, or null.
   */
  async takeLease(owner: string, now: number, until: number) {
    const entry = await this.kv.get<Lease>(keys.outboxLease());
    if (entry.value && entry.value.owner !== owner && entry.value.until > now) return null;
    const value: Lease = { owner, until };
    const res = await this.kv.atomic().check(entry).set(keys.outboxLease(), value).commit();
    return res.ok
      ? { key: keys.outboxLease(), value, versionstamp: res.versionstamp } as Deno.KvEntry<Lease>
      : null;
  }

  /** Deletes outbox records in a commit (the fan-out adds their deliveries to it). */
  remove(op: Deno.AtomicOperation, ids: Deno.KvKey[]) {
    for (const key of ids) op.delete(key);
    return op;
  }
}
