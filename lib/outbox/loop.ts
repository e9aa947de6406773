/**
 * The sender loop, one per instance: every `pollMs` it fans out the outbox (./fanout.ts, under a
 * KV lease) and then sends the due deliveries it can claim (lib/store/deliveries.ts: a checked
 * write of a lease). The lease outlasts the attempt's timeout, so exactly one instance sends a
 * delivery at a time; after a crash mid-send the lease expires and another instance retries it.
 * Failures are retried with exponential backoff (OUTBOX_RETRY_BASE_MS doubling, at most an hour
 * apart, ±20 % jitter) until 24 h after the delivery was made; then it is `failed`.
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { OutboxSettings } from "../config.ts";
import type { Store } from "../store/mod.ts";
import type { DeliveryRecord, EmailDelivery, WebhookDelivery } from "../store/deliveries.ts";
import { fanOut } from "./fanout.ts";
import { type AttemptResult, postWebhook } from "./webhook_post.ts";
import { Mailer, replyMail, transcriptMail } from "./mailer.ts";

export const GIVE_UP_MS = 24 * 3600_000;
const MAX_DELAY_MS = 3600_000;
const DUE_PER_TICK = 50;
const PARALLEL = 4;

export interface OutboxLoopDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  settings: OutboxSettings;
  businessName: string;
  newId: () => string;
  /** This instance's name in leases. */
  owner?: string;
  /** Name resolution for the SSRF guard (tests). */
  resolve?: (host: string) => Promise<string[]>;
}

/** The delay before attempt `attempts + 1`. */
export function backoffMs(baseMs: number, attempts: number, random = Math.random): number {
  const raw = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_DELAY_MS);
  return Math.round(raw * (0.8 + 0.4 * random()));
}

export class OutboxLoop {
  readonly owner: string;
  readonly #leaseMs: number;
  readonly #mailer: Mailer | null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(private deps: OutboxLoopDeps) {
    this.owner = deps.owner ?? crypto.randomUUID();
    const t = deps.settings.timeoutMs;
    this.#leaseMs = t + Math.max(1000, t);
    this.#mailer = deps.settings.mail ? new Mailer(deps.settings.mail, t) : null;
  }

  start(): void {
    this.#stopped = false;
    const loop = () => {
      if (this.#stopped) return;
      this.#timer = setTimeout(() => void this.tick().finally(loop), this.deps.settings.pollMs);
    };
    loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    this.#mailer?.close();
  }

  /** One round: fan out, then send what is due. Rounds never overlap. */
  tick(): Promise<void> {
    this.#running ??= this.#round().catch((err) =>
      this.deps.log.error("outbox round failed", { err: String(err).slice(0, 300) })
    ).finally(() => this.#running = null);
    return this.#running;
  }

  async #round(): Promise<void> {
    const { store, clock } = this.deps;
    // Fan out until the outbox is empty (bounded, so that sending still gets its turn).
    for (let i = 0; i < 50 && !this.#stopped; i++) {
      // An empty outbox costs one short read: no lease is written while there is nothing to do.
      if (!(await store.outbox.oldest(1)).length) break;
      const now = clock.now();
      const lease = await store.outbox.takeLease(this.owner, now, now + this.#leaseMs);
      if (!lease) break;
      const deps = { store, newId: this.deps.newId, mail: this.deps.settings.mail };
      if (await fanOut(deps, lease, now) === 0) break;
    }
    const due = await store.deliveries.due(clock.now(), DUE_PER_TICK);
    const queue = [...due];
    const worker = async () => {
      for (let next = queue.shift(); next && !this.#stopped; next = queue.shift()) {
        await this.#attempt(next.id, next.dueAt);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  }

  async #attempt(id: string, dueAt: number): Promise<void> {
    const { store, clock, log } = this.deps;
    const now = clock.now();
    const claimed = await store.deliveries.claim(id, dueAt, this.owner, now, now + this.#leaseMs);
    if (!claimed) return;
    const d = claimed.value;
    const result = d.kind === "webhook" ? await this.#webhook(d) : await this.#email(d);
    const at = clock.now();
    const expired = at - Date.parse(d.createdAt) >= GIVE_UP_MS;
    const retry = !result.ok && !result.permanent && !result.skipped && !expired;
    const finished = await store.deliveries.finish(claimed, {
      status: result.ok ? "delivered" : result.skipped ? "skipped" : "failed",
      retryAt: retry ? at + backoffMs(this.deps.settings.retryBaseMs, d.attempts) : undefined,
      error: result.error,
      httpStatus: result.httpStatus,
      at: new Date(at).toISOString(),
    });
    if (!finished) log.warn("delivery lease lost", { id });
    else if (!result.ok && !retry && !result.skipped) {
      log.warn("delivery failed", { id, kind: d.kind, error: result.error });
    }
  }

  async #webhook(d: WebhookDelivery): Promise<AttemptResult & { skipped?: boolean }> {
    const hook = await this.deps.store.deliveries.webhook(d.webhookId);
    if (!hook) {
      return { ok: false, permanent: true, httpStatus: null, error: "the webhook was deleted" };
    }
    return await postWebhook(hook, d, {
      allowPrivate: this.deps.settings.allowPrivate,
      timeoutMs: this.deps.settings.timeoutMs,
      now: () => this.deps.clock.now(),
      resolve: this.deps.resolve,
    });
  }

  async #email(d: EmailDelivery): Promise<AttemptResult & { skipped?: boolean }> {
    const { store } = this.deps;
    const fail = (error: string, permanent = false) => ({
      ok: false,
      permanent,
      httpStatus: null,
      error,
    });
    if (!this.#mailer) return fail("email is off (SMTP_URL unset)", true);
    const conversation = await store.conversations.get(d.conversationId);
    if (!conversation) return fail("the conversation is gone", true);
    const link = `${this.deps.settings.publicUrl}/?conversation=${conversation.id}`;
    let mail;
    if (d.event === "email.reply") {
      // Read already (the customer came back or never left): no email needed.
      const read = await store.reads.get(d.conversationId, d.customerId);
      if (read >= d.seq) {
        return { ok: false, permanent: false, skipped: true, httpStatus: null, error: "read" };
      }
      const [message] = await store.conversations.messages(d.conversationId, d.seq - 1, 1, {
        notes: true,
      });
      if (!message || message.seq !== d.seq || message.private) return fail("no message", true);
      mail = replyMail(d.to, this.deps.businessName, link, message);
    } else {
      // Notes are left out by the reader: a transcript is what the customer saw.
      const messages = await store.conversations.messages(d.conversationId, 0, 1000);
      mail = transcriptMail(d.to, this.deps.businessName, link, conversation, messages);
    }
    try {
      await this.#mailer.send(mail);
      return { ok: true, permanent: false, httpStatus: null, error: null };
    } catch (err) {
      return fail(String(err).slice(0, 200));
    }
  }
}

/** A transcript email for a conversation's customer, made pending at once (own commit). */
export function transcriptDelivery(
  id: string,
  conversationId: string,
  customerId: string,
  to: string,
  now: number,
): DeliveryRecord {
  return {
    id,
    kind: "email",
    event: "email.transcript",
    to,
    conversationId,
    customerId,
    seq: 0,
    status: "pending",
    createdAt: new Date(now).toISOString(),
    attempts: 0,
    dueAt: now,
    leaseOwner: null,
    leaseUntil: 0,
    lastError: null,
    lastStatus: null,
    finishedAt: null,
  };
}
