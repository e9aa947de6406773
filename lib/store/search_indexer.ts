/**
 * The search indexer: turns the group commit's ["search_pending", messageId] → {c, s} entries
 * (one per indexed message, written with the message: ./group_commit.ts) into the index's entries
 * (./search.ts), off the message path. Key shapes in ./keys.ts.
 *
 * - One instance at a time: a lease ["search_indexer_lease"] = {owner, until} taken with a
 *   checked commit once the previous holder's `until` has passed. Every batch commit checks the
 *   lease entry it holds and renews it, so a holder that lost the lease (paused past `until`,
 *   another took over) writes nothing; a holder that crashed is replaced within `leaseMs` (5 s).
 *   Each instance's clock decides when a lease has passed: a skewed clock can at worst make two
 *   instances alternate, and each lists the queue only after its lease commit, so it never sees an
 *   entry the other has already indexed.
 * - A batch: the oldest pending entries (message ids are ULIDs, so roughly oldest first) in one
 *   commit of at most MAX_MUTATIONS and MAX_BYTES: one entry per distinct word of the batch's
 *   messages, ["search_msg", word, batchKey] → {p: [conversationId, seq, …]} (so a word the
 *   batch's messages share costs one entry), per message its pending entry deleted, and per
 *   conversation one marker under its first message's id in the batch: ["search_done",
 *   messageId] → batchKey when that is its only message there, {b: batchKey, s: [seq, …]} naming
 *   them all otherwise (a burst of one conversation's messages shares one marker). Erasure finds
 *   the batch entries by them (./erase.ts). The batch key is the newest message id of the batch
 *   and a random suffix, so entries list newest first and two batches never share a key.
 * - Texts: this instance's own messages are handed over in memory as they are committed
 *   (`remember`, while it holds the lease), so a batch reads only other instances' messages, and
 *   those left over from before a restart.
 * - Erasures: the batch commit checks ["search_erase_gen"], which every erasure bumps after
 *   deleting the pending entries of the messages it erases (./erase.ts), so a batch that read a
 *   pending entry before it was erased fails and is listed again, without it.
 * - Woken by `wake()` (the composition root calls it after each of this instance's signalled
 *   commits) and otherwise polls every `pollMs` while holding the lease (others' messages). Woken,
 *   it lets `gatherMs` (200 ms) pass before the batch, so a busy stream is indexed in a few commits
 *   a second, each sharing its words, and the commits a message sets off (the bot's reply) do not
 *   wait behind the index's in SQLite's one writer. A full batch is followed by the next at once.
 *   Non-holders look at the lease every `leaseCheckMs`.
 */
import { keys } from "./keys.ts";
import type { Message } from "../contract/types.ts";
import { getManyBatched } from "./batch.ts";
import { batchEntry, indexed, type Posting, searchTerms } from "./search.ts";
import { type Clock, systemClock } from "../clock.ts";

/** A message waiting to be indexed: its conversation and seq. */
export type PendingEntry = Posting;

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
  /** Pending entries read per batch (default 200, at most 300). */
  batchSize?: number;
  /** How long a wake-up waits for more messages before the batch (default 200 ms). */
  gatherMs?: number;
  onError?: (err: unknown) => void;
  /**
   * Told after each committed batch (tests): returning false stops the loop as a crash would,
   * the lease kept until it expires.
   */
  onBatch?: (indexed: number) => boolean | void;
}

/** Mutations per batch commit: index entries, pending deletes, markers and the lease. */
const MAX_MUTATIONS = 800;
/** Bytes per batch commit, counted generously (KV refuses a commit over 800 KiB). */
const MAX_BYTES = 400 * 1024;
/** Messages' texts kept for the batches to come (`remember`); others are read from KV. */
const MAX_REMEMBERED = 5000;
/** Longer texts are not kept (so the memory held stays under ~20 MB). */
const MAX_REMEMBERED_TEXT = 2000;

