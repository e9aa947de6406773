/**
 * Snooze: an agent puts an open conversation aside until a time or until the customer's next
 * message (`snoozedUntil` = the time, or "reply"). While snoozed it is listed and counted in its
 * own lane, out of the open lists (lib/store/lists.ts `laneOf`). It wakes by itself:
 *
 * - the customer's next message clears the snooze in the message's own commit (lib/chat/chat.ts
 *   `send` patches the record the group commit writes);
 * - a time: the waker on every instance reads the due entries of ["snoozed", until, id] and
 *   clears each with a checked commit (`conversations.change`) that re-reads the record, so with
 *   several instances exactly one commit wakes it and the others find nothing to do.
 */
import type { Store } from "../store/mod.ts";
import { isStaff, type UserRecord } from "../store/users.ts";
import type { Publisher } from "../realtime/publisher.ts";
import type { Conversation } from "../contract/types.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { keys } from "../store/keys.ts";
import { badRequest, conflict, forbidden, notFound } from "../errors.ts";

/** The longest snooze: a year. */
const MAX_SNOOZE_MS = 366 * 24 * 3600_000;

export interface SnoozerOptions {
  clock: Clock;
  log: Logger;
  /** How often each instance looks for conversations due to wake (ms). */
  everyMs?: number;
}

export class Snoozer {
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<unknown> | null = null;

  constructor(
    private store: Store,
    private publisher: Publisher,
    private opts: SnoozerOptions,
  ) {}

  /** Snoozes `id` until `until` (ISO time), or without it until the customer's next message. */
  async snooze(user: UserRecord, id: string, until?: string): Promise<Conversation> {
    if (!isStaff(user.role)) throw forbidden("Only agents can snooze a conversation.");
    const now = this.opts.clock.now();
    let value = "reply";
    if (until !== undefined) {
      const at = Date.parse(until);
      if (!(at > now)) throw badRequest("until: must be in the future");
      if (at - now > MAX_SNOOZE_MS) throw badRequest("until: at most a year from now");
      value = new Date(at).toISOString();
    }
    const result = await this.store.conversations.change(id, (c) => {
      if (c.status === "resolved") {
        throw conflict("This conversation is resolved; there is nothing to snooze.");
      }
      return c.snoozedUntil === value ? null : { next: { ...c, snoozedUntil: value } };
    });
    if (!result) throw notFound("Conversation");
    this.publisher.changed(result);
    return result.conversation;
  }

  /** Ends a snooze now (an agent's choice); nothing to do if it is not snoozed. */
  async wake(user: UserRecord, id: string): Promise<Conversation> {
    if (!isStaff(user.role)) throw forbidden("Only agents can end a snooze.");
    const result = (await this.store.conversations.change(
      id,
      (c) => c.snoozedUntil ? { next: { ...c, snoozedUntil: null } } : null,
    ))!;
    this.publisher.changed(result);
    return result.conversation;
  }

  /**
   * Wakes every conversation whose time has come; returns how many this call woke (another
   * instance waking one first makes it count there, not here).
   */
  async wakeDue(): Promise<number> {
    const now = new Date(this.opts.clock.now()).toISOString();
    const { kv } = this.store;
    const due: { until: string; id: string }[] = [];
    const prefix = keys.snoozedPrefix();
    // Up to and including `now`: the end key is exclusive, so end just after it.
    for await (const e of kv.list({ start: prefix, end: [...prefix, `${now}\u0000`] })) {
      due.push({ until: String(e.key[1]), id: String(e.key[2]) });
    }
    let woken = 0;
    for (const { until, id } of due) {
      const result = await this.store.conversations.change(
        id,
        (c) =>
          c.status === "open" && c.snoozedUntil === until
            ? { next: { ...c, snoozedUntil: null } }
            : null,
      ).catch((err) => {
        this.opts.log.warn("snooze wake failed", { id, err: String(err) });
        return null;
      });
      if (result?.changed) {
        woken++;
        this.publisher.changed(result);
      }
    }
    return woken;
  }

  start(): void {
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = this.wakeDue()
        .catch((err) => this.opts.log.error("snooze waker failed", { err: String(err) }))
        .finally(() => this.#running = null);
    }, this.opts.everyMs ?? 5_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }
}
