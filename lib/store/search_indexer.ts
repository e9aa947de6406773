/**
 * The search indexer: turns the group commit's ["search_pending", messageId] → {c, s} entries
 * (one per indexed message, written with the message: ./group_commit.ts) into the message's
 * ["search_msg", term, messageId] entries (./search.ts), off the message path. Key shapes in
 * ./keys.ts.
 *
 * - One instance at a time: a lease ["search_indexer_lease"] = {owner, until} taken with a
 *   checked commit once the previous holder's `until` has passed. Every batch commit checks the
 *   lease entry it holds and renews it, so a holder that lost the lease (paused past `until`,
 *   another took over) writes nothing; a holder that crashed is replaced within `leaseMs` (5 s).
 *   Each instance's clock decides when a lease has passed: a skewed clock can at worst make two
 *   instances alternate, and their checked, idempotent batches still write each entry right.
 * - A batch: the oldest pending entries (message ids are ULIDs, so roughly oldest first), their
 *   messages read, their index entries set and the pending entries deleted in one commit of at
 *   most MAX_MUTATIONS (each entry under 200 bytes, so far under the 800 KiB limit). Sets only:
 *   indexing a message twice writes the same keys and values again, so a batch repeated after a
 *   crash is harmless.
 * - Woken by `wake()` (the composition root calls it after each of this instance's signalled
 *   commits) and otherwise polls every `pollMs` while holding the lease (others' messages), so
 *   the index trails the messages by one batch commit on the writing instance and by at most
 *   `pollMs` plus a commit elsewhere. Non-holders look at the lease every `leaseCheckMs`.
 */
import { keys } from "./keys.ts";
import type { Message } from "../contract/types.ts";
import { getManyBatched } from "./batch.ts";
import { indexed, indexMessage, searchTerms } from "./search.ts";
import { type Clock, systemClock } from "../clock.ts";

export interface PendingEntry {
  c: string;
  s: number;
}

interface Lease {
  owner: string;
  until: number;
}

export interface IndexerOptions {
  clock?: Clock;
  /** This instance's name in the lease (default: a random id). */
  owner?: string;
  /** How long a lease lasts without renewal (default 5,000 ms). */
  leaseMs?: number;
  /** The holder's poll for pending entries when idle (default 200 ms). */
  pollMs?: number;
  /** How often a non-holder looks whether the lease is free (default 1,000 ms). */
  leaseCheckMs?: number;
  /** Pending entries read per batch (default 200). */
  batchSize?: number;
  /** Checks one commit may hold (default 100; a remote KV allows 10: ./group_commit.ts). */
  maxChecks?: number;
  onError?: (err: unknown) => void;
  /**
   * Told after each committed batch (tests): returning false stops the loop as a crash would,
   * the lease kept until it expires.
   */
  onBatch?: (indexed: number) => boolean | void;
}

/** Mutations per batch commit: index entries, pending deletes and the lease. */
const MAX_MUTATIONS = 800;
/** Messages read at once while filling a commit. */
const READ_SLICE = 40;

export class SearchIndexer {
  readonly owner: string;
  #clock: Clock;
  #leaseMs: number;
  #pollMs: number;
  #leaseCheckMs: number;
  #batchSize: number;
  #lease: Deno.KvEntry<Lease> | null = null;
  #running = false;
  #crashed = false;
  #loop: Promise<void> | null = null;
  #wakeUp: (() => void) | null = null;
  #woken = false;

  constructor(private kv: Deno.Kv, private opts: IndexerOptions = {}) {
    this.owner = opts.owner ?? crypto.randomUUID();
    this.#clock = opts.clock ?? systemClock;
    this.#leaseMs = opts.leaseMs ?? 5000;
    this.#pollMs = opts.pollMs ?? 200;
    this.#leaseCheckMs = opts.leaseCheckMs ?? 1000;
    this.#batchSize = opts.batchSize ?? 200;
    this.#maxChecks = opts.maxChecks ?? 100;
  }
  readonly #maxChecks: number;

