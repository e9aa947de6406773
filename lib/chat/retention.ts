/**
 * The retention sweeper (RETENTION_DAYS): on every instance, every `intervalMs`, it deletes
 * resolved conversations whose last change is older than the retention period, `batch` at a time,
 * with everything that belongs to them (../store/erase.ts), and finishes customer erasures a crash
 * interrupted (./privacy.ts). A KV lease (../store/leases.ts) lets one instance sweep at a time;
 * correctness does not rest on it: each conversation goes in a checked commit, so two sweepers (a
 * lease that ran out mid-sweep) delete it once and move its counters once. Time comes from the
 * injected clock.
 */
import type { Store } from "../store/mod.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Privacy } from "./privacy.ts";

const DAY_MS = 24 * 3600_000;
const LEASE = "retention";

export interface RetentionOptions {
  /** RETENTION_DAYS; null: conversations are kept (pending erasures are still finished). */
  days: number | null;
  clock: Clock;
  log: Logger;
  /** This instance's name in the lease. */
  owner: string;
  intervalMs?: number;
  /** Conversations erased per sweep at most. */
  batch?: number;
}

export class Retention {
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(
    private store: Store,
    private privacy: Privacy,
    private opts: RetentionOptions,
  ) {}

  /** Resolved conversations last changed before this are due (null: none ever are). */
  cutoff(): string | null {
    if (this.opts.days === null) return null;
    return new Date(this.opts.clock.now() - this.opts.days * DAY_MS).toISOString();
  }

  /**
   * One sweep: resumes interrupted erasures, then erases up to `batch` conversations past the
   * cutoff. Returns how many conversations this call erased (0 when another instance holds the
   * lease).
   */
  async sweep(): Promise<number> {
    const { store, opts } = this;
    const intervalMs = opts.intervalMs ?? 60_000;
    if (!await store.leases.acquire(LEASE, opts.owner, 2 * intervalMs)) return 0;
    await this.privacy.resumePending();
    const cutoff = this.cutoff();
    if (!cutoff) return 0;
    let erased = 0;
    const due = await store.eraser.resolvedBefore(cutoff, opts.batch ?? 100);
    for (const id of due) {
      if (await store.eraser.eraseConversation(id) === "erased") erased++;
    }
    // Records elsewhere that name them (unanswered questions, live notifications).
    if (due.length) {
      await store.eraser.deleteScanned({ customerId: null, conversationIds: new Set(due) });
    }
    if (erased) opts.log.info("retention: conversations deleted", { erased, before: cutoff });
    return erased;
  }

  start(): void {
    const tick = () => {
      if (this.#stopped) return;
      this.#running = this.sweep()
        .catch((err) => this.opts.log.error("retention sweep failed", { err: String(err) }))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.opts.intervalMs ?? 60_000);
        });
    };
    this.#timer = setTimeout(tick, 1000);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    await this.#running;
    await this.store.leases.release(LEASE, this.opts.owner);
  }
}
