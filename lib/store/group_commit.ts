/**
 * Group commit for message appends. Messages that arrive while earlier commits are in flight are
 * queued and written together: one atomic commit for up to `maxChecks` conversations, each
 * conversation's messages under consecutive seqs, every caller answered only after the commit
 * that holds its message. Semantics are those of a single append:
 *
 * - gapless seq: each conversation in a batch is checked against the versionstamp its next seq
 *   was computed from, and a conversation is never in two batches in flight at once;
 * - clientId dedupe: on a first attempt each new clientId's key is checked absent in the commit
 *   (no read: repeats are rare); a repeat inside one batch gets the first message. A commit that
 *   fails is retried with the dedupe keys read instead — after the conversation's entry is known;
 *   since a dedupe key is only ever written with its conversation, the conversation's check then
 *   covers it, and a repeat gets the first message;
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
 * Limits: one check per conversation, so `maxChecks` conversations per commit — 100 on a local
 * SQLite file or in memory (Deno's limit there), 10 on any remote KV (a self-hosted denokv allows
 * only 10; see `checkLimitFor`); at most 1,000 mutations and well under the 800 KiB mutation size.
 */
import { addMessages } from "./feed.ts";
import { stampMessage } from "./milestones.ts";
import { keys } from "./keys.ts";
import type { Conversation, Message } from "../contract/types.ts";
import { notFound } from "../errors.ts";
import { getManyBatched } from "./batch.ts";
import { RecordedWrites, reindex } from "./lists.ts";
import { indexed } from "./search.ts";
import type { Appended, NewMessage } from "./conversations.ts";

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
}

type Accept = (c: Conversation) => Partial<Conversation> | void;

interface Pending {
  input: NewMessage;
  accept: Accept;
  resolve: (appended: Appended) => void;
  reject: (err: unknown) => void;
  attempts: number;
}

/** Mutations a message writes besides its conversation's: itself, its dedupe key, its note
 * marker and its search-pending entry (./search_indexer.ts). */
const ownWrites = (p: Pending) =>
  1 + (p.input.clientId ? 1 : 0) + (p.input.private ? 1 : 0) + (indexed(p.input) ? 1 : 0);

export class GroupCommitter {
  #queue: Pending[] = [];
  #busy = new Set<string>();
  #inFlight = 0;
  #cache = new Map<string, Deno.KvEntry<Conversation>>();
  readonly #maxInFlight: number;
  readonly #maxChecks: number;
  readonly #cacheSize: number;

  constructor(private opts: GroupCommitOptions) {
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
  remember(entry: Deno.KvEntry<Conversation>): void {
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
    return this.#cache.get(id)?.value ?? null;
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
      const adds = (items ? 0 : 1 + LIST_MOVES) + ownWrites(p);
      const addChecks = (items ? 0 : 1) + (checksDedupe(p) ? 1 : 0);
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
    const out = new Map<string, Deno.KvEntryMaybe<Conversation>>();
    const cached = new Set<string>();
    const missing = ids.filter((id) => {
      const hit = this.#cache.get(id);
      if (hit) out.set(id, hit), cached.add(id);
      return !hit;
    });
    const entries = await getManyBatched<Conversation>(
      this.opts.kv,
      missing.map((id) => keys.conversation(id)),
    );
    missing.forEach((id, j) => out.set(id, entries[j]));
    return { entries: out, cached };
  }

  /**
   * Seqs already taken by the clientIds of retried messages, read after their conversations'
   * entries are known (see the header); first attempts check instead.
   */
  async #dedupe(items: Pending[]): Promise<Map<Pending, number>> {
    const out = new Map<Pending, number>();
    const toRead = items.filter((p) => p.input.clientId && !checksDedupe(p));
    const found = await getManyBatched<number>(
      this.opts.kv,
      toRead.map((p) => dedupeKey(p.input)!),
    );
    toRead.forEach((p, j) => {
      if (typeof found[j].value === "number") out.set(p, found[j].value);
    });
    return out;
  }

