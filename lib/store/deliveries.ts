/**
 * Webhooks and deliveries in KV (key shapes in ./keys.ts). A delivery is one webhook POST or one
 * email, made from an outbox record (./outbox.ts). While pending it has one ["deliveries_due",
 * dueMs, id] entry: senders list the due ones, and claim one with a checked write that sets a
 * lease (`leaseOwner`, `leaseUntil`) and moves its due entry to the lease's end. Whoever wins the
 * check sends; a sender that crashes leaves a lease that expires, and the delivery is due again.
 * Finishing checks the claim's versionstamp, so a sender whose lease was taken over writes nothing.
 */
import { keys } from "./keys.ts";
import type { WebhookEvent } from "./outbox.ts";
import { addAudit, type AuditInput } from "./audit.ts";

export interface WebhookRecord {
  id: string;
  url: string;
  events: WebhookEvent[];
  includePrivate: boolean;
  /** The HMAC key (needed in the clear to sign; shown to the admin once, at creation). */
  secret: string;
  createdAt: string;
  createdBy: string;
}

export type DeliveryStatus = "pending" | "delivered" | "failed" | "skipped";

interface DeliveryBase {
  id: string;
  status: DeliveryStatus;
  createdAt: string;
  attempts: number;
  /** When it is next due (ms), while pending. */
  dueAt: number;
  leaseOwner: string | null;
  leaseUntil: number;
  lastError: string | null;
  lastStatus: number | null;
  finishedAt: string | null;
}

export interface WebhookDelivery extends DeliveryBase {
  kind: "webhook";
  webhookId: string;
  url: string;
  event: WebhookEvent;
  /** The exact body sent on every attempt: `{id, event, createdAt, data}`. */
  body: string;
}

export interface EmailDelivery extends DeliveryBase {
  kind: "email";
  event: "email.reply" | "email.transcript";
  to: string;
  conversationId: string;
  /** The agent's message (a reply), or 0 (a transcript). */
  seq: number;
  customerId: string;
}

export type DeliveryRecord = WebhookDelivery | EmailDelivery;

/** How long finished deliveries stay listed. */
const FINISHED_TTL_MS = 7 * 24 * 3600_000;

export class Deliveries {
  constructor(private kv: Deno.Kv) {}

  async createWebhook(hook: WebhookRecord, audit: AuditInput): Promise<void> {
    const op = this.kv.atomic()
      .check({ key: keys.webhook(hook.id), versionstamp: null })
      .set(keys.webhook(hook.id), hook);
    addAudit(op, audit);
    const res = await op.commit();
    if (!res.ok) throw new Error("webhook id taken");
  }

  async webhooks(): Promise<WebhookRecord[]> {
    const out: WebhookRecord[] = [];
    for await (const e of this.kv.list<WebhookRecord>({ prefix: keys.webhooksPrefix() })) {
      out.push(e.value);
    }
    return out;
  }

  /** Deletes a webhook; false when there is none. Its pending deliveries fail when next due. */
  async deleteWebhook(id: string, audit: AuditInput): Promise<boolean> {
    const entry = await this.kv.get<WebhookRecord>(keys.webhook(id));
    if (!entry.value) return false;
    const op = this.kv.atomic().check(entry).delete(keys.webhook(id));
    addAudit(op, audit);
    return (await op.commit()).ok;
  }

  webhook(id: string): Promise<WebhookRecord | null> {
    return this.kv.get<WebhookRecord>(keys.webhook(id)).then((e) => e.value);
  }

  /** Adds a new pending delivery (and its due entry) to a commit: two mutations. */
  add(op: Deno.AtomicOperation, d: DeliveryRecord): Deno.AtomicOperation {
    return op.set(keys.delivery(d.id), d).set(keys.deliveryDue(d.dueAt, d.id), null);
  }

  get(id: string): Promise<Deno.KvEntryMaybe<DeliveryRecord>> {
    return this.kv.get<DeliveryRecord>(keys.delivery(id));
  }

