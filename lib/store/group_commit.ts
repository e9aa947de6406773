/**
 * Group commit for message appends. Messages that arrive while earlier commits are in flight are
 * queued and written together: one atomic commit for up to `maxChecks` conversations, each
 * conversation's messages under consecutive seqs, every caller answered only after the commit
 * that holds its message. Semantics are those of a single append:
 *
 * - gapless seq: each conversation in a batch is checked against the versionstamp its next seq
 *   was computed from, and a conversation is never in two batches in flight at once;
 * - clientId dedupe: each conversation's record holds its recent clientIds (./client_ids.ts), so
 *   the conversation's own check covers them: no key, no check and no read per message; a repeat
 *   (inside one batch, or found in the window and verified against its message) gets the first
 *   message;
 * - `accept(conversation)` sees the state its message is appended to (earlier messages of the
 *   batch included) and may refuse one message without failing the others;
 * - a failed check retries: the batch's conversations are re-read and its messages queued again
 *   at the front, and a message that conflicted twice goes in a batch of its own conversation.
 *
 * The last committed entry of each conversation is cached, so a steady stream of messages needs
 * no read at all; a stale entry (another instance wrote) just fails its check and is re-read.
 *
 * Each conversation's list indexes move with its record (./lists.ts `reindex`): a message moves
 * only its activity-keyed entries (two mutations, more for labels), counted exactly before they
 * are added; a conversation that would overflow the mutation limit waits for the next batch.
 *
 * What a message's commit holds is planned in `#commitPlan` (the record, the list moves, the
 * message) and counted before it is added: `extraWrites` lets other writers add their rows to
 * each message (an outbox, a search index) without touching the planning.
 *
 * Limits: one check per conversation, so `maxChecks` conversations per commit — 100 on a local
 * SQLite file or in memory (Deno's limit there), 10 on any remote KV (a self-hosted denokv allows
 * only 10; see `checkLimitFor`); at most 1,000 mutations and well under the 800 KiB mutation size.
 */
import { addMessages } from "./feed.ts";
import { addOutbox, type OutboxItem } from "./outbox.ts";
import { stampMessage } from "./milestones.ts";
import { keys } from "./keys.ts";
import type { Conversation, Message } from "../contract/types.ts";
import { notFound } from "../errors.ts";
import { getManyBatched } from "./batch.ts";
import { RecordedWrites, reindex } from "./lists.ts";
import { countMilestones, type Measure } from "./report_counters.ts";
import { indexed } from "./search.ts";
import type { Appended, NewMessage } from "./conversations.ts";
import { candidates, publicRecord, type StoredConversation, withClientId } from "./client_ids.ts";
import type { Writes } from "./queue.ts";
import { attachmentInfo, type AttachmentRecord, usableFiles } from "./attachments.ts";

/** Checks per commit: Deno's local SQLite backend allows 100, a self-hosted denokv 10. */
export function checkLimitFor(kvPath: string | undefined): number {
  const remote = kvPath === undefined
    ? Deno.env.get("DENO_DEPLOYMENT_ID") !== undefined
    : /^https?:\/\//.test(kvPath);
  return remote ? 10 : 100;
}
const MAX_MUTATIONS = 1000;
const MAX_BATCH_BYTES = 400 * 1024;
/**
 * Bytes a message costs in a commit, generously: UTF-8 text, the preview, keys and fields, and its
 * search-pending entry.
 */
const costOf = (p: Pending) => p.input.text.length * 3 * 2 + 1024;

export interface GroupCommitOptions {
  kv: Deno.Kv;
  newId: () => string;
  nowIso: () => string;
  preview: (m: Message) => Conversation["lastMessage"];
  signalShard: (conversationId: string) => number;
  /** How report durations are measured (./report_counters.ts). */
  measure?: Measure;
  /** Commits an operation, adding 1 to the signal keys of `shards` (./signals.ts). */
  commit: (
    op: Deno.AtomicOperation,
    shards: number[],
  ) => Promise<Deno.KvCommitResult | Deno.KvCommitError>;
  /** Checks (so conversations) per commit: see `checkLimitFor`. Default 10, valid everywhere. */
  maxChecks?: number;
  /** Batches committing at once; more queue up and are grouped. */
  maxInFlight?: number;
  /** Conversations whose last committed entry is kept. */
  cacheSize?: number;
  /**
   * More writes for a committed message (an outbox row, a search index entry), added to its
   * commit; returns how many mutations it added, at most `extraPerMessage`.
   */
  extraWrites?: (op: Writes, message: Message) => number;
  /** The most mutations `extraWrites` adds per message (counted when batches are taken). */
  extraPerMessage?: number;
}