  async #commit(batch: Map<string, Pending[]>): Promise<void> {
    const { entries, cached } = await this.#entries([...batch.keys()]);
    const seen = await this.#dedupe([...batch.values()].flat());
    const stale: Pending[] = [];
    const op = this.opts.kv.atomic();
    const shards = new Set<number>();
    const outcomes: Outcome[] = [];
    const committed = new Map<string, Conversation>();
    let mutations = SHARD_SUMS;
    for (const [id, items] of batch) {
      const plan = await this.#plan(entries.get(id)!, cached.has(id), items, seen);
      if (plan === "stale") {
        this.#cache.delete(id);
        stale.push(...items);
        continue;
      }
      if (!plan.writes.length) {
        outcomes.push(...plan.outcomes);
        continue;
      }
      const lists = new RecordedWrites();
      reindex(lists, entries.get(id)!.value, plan.last);
      const adds = 1 + lists.size + plan.writes.reduce((n, w) => n + ownWrites(w.p), 0);
      if (committed.size > 0 && mutations + adds > MAX_MUTATIONS) {
        stale.push(...items); // more index entries than foreseen: the next batch takes them
        continue;
      }
      mutations += adds;
      outcomes.push(...plan.outcomes);
      op.check(entries.get(id)!).set(keys.conversation(id), plan.last);
      lists.replay(op);
      for (const { p, message: m } of plan.writes) {
        op.set(keys.message(id, m.seq), m);
        if (m.private) op.set(keys.note(id, m.seq), null);
        if (indexed(m)) op.set(keys.searchPending(m.id), { c: id, s: m.seq });
        if (!m.clientId) continue;
        const dk = keys.clientId(id, m.authorId, m.clientId);
        if (checksDedupe(p)) op.check({ key: dk, versionstamp: null });
        op.set(dk, m.seq);
      }
      shards.add(this.opts.signalShard(id));
      committed.set(id, plan.last);
    }
    if (committed.size) {
      addMessages(op, [...committed.keys()]);
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
   * One conversation's part of a batch: each message's outcome against the state before it, and
   * the messages to write. "stale" when a refusal rests on a cached entry (decided again on a
   * fresh read).
   */
  async #plan(
    entry: Deno.KvEntryMaybe<Conversation>,
    fromCache: boolean,
    items: Pending[],
    seen: Map<Pending, number>,
  ): Promise<
    | { outcomes: Outcome[]; writes: { p: Pending; message: Message }[]; last: Conversation }
    | "stale"
  > {
    const outcomes: Outcome[] = [];
    const writes: { p: Pending; message: Message }[] = [];
    if (!entry.value) {
      return {
        outcomes: items.map((p) => ({ p, error: notFound("Conversation") })),
        writes,
        last: entry.value!,
      };
    }
    const firsts = new Map<string, Message>();
    let current = entry.value;
    for (const p of items) {
      const twin = p.input.clientId ? `${p.input.authorId}\u0000${p.input.clientId}` : null;
      const before = seen.get(p);
      const first = before
        ? (await this.opts.kv.get<Message>(keys.message(current.id, before))).value
        : twin
        ? firsts.get(twin)
        : undefined;
      if (first) {
        outcomes.push({ p, appended: { message: first, conversation: current, duplicate: true } });
        continue;
      }
      let patch: Partial<Conversation> | void;
      try {
        patch = p.accept(current);
      } catch (error) {
        if (fromCache) return "stale";
        outcomes.push({ p, error });
        continue;
      }
      const message = this.#message(p.input, current.lastSeq + 1);
      // A private note takes the next seq and nothing else: the preview, the activity time (so
      // the lists) and the milestones stay what the customer's side of the conversation made them.
      current = message.private ? { ...current, ...patch, lastSeq: message.seq } : {
        ...current,
        ...patch,
        lastSeq: message.seq,
        updatedAt: message.createdAt,
        lastMessage: this.opts.preview(message),
      };
      if (!message.private) stampMessage(current, message);
      writes.push({ p, message });
      if (twin) firsts.set(twin, message);
      outcomes.push({ p, appended: { message, conversation: current, duplicate: false } });
    }
    return { outcomes, writes, last: current };
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

/** Per batch: at most one sum per signal shard, and the one feed entry. */
const SHARD_SUMS = 8 + 1;
/** A message moves its conversation's activity-keyed list entry: a delete and a set. */
const LIST_MOVES = 2;

/** First attempts check their dedupe key in the commit; retries read it first. */
const checksDedupe = (p: Pending) => p.input.clientId !== undefined && p.attempts === 0;

function dedupeKey(input: NewMessage) {
  return input.clientId
    ? keys.clientId(input.conversationId, input.authorId, input.clientId)
    : null;
}