  /** The ids of deliveries due at `now`, oldest due first. */
  async due(now: number, limit: number): Promise<{ id: string; dueAt: number }[]> {
    const out: { id: string; dueAt: number }[] = [];
    const iter = this.kv.list({
      start: keys.deliveriesDuePrefix(),
      end: keys.deliveryDue(now + 1, ""),
    }, { limit });
    for await (const e of iter) out.push({ id: String(e.key[2]), dueAt: Number(e.key[1]) });
    return out;
  }

  /** The newest deliveries (the admin's list), newest first. */
  async recent(limit: number): Promise<DeliveryRecord[]> {
    const out: DeliveryRecord[] = [];
    const iter = this.kv.list<DeliveryRecord>({ prefix: keys.deliveriesPrefix() }, {
      reverse: true,
      limit,
    });
    for await (const e of iter) out.push(e.value);
    return out;
  }

  /**
   * Claims a due delivery for `owner` until `leaseUntil`: null when it is not pending, not due,
   * leased by someone else or another instance won the check. The due entry found at `dueAt`
   * moves to `leaseUntil`, so a crashed sender's delivery comes due again when its lease ends.
   */
  async claim(
    id: string,
    dueAt: number,
    owner: string,
    now: number,
    leaseUntil: number,
  ): Promise<Deno.KvEntry<DeliveryRecord> | null> {
    const entry = await this.get(id);
    const d = entry.value;
    if (!d || d.status !== "pending") {
      // A leftover due entry (finished, deleted): drop it, checked against the record.
      await this.kv.atomic().check(entry).delete(keys.deliveryDue(dueAt, id)).commit();
      return null;
    }
    if (d.dueAt > now || (d.leaseUntil > now && d.leaseOwner !== owner)) return null;
    const next: DeliveryRecord = {
      ...d,
      attempts: d.attempts + 1,
      leaseOwner: owner,
      leaseUntil,
      dueAt: leaseUntil,
    };
    const res = await this.kv.atomic().check(entry)
      .delete(keys.deliveryDue(d.dueAt, id))
      .delete(keys.deliveryDue(dueAt, id))
      .set(keys.deliveryDue(leaseUntil, id), null)
      .set(keys.delivery(id), next)
      .commit();
    if (!res.ok) return null;
    return { key: keys.delivery(id), value: next, versionstamp: res.versionstamp };
  }

  /**
   * Records the outcome of a claimed attempt: `retryAt` keeps it pending until then, else it is
   * finished with `status`. False when the claim was lost meanwhile (nothing written).
   */
  async finish(
    claimed: Deno.KvEntry<DeliveryRecord>,
    outcome: {
      status: DeliveryStatus;
      retryAt?: number;
      error: string | null;
      httpStatus: number | null;
      at: string;
    },
  ): Promise<boolean> {
    const d = claimed.value;
    const pending = outcome.retryAt !== undefined;
    const next: DeliveryRecord = {
      ...d,
      status: pending ? "pending" : outcome.status,
      dueAt: pending ? outcome.retryAt! : 0,
      leaseOwner: null,
      leaseUntil: 0,
      lastError: outcome.error,
      lastStatus: outcome.httpStatus,
      finishedAt: pending ? null : outcome.at,
    };
    const op = this.kv.atomic().check(claimed).delete(keys.deliveryDue(d.dueAt, d.id));
    if (pending) {
      op.set(keys.deliveryDue(next.dueAt, d.id), null).set(keys.delivery(d.id), next);
    } else op.set(keys.delivery(d.id), next, { expireIn: FINISHED_TTL_MS });
    return (await op.commit()).ok;
  }

  /** Makes a finished delivery pending again, due now, with the same id (Redeliver). */
  async redeliver(id: string, now: number, audit: AuditInput): Promise<DeliveryRecord | null> {
    for (let i = 0; i < 5; i++) {
      const entry = await this.get(id);
      const d = entry.value;
      if (!d) return null;
      if (d.status === "pending") return d;
      const next: DeliveryRecord = {
        ...d,
        status: "pending",
        createdAt: new Date(now).toISOString(), // the 24 h of retries start again
        dueAt: now,
        finishedAt: null,
      };
      const op = this.kv.atomic().check(entry)
        .set(keys.delivery(id), next)
        .set(keys.deliveryDue(now, id), null);
      addAudit(op, audit);
      if ((await op.commit()).ok) return next;
    }
    return null;
  }
}