  start(): void {
    if (this.#loop) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Something was committed: index it soon (a no-op unless this instance holds the lease). */
  wake(): void {
    this.#woken = true;
    if (this.#lease) this.#wakeUp?.();
  }

  /** Stops the loop after its batch in flight, and gives the lease back if it holds it. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wakeUp?.();
    await this.#loop;
    this.#loop = null;
    if (this.#lease && !this.#crashed) {
      await this.kv.atomic().check(this.#lease).delete(keys.searchIndexerLease()).commit();
    }
    this.#lease = null;
  }

  /** Whether this instance held the lease at its last look. */
  get holding(): boolean {
    return this.#lease !== null;
  }

  /** Indexes everything pending now, if the lease can be had; returns the messages indexed. */
  async drain(): Promise<number> {
    let total = 0;
    while (await this.#holdLease()) {
      const n = await this.#batch();
      if (n === 0) break;
      total += n;
    }
    return total;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let holding = false;
      try {
        holding = await this.#holdLease();
        if (holding) {
          this.#woken = false;
          const n = await this.#batch();
          if (n > 0 && this.opts.onBatch?.(n) === false) {
            this.#crashed = true;
            this.#running = false;
            return;
          }
          if (n > 0) continue; // more may be waiting
        }
      } catch (err) {
        this.opts.onError?.(err);
      }
      if (!this.#woken || !holding) await this.#sleep(holding ? this.#pollMs : this.#leaseCheckMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeUp = () => {
        this.#wakeUp = null;
        done();
      };
    });
  }

  /** Keeps or takes the lease; false while another instance's lease runs. */
  async #holdLease(): Promise<boolean> {
    const now = this.#clock.now();
    if (this.#lease && this.#lease.value.until - now > this.#leaseMs / 2) return true;
    const entry = await this.kv.get<Lease>(keys.searchIndexerLease());
    // Another instance's lease runs: wait for it to end.
    if (entry.value && entry.value.until > now && entry.value.owner !== this.owner) {
      this.#lease = null;
      return false;
    }
    const value = { owner: this.owner, until: now + this.#leaseMs };
    const res = await this.kv.atomic().check(entry).set(keys.searchIndexerLease(), value).commit();
    this.#lease = res.ok
      ? { key: keys.searchIndexerLease(), value, versionstamp: res.versionstamp }
      : null;
    return res.ok;
  }

  /** One batch (see the header); returns the pending entries it cleared, 0 if none or no lease. */
  async #batch(): Promise<number> {
    const lease = this.#lease;
    if (!lease) return 0;
    const pending: Deno.KvEntry<PendingEntry>[] = [];
    const iter = this.kv.list<PendingEntry>({ prefix: keys.searchPendingPrefix() }, {
      limit: this.#batchSize,
    });
    for await (const e of iter) pending.push(e);
    if (!pending.length) return 0;
    const value = { owner: this.owner, until: this.#clock.now() + this.#leaseMs };
    const op = this.kv.atomic().check(lease).set(keys.searchIndexerLease(), value);
    let mutations = 1, count = 0;
    // Messages are read a slice at a time, until the commit is full (about 50 typical messages).
    fill: for (let from = 0; from < pending.length; from += READ_SLICE) {
      const slice = pending.slice(from, from + READ_SLICE);
      const messages = await getManyBatched<Message>(
        this.kv,
        slice.map((p) => keys.message(p.value.c, p.value.s)),
      );
      for (const [i, p] of slice.entries()) {
        const m = messages[i].value;
        // A message that is gone (or not indexed) just leaves the queue.
        const terms = m && indexed(m) ? searchTerms(m.text) : [];
        if (count > 0 && mutations + terms.length + 1 > MAX_MUTATIONS) break fill;
        if (count + 2 > this.#maxChecks) break fill; // the lease's check and one per entry
        if (m && terms.length) indexMessage(op, m, terms);
        // Checked: an erasure that deleted this entry meanwhile (lib/store/erase.ts deletes the
        // pending entries before the words) makes this commit fail, so no word outlives it.
        op.check(p).delete(p.key);
        mutations += terms.length + 1;
        count++;
      }
    }
    const res = await op.commit();
    if (!res.ok) {
      this.#lease = null; // taken over: the next turn looks again
      return 0;
    }
    this.#lease = { key: keys.searchIndexerLease(), value, versionstamp: res.versionstamp };
    return count;
  }
}