type Accept = (c: Conversation) => Partial<Conversation> | void;

interface Pending {
  input: NewMessage;
  accept: Accept;
  resolve: (appended: Appended) => void;
  reject: (err: unknown) => void;
  attempts: number;
}

/** Mutations a message writes besides its conversation's: itself, its note marker and its
 * search-pending entry (./search_indexer.ts; counted per message, though the conversation's
 * messages in one commit share one). Its clientId lives in the record's window. */
const ownWrites = (p: Pending) => 1 + (p.input.private ? 1 : 0) + (indexed(p.input) ? 1 : 0);

export class GroupCommitter {
  #queue: Pending[] = [];
  #busy = new Set<string>();
  #inFlight = 0;
  #cache = new Map<string, Deno.KvEntry<StoredConversation>>();
  readonly #maxInFlight: number;
  readonly #maxChecks: number;
  readonly #cacheSize: number;
  readonly #extra: number;

  constructor(private opts: GroupCommitOptions) {
    this.#extra = opts.extraPerMessage ?? 0;
    this.#maxInFlight = opts.maxInFlight ?? 2;
    this.#cacheSize = opts.cacheSize ?? 10_000;
    this.#maxChecks = opts.maxChecks ?? 10;
  }

  append(input: NewMessage, accept: Accept): Promise<Appended> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, accept, resolve, reject, attempts: 0 });
      this.#pump();
    });
  }

  /** Records a conversation entry committed elsewhere (create, state changes). */
  remember(entry: Deno.KvEntry<StoredConversation>): void {
    const id = entry.value.id;
    const known = this.#cache.get(id);
    if (known && known.versionstamp > entry.versionstamp) return;
    this.#cache.delete(id);
    this.#cache.set(id, entry);
    if (this.#cache.size > this.#cacheSize) {
      this.#cache.delete(this.#cache.keys().next().value!);
    }
  }

  /** The last committed state this instance knows of, if any (may be stale across instances). */
  cached(id: string): Conversation | null {
    return publicRecord(this.#cache.get(id)?.value ?? null);
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight) {
      const batch = this.#take();
      if (!batch) return;
      this.#inFlight++;
      for (const id of batch.keys()) this.#busy.add(id);
      this.#commit(batch).catch((err) => {
        for (const items of batch.values()) for (const p of items) p.reject(err);
      }).finally(() => {
        this.#inFlight--;
        for (const id of batch.keys()) this.#busy.delete(id);
        this.#pump();
      });
    }
  }

  /**
   * The next batch: queued messages of conversations not in flight, in arrival order per
   * conversation, within the limits. A message that conflicted twice heads a batch of its own
   * conversation, so others' conflicts cannot starve it.
   */
  #take(): Map<string, Pending[]> | null {
    const batch = new Map<string, Pending[]>();
    const closed = new Set<string>(this.#busy);
    let mutations = SHARD_SUMS, bytes = 0, checks = 0, solo = false;
    const rest: Pending[] = [];
    for (const p of this.#queue) {
      const id = p.input.conversationId;
      const items = batch.get(id);
      // An attached file is checked (unused, this conversation's) and marked used: 2 writes.
      const files = p.input.attachmentIds?.length ?? 0;
      const adds = (items ? 0 : 1 + LIST_MOVES) + ownWrites(p) + this.#extra + 2 * files;
      const addChecks = (items ? 0 : 1) + files;
      const cost = costOf(p);
      const fits = !closed.has(id) &&
        (items !== undefined || (!solo && (p.attempts < 2 || batch.size === 0))) &&
        checks + addChecks <= this.#maxChecks && mutations + adds <= MAX_MUTATIONS &&
        (bytes + cost <= MAX_BATCH_BYTES || batch.size === 0);
      if (!fits) {
        closed.add(id); // this conversation's later messages stay behind this one
        rest.push(p);
        continue;
      }
      if (items) items.push(p);
      else {
        batch.set(id, [p]);
        if (p.attempts >= 2) solo = true;
      }
      mutations += adds;
      checks += addChecks;
      bytes += cost;
    }
    if (batch.size === 0) return null;
    this.#queue = rest;
    return batch;
  }

  /** Puts messages back at the front of the queue, in their order. */
  #requeue(items: Pending[], conflicted: boolean): void {
    if (conflicted) { for (const p of items) p.attempts++; }
    this.#queue = [...items, ...this.#queue];
  }

  /** Each conversation's entry: the cached one (listed in `cached`) or a fresh read. */
  async #entries(ids: string[]) {
    const out = new Map<string, Deno.KvEntryMaybe<StoredConversation>>();
    const cached = new Set<string>();
    const missing = ids.filter((id) => {
      const hit = this.#cache.get(id);
      if (hit) out.set(id, hit), cached.add(id);
      return !hit;
    });
    const entries = await getManyBatched<StoredConversation>(
      this.opts.kv,
      missing.map((id) => keys.conversation(id)),
    );
    missing.forEach((id, j) => out.set(id, entries[j]));
    return { entries: out, cached };
  }

  async #commit(batch: Map<string, Pending[]>): Promise<void> {
    const { entries, cached } = await this.#entries([...batch.keys()]);
    const stale: Pending[] = [];
    const op = this.opts.kv.atomic();
    const shards = new Set<number>();
    const outcomes: Outcome[] = [];
    const committed = new Map<string, StoredConversation>();
    const events: OutboxItem[] = [];
    let mutations = SHARD_SUMS;
    for (const [id, items] of batch) {
      const entry = entries.get(id)!;
      const plan = await this.#plan(entry, cached.has(id), items);
      if (plan === "stale") {
        this.#cache.delete(id);
        stale.push(...items);
        continue;
      }
      if (!plan.writes.length) {
        outcomes.push(...plan.outcomes);
        continue;
      }
      const writes = this.#commitPlan(
        entry.value!,
        plan.last,
        plan.writes.map((w) => w.message),
      );
      const fileWrites = plan.writes.reduce((n, w) => n + 2 * w.files.length, 0);
      if (committed.size > 0 && mutations + writes.size + fileWrites > MAX_MUTATIONS) {
        stale.push(...items); // more index entries than foreseen: the next batch takes them
        continue;
      }
      mutations += writes.size + fileWrites;
      outcomes.push(...plan.outcomes);
      op.check(entry);
      writes.replay(op);
      for (const { message: m, files } of plan.writes) {
        events.push({ event: "message.created", ref: { conversationId: id, seq: m.seq } });
        for (const file of files) {
          const r = file.value!;
          op.check(file).set(keys.attachment(r.id), { ...r, messageId: m.id })
            .delete(keys.attachmentUnused(r.createdAt, r.id));
        }
      }
      shards.add(this.opts.signalShard(id));
      committed.set(id, plan.last);
    }
    if (committed.size) {
      addMessages(op, [...committed.keys()]);
      addOutbox(op, events); // one record naming every message: webhooks and email (./outbox.ts)
      const res = await this.opts.commit(op, [...shards]);
      if (!res.ok) {
        for (const id of batch.keys()) this.#cache.delete(id);
        this.#requeue(stale, false);
        this.#requeue(outcomes.map((o) => o.p), true);
        return;
      }
      for (const [id, value] of committed) {
        this.remember({ key: keys.conversation(id), value, versionstamp: res.versionstamp });
      }
    }
    this.#requeue(stale, false);
    for (const o of outcomes) "error" in o ? o.p.reject(o.error) : o.p.resolve(o.appended);
  }

  /**
   * Everything one conversation's messages write, recorded to be counted before it is added: the
   * record (with its dedupe window), its list moves (./lists.ts), its report counters
   * (./report_counters.ts), each message and whatever
   * `extraWrites` adds to it.
   */
  #commitPlan(prev: Conversation, last: StoredConversation, messages: Message[]): RecordedWrites {
    const writes = new RecordedWrites();
    writes.set(keys.conversation(last.id), last);
    reindex(writes, prev, last);
    countMilestones(writes, prev, last, this.opts.measure);
    let first: Message | null = null, lastSeq = 0;
    for (const m of messages) {
      writes.set(keys.message(last.id, m.seq), m);
      // A note's marker (customers' unread skips it: ./reads.ts).
      if (m.private) writes.set(keys.note(last.id, m.seq), null);
      if (indexed(m)) [first, lastSeq] = [first ?? m, m.seq];
      this.opts.extraWrites?.(writes, m);
    }
    // The search indexer's work: one entry for the conversation's messages in this commit (their
    // seqs are consecutive; any not indexed among them, the indexer passes over).
    if (first) {
      const n = lastSeq - first.seq + 1;
      if (n === 1) writes.set(keys.searchPending(first.id), { c: last.id, s: first.seq });
      else writes.set(keys.searchPendingRun(first.id), { c: last.id, s: first.seq, n });
    }
    return writes;
  }

  /**
   * One conversation's part of a batch: each message's outcome against the state before it, and
   * the messages to write. "stale" when a refusal rests on a cached entry (decided again on a
   * fresh read).
   */
  async #plan(
    entry: Deno.KvEntryMaybe<StoredConversation>,
    fromCache: boolean,
    items: Pending[],
  ): Promise<
    | { outcomes: Outcome[]; writes: Write[]; last: StoredConversation }
    | "stale"
  > {
    const outcomes: Outcome[] = [];
    const writes: Write[] = [];
    if (!entry.value) {
      return {
        outcomes: items.map((p) => ({ p, error: notFound("Conversation") })),
        writes,
        last: entry.value!,
      };
    }
    const firsts = new Map<string, Message>();
    const sentFiles = new Set<string>(); // one file goes in one message, in this batch too
    let current = entry.value;
    for (const p of items) {
      const { authorId, clientId } = p.input;
      const twin = clientId ? `${authorId}\u0000${clientId}` : null;
      const first = twin
        ? firsts.get(twin) ?? await this.#committedTwin(entry.value, authorId, clientId!)
        : undefined;
      if (first) {
        outcomes.push({
          p,
          appended: { message: first, conversation: publicRecord(current), duplicate: true },
        });
        continue;
      }
      let patch: Partial<Conversation> | void;
      try {
        patch = p.accept(current); // the guard sees the stored record; it leaves the store stripped
      } catch (error) {
        if (fromCache) return "stale";
        outcomes.push({ p, error });
        continue;
      }
      const files = await usableFiles(this.opts.kv, current.id, p.input.attachmentIds, sentFiles);
      if (!Array.isArray(files)) {
        outcomes.push({ p, error: files });
        continue;
      }
      const message = this.#message(p.input, current.lastSeq + 1);
      if (files.length) message.attachments = files.map((f) => attachmentInfo(f.value!));
      // A private note takes the next seq and nothing else: the preview, the activity time (so
      // the lists) and the milestones stay what the customer's side of the conversation made them.
      current = message.private ? { ...current, ...patch, lastSeq: message.seq } : {
        ...current,
        ...patch,
        lastSeq: message.seq,
        updatedAt: message.createdAt,
        lastMessage: this.opts.preview(message),
      };
      if (clientId) {
        current.recentClientIds = withClientId(current, authorId, clientId, message.seq);
      }
      if (!message.private) stampMessage(current, message);
      writes.push({ message, files });
      if (twin) firsts.set(twin, message);
      outcomes.push({
        p,
        appended: { message, conversation: publicRecord(current), duplicate: false },
      });
    }
    return { outcomes, writes, last: current };
  }

  /**
   * The committed message of `record` with this author's clientId, if its window holds it: a
   * hash match, verified against the message itself (a collision is no repeat).
   */
  async #committedTwin(
    record: StoredConversation,
    authorId: string,
    clientId: string,
  ): Promise<Message | undefined> {
    for (const seq of candidates(record, authorId, clientId)) {
      const m = (await this.opts.kv.get<Message>(keys.message(record.id, seq))).value;
      if (m && m.authorId === authorId && m.clientId === clientId) return m;
    }
    return undefined;
  }

  #message(input: NewMessage, seq: number): Message {
    const message: Message = {
      id: this.opts.newId(),
      conversationId: input.conversationId,
      seq,
      sender: input.sender,
      authorId: input.authorId,
      authorName: input.authorName,
      text: input.text,
      createdAt: this.opts.nowIso(),
      private: input.private === true,
    };
    if (input.clientId) message.clientId = input.clientId;
    return message;
  }
}

type Outcome = { p: Pending; appended: Appended } | { p: Pending; error: unknown };
/** A message to write and the attached files it marks used (checked in its commit). */
type Write = { message: Message; files: Deno.KvEntry<AttachmentRecord>[] };

/** Per batch: at most one sum per signal shard, the one feed entry and the one outbox record. */
const SHARD_SUMS = 8 + 2;
/** A message moves its conversation's activity-keyed list entry: a delete and a set. */
const LIST_MOVES = 2;
