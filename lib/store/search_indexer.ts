/**
 * The search indexer: turns the group commit's pending entries into the index's entries
 * (./search.ts), off the message path. Key shapes in ./keys.ts. A commit writes, per conversation,
 * ["search_pending", messageId] → {c, s} for its one indexed message, or ["search_pending_run",
 * firstMessageId] → {c, s, n} for its seqs s … s+n−1 when it holds several (./group_commit.ts), so
 * a burst costs one entry, not one per message.
 *
 * - One instance at a time: a lease ["search_indexer_lease"] = {owner, until} taken with a
 *   checked commit once the previous holder's `until` has passed. Every batch commit checks the
 *   lease entry it holds and renews it, so a holder that lost the lease (paused past `until`,
 *   another took over) writes nothing; a holder that crashed is replaced within `leaseMs` (5 s).
 *   Each instance's clock decides when a lease has passed: a skewed clock can at worst make two
 *   instances alternate, and each lists the queue only after its lease commit, so it never sees an
 *   entry the other has already indexed.
 * - A batch: the oldest pending entries of both kinds (message ids are ULIDs, so roughly oldest
 *   first), at most `batchSize` messages, in one commit of at most MAX_MUTATIONS and MAX_BYTES:
 *   one entry per distinct word of the batch's messages, ["search_msg", word, batchKey] → {p:
 *   [conversationId, seq, …]} (so a word the batch's messages share costs one entry), each
 *   pending entry deleted (a run the limits cut short is rewritten with its rest), and per
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

/**
 * Messages waiting to be indexed: a conversation's seq, or with `n` (a run: the messages of one
 * conversation committed together) its seqs s … s+n−1.
 */
export type PendingEntry = Posting & { n?: number };

/** How many seqs an entry names (a run's `n`, checked: a bad one counts as 1). */
const runLength = (e: PendingEntry) =>
  Number.isInteger(e.n) && e.n! > 1 && e.n! <= MAX_RUN ? e.n! : 1;