/** Messages a batch takes the words of between two turns of the event loop. */
const SLICE = 50;
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** What a batch needs of a message. */
type Indexable = Pick<Message, "id" | "conversationId" | "seq" | "sender" | "text">;

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
  #stopSleep: (() => void) | null = null;
  #woken = false;
  #gatherMs: number;
  /** This instance's committed messages not yet indexed, by id (`remember`). */
  #texts = new Map<string, Indexable>();

  constructor(private kv: Deno.Kv, private opts: IndexerOptions = {}) {
    this.owner = opts.owner ?? crypto.randomUUID();
    this.#clock = opts.clock ?? systemClock;
    this.#leaseMs = opts.leaseMs ?? 5000;
    this.#pollMs = opts.pollMs ?? 200;
    this.#leaseCheckMs = opts.leaseCheckMs ?? 1000;
    this.#batchSize = Math.min(opts.batchSize ?? 200, 300);
    this.#gatherMs = opts.gatherMs ?? 200;
  }

  start(): void {
    if (this.#loop) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /**
   * A message this instance committed: its text, so the batch that indexes it need not read it.
   * Only the fields the batch uses are kept, not the message: the message object (and the frame
   * the sockets were sent, cached by it) can then die young instead of living until the batch,
   * long enough to be promoted to V8's old generation (docs/performance.md, "The disk's commit
   * floor, and the tail message by message").
   */
  remember(m: Indexable): void {
    if (!this.#lease || !indexed(m) || m.text.length > MAX_REMEMBERED_TEXT) return;
    const { id, conversationId, seq, sender, text } = m;
    this.#texts.set(id, { id, conversationId, seq, sender, text });
    if (this.#texts.size > MAX_REMEMBERED) this.#texts.delete(this.#texts.keys().next().value!);
  }

  /** Something was committed: index it soon (a no-op unless this instance holds the lease). */
  wake(): void {
    this.#woken = true;
    if (this.#lease) this.#wakeUp?.();
  }

  /** Stops the loop after its batch in flight, and gives the lease back if it holds it. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopSleep?.();
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
          if (n >= this.#batchSize) continue; // more are waiting
        }
      } catch (err) {
        this.opts.onError?.(err);
      }
      if (!holding) {
        this.#texts.clear();
        await this.#sleep(this.#leaseCheckMs, true);
        continue;
      }
      // Wait for work: a wake-up, or the poll for other instances' messages. Then let more
      // messages gather, so that a busy stream is indexed in a few commits a second, and the
      // commits a message sets off (a bot's reply) need not queue behind the index's.
      if (!this.#woken) await this.#sleep(this.#pollMs, true);
      if (this.#running) await this.#sleep(this.#gatherMs, false);
    }
  }

  /** Sleeps `ms`; `wakeable`: a wake-up ends it early (`stop` always does). */
  #sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakeUp = this.#stopSleep = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakeUp = wakeable ? done : null;
      this.#stopSleep = done;
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
    const [gen] = await Promise.all([
      this.kv.get(keys.searchEraseGen()),
      (async () => {
        const iter = this.kv.list<PendingEntry>({ prefix: keys.searchPendingPrefix() }, {
          limit: this.#batchSize,
        });
        for await (const e of iter) pending.push(e);
      })(),
    ]);
    if (!pending.length) return 0;
    const messages = await this.#messagesOf(pending);
    // Fill the commit in queue order: each message's new words, its pending entry, and its
    // conversation's marker (one per conversation and batch: a burst of messages shares it).
    const words = new Map<string, Posting[]>();
    const taken: { entry: Deno.KvEntry<PendingEntry>; id: string }[] = [];
    const marked = new Map<string, { first: string; seqs: number[] }>();
    let mutations = 1, bytes = 0;
    for (const [i, entry] of pending.entries()) {
      // The words of a batch are a few milliseconds of work: socket frames go first meanwhile.
      if (i > 0 && i % SLICE === 0) await nextTurn();
      const id = String(entry.key[1]);
      const m = messages.get(id);
      // A message that is gone (or not indexed) just leaves the queue.
      const terms = m && indexed(m) ? searchTerms(m.text) : [];
      const fresh = terms.filter((t) => !words.has(t));
      // Each word: a posting (conversation id and seq), and a key if the word is new.
      const marker = terms.length > 0 && !marked.has(entry.value.c) ? 1 : 0;
      const size = terms.length * (entry.value.c.length + 16) +
        fresh.reduce((n, t) => n + t.length * 3 + 80, 0) + 150;
      const adds = fresh.length + 1 + marker;
      if (
        taken.length > 0 &&
        (mutations + adds > MAX_MUTATIONS || bytes + size > MAX_BYTES)
      ) break;
      for (const t of terms) {
        const list = words.get(t) ?? [];
        list.push(entry.value);
        words.set(t, list);
      }
      if (terms.length) {
        const mark = marked.get(entry.value.c);
        if (mark) mark.seqs.push(entry.value.s);
        else marked.set(entry.value.c, { first: id, seqs: [entry.value.s] });
      }
      taken.push({ entry, id });
      mutations += adds;
      bytes += size;
    }
    await nextTurn();
    const newest = taken.reduce((max, t) => t.id > max ? t.id : max, "");
    const batchKey = `${newest}.${crypto.randomUUID().slice(0, 8)}`;
    const value = { owner: this.owner, until: this.#clock.now() + this.#leaseMs };
    const op = this.kv.atomic().check(lease).set(keys.searchIndexerLease(), value).check(gen);
    for (const [t, postings] of words) {
      op.set(keys.searchMessage(t, batchKey), batchEntry(postings));
    }
    for (const { entry } of taken) op.delete(entry.key);
    for (const { first, seqs } of marked.values()) {
      op.set(keys.searchDone(first), seqs.length === 1 ? batchKey : { b: batchKey, s: seqs });
    }
    const res = await op.commit();
    if (!res.ok) {
      // Taken over, or an erasure ran: the next turn looks again.
      this.#lease = null;
      return 0;
    }
    for (const { id } of taken) this.#texts.delete(id);
    this.#lease = { key: keys.searchIndexerLease(), value, versionstamp: res.versionstamp };
    return taken.length;
  }

  /** The pending entries' messages: remembered ones, the rest read from KV. */
  async #messagesOf(pending: Deno.KvEntry<PendingEntry>[]): Promise<Map<string, Indexable>> {
    const out = new Map<string, Indexable>();
    const unknown: Deno.KvEntry<PendingEntry>[] = [];
    for (const entry of pending) {
      const m = this.#texts.get(String(entry.key[1]));
      if (m) out.set(m.id, m);
      else unknown.push(entry);
    }
    const read = await getManyBatched<Message>(
      this.kv,
      unknown.map((p) => keys.message(p.value.c, p.value.s)),
    );
    for (const [i, entry] of unknown.entries()) {
      const m = read[i].value;
      if (m && m.id === String(entry.key[1])) out.set(m.id, m);
    }
    return out;
  }
}