/** The most messages a run names: a group commit holds at most 1,000 mutations. */
const MAX_RUN = 1000;
/** Remembered texts and read messages are keyed by conversation and seq. */
const textKey = (c: string, s: number) => `${c}\u0000${s}`;

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
    this.#texts.set(textKey(conversationId, seq), { id, conversationId, seq, sender, text });
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
      const { indexed: n } = await this.#batch();
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
          const { indexed: n, more } = await this.#batch();
          if (n > 0 && this.opts.onBatch?.(n) === false) {
            this.#crashed = true;
            this.#running = false;
            return;
          }
          if (more) continue;
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

  /**
   * One batch (see the header): the messages indexed (0 if none or no lease), and whether more
   * are waiting.
   */
  async #batch(): Promise<{ indexed: number; more: boolean }> {
    const lease = this.#lease;
    if (!lease) return { indexed: 0, more: false };
    const list = async (prefix: Deno.KvKey) => {
      const out: Deno.KvEntry<PendingEntry>[] = [];
      for await (const e of this.kv.list<PendingEntry>({ prefix }, { limit: this.#batchSize })) {
        out.push(e);
      }
      return out;
    };
    const [gen, singles, runs] = await Promise.all([
      this.kv.get(keys.searchEraseGen()),
      list(keys.searchPendingPrefix()),
      list(keys.searchPendingRunPrefix()),
    ]);
    // Both queues in message-id order (ULIDs: roughly oldest first).
    const pending = [...singles, ...runs]
      .sort((a, b) => (String(a.key[1]) < String(b.key[1]) ? -1 : 1))
      .slice(0, this.#batchSize);
    if (!pending.length) return { indexed: 0, more: false };
    const messages = await this.#messagesOf(pending);
    // Fill the commit in queue order: each message's new words, its entry's delete (or, for a run
    // cut short by the commit's limits, the rest of the run), and its conversation's marker (one
    // per conversation and batch: a burst of messages shares it).
    const words = new Map<string, Posting[]>();
    const done: Deno.KvKey[] = [];
    let rest: { key: Deno.KvKey; value: PendingEntry } | null = null;
    const marked = new Map<string, { first: string; seqs: number[] }>();
    const taken: string[] = [];
    let mutations = 1, bytes = 0, newest = "";
    fill: for (const entry of pending) {
      const { c, s } = entry.value;
      const n = runLength(entry.value);
      for (let k = 0; k < n; k++) {
        // The words of a batch are a few milliseconds of work: socket frames go first meanwhile.
        if (taken.length > 0 && taken.length % SLICE === 0) await nextTurn();
        const m = messages.get(textKey(c, s + k));
        // A message that is gone (or not indexed) is passed over.
        const terms = m && indexed(m) ? searchTerms(m.text) : [];
        const fresh = terms.filter((t) => !words.has(t));
        // Each word: a posting (conversation id and seq), and a key if the word is new; the
        // entry's delete (or the rest's rewrite) once; the conversation's marker once.
        const marker = terms.length > 0 && !marked.has(c) ? 1 : 0;
        const size = terms.length * (c.length + 16) +
          fresh.reduce((sum, t) => sum + t.length * 3 + 80, 0) + 150;
        const adds = fresh.length + (k === 0 ? 1 : 0) + marker;
        if (
          taken.length >= this.#batchSize || // the messages read for this batch (#messagesOf)
          (taken.length > 0 && (mutations + adds > MAX_MUTATIONS || bytes + size > MAX_BYTES))
        ) {
          if (k > 0) rest = { key: entry.key, value: { c, s: s + k, n: n - k } };
          break fill;
        }
        for (const t of terms) {
          const postings = words.get(t) ?? [];
          postings.push({ c, s: s + k });
          words.set(t, postings);
        }
        if (m && terms.length) {
          const mark = marked.get(c);
          if (mark) mark.seqs.push(m.seq);
          else marked.set(c, { first: m.id, seqs: [m.seq] });
        }
        const id = m?.id ?? String(entry.key[1]);
        if (id > newest) newest = id;
        taken.push(textKey(c, s + k));
        mutations += adds;
        bytes += size;
      }
      done.push(entry.key);
    }
    await nextTurn();
    const batchKey = `${newest}.${crypto.randomUUID().slice(0, 8)}`;
    const value = { owner: this.owner, until: this.#clock.now() + this.#leaseMs };
    const op = this.kv.atomic().check(lease).set(keys.searchIndexerLease(), value).check(gen);
    for (const [t, postings] of words) {
      op.set(keys.searchMessage(t, batchKey), batchEntry(postings));
    }
    for (const key of done) op.delete(key);
    if (rest) op.set(rest.key, rest.value);
    for (const { first, seqs } of marked.values()) {
      op.set(keys.searchDone(first), seqs.length === 1 ? batchKey : { b: batchKey, s: seqs });
    }
    const res = await op.commit();
    if (!res.ok) {
      // Taken over, or an erasure ran: the next turn looks again.
      this.#lease = null;
      return { indexed: 0, more: false };
    }
    for (const key of taken) this.#texts.delete(key);
    this.#lease = { key: keys.searchIndexerLease(), value, versionstamp: res.versionstamp };
    // More: a run's rest, entries listed but not taken, or a queue listed to its limit.
    const more = rest !== null || done.length < singles.length + runs.length ||
      singles.length >= this.#batchSize || runs.length >= this.#batchSize;
    return { indexed: taken.length, more };
  }

  /**
   * The messages of the pending entries' first `batchSize` seqs, by conversation and seq:
   * remembered ones, the rest read from KV. A message read for a single entry must carry the
   * entry's id; a run names its seqs only (once cut short, its key keeps the id of a message
   * already indexed).
   */
  async #messagesOf(pending: Deno.KvEntry<PendingEntry>[]): Promise<Map<string, Indexable>> {
    const out = new Map<string, Indexable>();
    const unknown: { key: string; c: string; s: number; id: string | null }[] = [];
    let units = 0;
    for (const entry of pending) {
      const { c, s } = entry.value;
      const id = entry.value.n === undefined ? String(entry.key[1]) : null;
      for (let k = 0; k < runLength(entry.value) && units < this.#batchSize; k++, units++) {
        const key = textKey(c, s + k);
        const m = this.#texts.get(key);
        if (m) out.set(key, m);
        else unknown.push({ key, c, s: s + k, id });
      }
    }
    const read = await getManyBatched<Message>(
      this.kv,
      unknown.map((u) => keys.message(u.c, u.s)),
    );
    for (const [i, u] of unknown.entries()) {
      const m = read[i].value;
      if (m && (u.id === null || m.id === u.id)) out.set(u.key, m);
    }
    return out;
  }
}
