/**
 * Conversations and their messages in Deno KV (key shapes in ./keys.ts).
 *
 * Every write is one atomic commit that checks the conversation's versionstamp: a message takes
 * the next gapless `seq`, its clientId joins the record's dedupe window (./client_ids.ts), and a state change moves the
 * assignee's load, the list indexes, counters and queue (./lists.ts) and its `system` message
 * together, with its outbox record for webhooks and email (./outbox.ts). Commits also bump a signal key that other instances watch (./signals.ts). Lists are
 * read in ./list_query.ts, the queue in ./queue.ts.
 */
import { keys } from "./keys.ts";
import type { AgentSnapshot, AgentState, UserRecord } from "./users.ts";
import { initialAgentState, kept } from "./users.ts";
import type { Conversation, Message, Sender, User } from "../contract/types.ts";
import type { Clock } from "../clock.ts";
import { AppError, conflict, notFound, unauthorized } from "../errors.ts";
import { stampChange } from "./milestones.ts";
import { addAgents, addChange, addQueueMoved } from "./feed.ts";
import { GroupCommitter } from "./group_commit.ts";
import { type CommitObserver, commitSignalled, signalShard } from "./signals.ts";
import { getManyBatched, getValues } from "./batch.ts";
import { queuedOf, reindex } from "./lists.ts";
import { countMilestones, type Measure, wallClock } from "./report_counters.ts";
import { Queue, type Writes } from "./queue.ts";
import { publicRecord } from "./client_ids.ts";
import { RecentMessages } from "./recent_messages.ts";
import { addOutbox, changeEvents, conversationData } from "./outbox.ts";
import { indexCustomer, indexed } from "./search.ts";

export interface ConversationsOptions {
  /** Checks per commit the KV allows (see `checkLimitFor`). */
  maxChecks?: number;
  /**
   * Told of every commit that bumps signal keys, which lets the relay skip wake-ups caused by this
   * instance alone: callers must publish what they commit (lib/realtime/publisher.ts does).
   */
  onCommit?: CommitObserver;
  /**
   * More rows written in each message's commit (a webhook outbox row, search index entries):
   * `add` puts them on the operation (sets, deletes, sums; no checks) and returns how many it
   * added, never more than `max`, which the group commit counts against the mutation limit.
   */
  messageWrites?: { add: (op: Writes, message: Message) => number; max: number };
  /** How report durations are measured (business hours: lib/assignment/business_hours.ts). */
  measure?: Measure;
  /** Told of each message once committed (the search indexer keeps its text: ./search_indexer.ts). */
  onMessage?: (message: Message) => void;
}

export interface NewMessage {
  conversationId: string;
  sender: Sender;
  authorId: string;
  authorName: string;
  text: string;
  clientId?: string;
  /**
   * Files uploaded to this conversation and in no message yet: the commit checks and marks each
   * (./attachments.ts); one that is not → 400 naming `attachmentIds`, nothing written.
   */
  attachmentIds?: string[];
  /** A private note (agents and admins; see Message.private). */
  private?: boolean;
}

export interface Appended {
  message: Message;
  conversation: Conversation;
  /** True when the clientId was seen before: `message` is the first one, nothing was written. */
  duplicate: boolean;
}

/**
 * A state change decided from the current conversation; null means "nothing to do". `system` may
 * be a function of the conversation's place in the queue, computed in the commit (./queue.ts).
 * `say` is a message committed just before the system message, in the same commit: the bot's
 * handoff reply, so nobody ever reads it with the conversation still the bot's (issue 14).
 */
export type Decision =
  | {
    next: Conversation;
    system?: string | ((position: number) => string);
    say?: Omit<NewMessage, "conversationId" | "clientId">;
  }
  | null;

export interface Changed {
  conversation: Conversation;
  /** The system message committed with the change, if any. */
  message: Message | null;
  /** The message committed before it (`Decision.say`), if any. */
  said?: Message | null;
  changed: boolean;
  /** Agents whose load this change moved, as committed (for `agent` frames). */
  agents?: AgentSnapshot[];
  /** The change moved the waiting queue (a conversation joined or left it). */
  queueMoved?: boolean;
}

/** Open, human and assigned: the conversation counts towards its assignee's load. */
const loadOf = (c: Conversation) =>
  c.status === "open" && c.mode === "human" && c.assigneeId ? c.assigneeId : null;

const preview = (m: Message): Conversation["lastMessage"] => ({
  sender: m.sender,
  authorName: m.authorName,
  // A message of files alone is previewed by their names.
  text: (m.text || (m.attachments ?? []).map((a) => `📎 ${a.name}`).join(", ")).slice(0, 140),
  createdAt: m.createdAt,
});

export class Conversations {
  /** Appends are grouped into shared commits (see ./group_commit.ts). */
  readonly #group: GroupCommitter;
  readonly #onCommit: CommitObserver | undefined;
  readonly #measure: Measure;
  /** The waiting queue: its head, size and places in line (./queue.ts). */
  readonly queue: Queue;
  /** What this instance last committed to the bot's conversations (./recent_messages.ts). */
  readonly #recent = new RecentMessages();
  readonly #onMessage: (message: Message) => void;

  constructor(
    private kv: Deno.Kv,
    private clock: Clock,
    private newId: () => string,
    opts: ConversationsOptions = {},
  ) {
    this.#onCommit = opts.onCommit;
    this.#onMessage = opts.onMessage ?? (() => {});
    this.#measure = opts.measure ?? wallClock;
    this.queue = new Queue(kv);
    this.#group = new GroupCommitter({
      maxChecks: opts.maxChecks,
      extraWrites: opts.messageWrites?.add,
      extraPerMessage: opts.messageWrites?.max,
      kv,
      newId,
      nowIso: () => this.nowIso(),
      preview,
      signalShard,
      measure: this.#measure,
      commit: (op, shards) => this.#commit(op, shards),
    });
  }

  /** Commits `op`, bumping the signal keys of `shards` and telling the observer. */
  #commit(op: Deno.AtomicOperation, shards: number[]) {
    return commitSignalled(op, shards, this.#onCommit);
  }

  private nowIso() {
    return new Date(this.clock.now()).toISOString();
  }

  async get(id: string): Promise<Conversation | null> {
    return publicRecord((await this.kv.get<Conversation>(keys.conversation(id))).value);
  }

  /** The conversation with its versionstamp, for a checked commit elsewhere (./ratings.ts). */
  async getEntry(id: string): Promise<Deno.KvEntry<Conversation> | null> {
    const entry = await this.kv.get<Conversation>(keys.conversation(id));
    return entry.value ? entry as Deno.KvEntry<Conversation> : null;
  }

  /**
   * The last state this instance committed or read, else a read: for fields that never change
   * (customerId) or where a stale value is caught later by a checked commit.
   */
  async getCached(id: string): Promise<Conversation | null> {
    return this.#group.cached(id) ?? await this.get(id);
  }

  /**
   * Creates a conversation for a customer, with the bot's greeting as message 1. The commit
   * checks and rewrites the customer's record: it must still be there (an unused guest expires:
   * lib/auth/auth.ts), it is kept for good from now on (no expiry, so a conversation never points
   * at a vanished customer), and two starts for one customer can't both pass `maxOpen` (the
   * second sees the first's rewrite, and counts again).
   */
  async create(
    customer: User,
    greeting: { name: string; text: string },
    maxOpen = Infinity,
  ): Promise<Appended> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const owner = await this.#admit(customer.id, maxOpen);
      const now = this.nowIso();
      const id = this.newId();
      const message: Message = {
        id: this.newId(),
        conversationId: id,
        seq: 1,
        sender: "bot",
        authorId: "bot",
        authorName: greeting.name,
        text: greeting.text,
        createdAt: now,
        private: false,
      };
      const conversation: Conversation = {
        id,
        customerId: customer.id,
        customerName: customer.name,
        status: "open",
        mode: "bot",
        assigneeId: null,
        assigneeName: null,
        createdAt: now,
        updatedAt: now,
        lastSeq: 1,
        lastMessage: preview(message),
        waitingSince: null,
        botMisses: 0,
        labels: [],
      };
      const op = this.kv.atomic()
        .check(owner)
        .set(keys.user(customer.id), kept(owner.value))
        .check({ key: keys.conversation(id), versionstamp: null })
        .set(keys.conversation(id), conversation)
        .set(keys.message(id, 1), message);
      reindex(op, null, conversation);
      addOutbox(op, [
        { event: "conversation.created", data: conversationData(conversation) },
        { event: "message.created", ref: { conversationId: id, seq: 1 } },
      ], new Date(now));
      countMilestones(op, null, conversation, this.#measure);
      indexCustomer(op, id, customer.name, customer.email);
      const res = await this.#commit(addChange(op, id, "state"), [signalShard(id)]);
      if (!res.ok) continue; // the customer started another one meanwhile: count again
      this.#group.remember({
        key: keys.conversation(id),
        value: conversation,
        versionstamp: res.versionstamp,
      });
      this.#recent.add(conversation, message);
      return { message, conversation, duplicate: false };
    }
    throw new AppError("conflict", "Too many conversations started at once; try again.");
  }

  /** The customer's record, if they may start a conversation (see `create`). */
  async #admit(customerId: string, maxOpen: number): Promise<Deno.KvEntry<UserRecord>> {
    const owner = await this.kv.get<UserRecord>(keys.user(customerId));
    const expiresAt = owner.value?.expiresAt;
    if (!owner.value || (expiresAt && Date.parse(expiresAt) <= this.clock.now())) {
      throw unauthorized("Your session has ended. Reload the page to start again.");
    }
    if (maxOpen < Infinity) {
      // The customer's open ones are their ["by_customer_open", …] entries (keys only).
      let open = 0;
      for await (const _ of this.kv.list({ prefix: keys.customerOpenPrefix(customerId) })) open++;
      if (open >= maxOpen) {
        throw conflict(
          `You already have ${open} open conversation${open === 1 ? "" : "s"}. Carry on in ` +
            "one of them, or resolve one before starting a new one.",
        );
      }
    }
    return owner as Deno.KvEntry<UserRecord>;
  }

  async listByCustomer(customerId: string): Promise<Conversation[]> {
    const ids: string[] = [];
    for await (const e of this.kv.list({ prefix: keys.byCustomerPrefix(customerId) })) {
      ids.push(String(e.key[2]));
    }
    return await this.getMany(ids);
  }

  async listByAssignee(agentId: string): Promise<Conversation[]> {
    const ids: string[] = [];
    for await (const e of this.kv.list({ prefix: keys.byAssigneePrefix(agentId) })) {
      ids.push(String(e.key[2]));
    }
    return await this.getMany(ids);
  }

  /** The newest-created conversations (metrics' window; lists use ./list_query.ts). */
  async listAll(limit = 500): Promise<Conversation[]> {
    const out: Conversation[] = [];
    const iter = this.kv.list<Conversation>({ prefix: keys.conversationsPrefix() }, {
      reverse: true,
      limit,
    });
    for await (const e of iter) out.push(publicRecord(e.value));
    return out;
  }

  /** Every waiting conversation in arrival order (tests and checks; routing reads the head). */
  async listWaiting(): Promise<Conversation[]> {
    const ids: string[] = [];
    for await (const e of this.kv.list({ prefix: keys.waitingPrefix() })) {
      ids.push(String(e.key[2]));
    }
    return await this.getMany(ids);
  }

  /** The conversations of `ids` that exist, in order. */
  async getMany(ids: string[]): Promise<Conversation[]> {
    const found = await getValues<Conversation>(this.kv, ids.map((id) => keys.conversation(id)));
    return found.map(publicRecord);
  }

  /**
   * The `lastSeq` of each conversation of `ids` that exists (one `getMany` per 10 ids): what a
   * wake-up from another instance needs to tell which followed conversations moved.
   */
  async lastSeqs(ids: readonly string[]): Promise<Map<string, number>> {
    const entries = await getManyBatched<Conversation>(
      this.kv,
      ids.map((id) => keys.conversation(id)),
    );
    const out = new Map<string, number>();
    entries.forEach((e, i) => {
      if (e.value) out.set(ids[i], e.value.lastSeq);
    });
    return out;
  }

  /**
   * Messages with seq > after, ascending, at most `limit`. Private notes only with `notes: true`
   * (agents' reads and the sockets' catch-up, which filters per recipient): the default is what a
   * customer and the bot may see.
   */
  async messages(
    conversationId: string,
    after = 0,
    limit = 1000,
    opts: { notes?: boolean } = {},
  ): Promise<Message[]> {
    const out: Message[] = [];
    const iter = this.kv.list<Message>({
      start: keys.message(conversationId, after + 1),
      end: keys.message(conversationId, Number.MAX_SAFE_INTEGER),
    }, { limit: opts.notes ? limit : undefined, batchSize: Math.min(limit, 500) });
    for await (const e of iter) {
      const m = e.value;
      if (m.private !== true) m.private = false; // written before notes existed
      else if (!opts.notes) continue;
      out.push(m);
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * Appends a message under the next seq, after `accept(conversation)` allows it (it throws to
   * refuse; it may return fields of the conversation to change in the same commit). A clientId
   * seen before returns the first message and writes nothing.
   */
  async append(
    input: NewMessage,
    accept: (c: Conversation) => Partial<Conversation> | void,
  ): Promise<Appended> {
    const appended = await this.#group.append(input, accept);
    if (!appended.duplicate) {
      this.#recent.add(appended.conversation, appended.message);
      this.#onMessage(appended.message);
    }
    return appended;
  }

  /**
   * The conversation's last `limit` messages up to `upto` (notes left out), oldest first: from what
   * this instance committed when it holds all of them (./recent_messages.ts), else from KV.
   */
  async history(conversationId: string, upto: number, limit: number): Promise<Message[]> {
    const after = Math.max(0, upto - limit);
    const kept = this.#recent.range(conversationId, after, upto);
    if (kept) return kept.filter((m) => m.private !== true);
    return (await this.messages(conversationId, after, limit)).filter((m) => m.seq <= upto);
  }

  /** Adds `input` to `op` as `next`'s next message, moving its lastSeq and preview. */
  #stored(op: Deno.AtomicOperation, next: Conversation, input: NewMessage, now: string): Message {
    const message: Message = {
      id: this.newId(),
      conversationId: input.conversationId,
      seq: next.lastSeq + 1,
      sender: input.sender,
      authorId: input.authorId,
      authorName: input.authorName,
      text: input.text,
      createdAt: now,
      private: false,
    };
    next.lastSeq = message.seq;
    next.lastMessage = preview(message);
    op.set(keys.message(input.conversationId, message.seq), message);
    if (indexed(message)) {
      op.set(keys.searchPending(message.id), { c: input.conversationId, s: message.seq });
    }
    return message;
  }

  /**
   * Applies a state change decided from the current conversation, in one commit with: the
   * assignees' load counters (checked, so two instances can't both fill the last slot), the list
   * indexes, counters and queue (./lists.ts), and an optional system message. `capacityOf` makes
   * the commit refuse (returns null) when the new assignee is unavailable or full.
   */
  async change(
    id: string,
    decide: (c: Conversation) => Decision,
    capacityOf?: (agentId: string, state: AgentState) => number,
  ): Promise<Changed | null> {
    for (;;) {
      const entry = await this.kv.get<Conversation>(keys.conversation(id));
      if (!entry.value) throw notFound("Conversation");
      const prev = entry.value;
      const decision = decide(prev);
      if (!decision) return { conversation: publicRecord(prev), message: null, changed: false };
      const now = this.nowIso();
      const next: Conversation = { ...decision.next, updatedAt: now };
      stampChange(prev, next, now);
      const op = this.kv.atomic().check(entry);

      const from = loadOf(prev), to = loadOf(next);
      const agents: { record: UserRecord; state: AgentState }[] = [];
      if (from !== to) {
        const ids = [from, to].filter((x): x is string => x !== null);
        // The records come in the same read: they make the `agent` frames (lib/realtime/agent_frames.ts).
        const entries = await getManyBatched<AgentState | UserRecord>(
          this.kv,
          ids.flatMap((a) => [keys.agentState(a), keys.user(a)]),
        );
        for (const [i, agentId] of ids.entries()) {
          const entry = entries[2 * i] as Deno.KvEntryMaybe<AgentState>;
          const state = entry.value ?? initialAgentState();
          const gains = agentId === to;
          if (gains && capacityOf && state.load >= capacityOf(agentId, state)) return null;
          const nextState: AgentState = {
            ...state,
            load: Math.max(0, state.load + (gains ? 1 : -1)),
            lastAssignedAt: gains ? now : state.lastAssignedAt,
          };
          op.check(entry).set(keys.agentState(agentId), nextState);
          const record = entries[2 * i + 1].value as UserRecord | null;
          if (record) agents.push({ record, state: nextState });
        }
        addAgents(op, ids);
      }
      const queued = next.mode === "waiting" && next.status === "open";
      if (!queued) next.waitingSince = null;
      // A new arrival joins behind everyone (its since after the queue's last), and a text that
      // names the place in line is computed here: both read the queue, so its version is checked
      // in the commit, and a join or leave committed meanwhile makes this retry (./queue.ts).
      const arrives = queued && !next.waitingSince;
      let text = decision.system;
      if (arrives || typeof text === "function") op.check(await this.queue.version());
      if (arrives) {
        next.waitingSince = await this.queue.sinceForNew(now);
        if (next.humanRequestedAt === now) next.humanRequestedAt = next.waitingSince;
      }
      if (typeof text === "function") {
        // An arrival joins at the end: its place is the queue's size + 1 (one counter).
        const place = queuedOf(next);
        const position = !place
          ? 0
          : arrives
          ? await this.queue.size() + 1
          : await this.queue.position(place);
        text = text(position);
      }
      const said = decision.say
        ? this.#stored(op, next, { ...decision.say, conversationId: id }, now)
        : null;
      const message = text
        ? this.#stored(op, next, {
          conversationId: id,
          sender: "system",
          authorId: "system",
          authorName: "Parley",
          text,
        }, now)
        : null;
      const { queueMoved } = reindex(op, prev, next);
      countMilestones(op, prev, next, this.#measure);
      if (queueMoved) addQueueMoved(op);
      op.set(keys.conversation(id), next);
      addChange(op, id, "state");
      // Webhooks' events, in this commit (the outbox: ./outbox.ts).
      addOutbox(op, [
        ...changeEvents(prev, next),
        ...[said, message].filter((m) => m !== null).map((m) => ({
          event: "message.created" as const,
          ref: { conversationId: id, seq: m.seq },
        })),
      ], new Date(now));
      const res = await this.#commit(op, [signalShard(id)]);
      if (res.ok) {
        this.#group.remember({
          key: keys.conversation(id),
          value: next,
          versionstamp: res.versionstamp,
        });
        this.#recent.add(next, said);
        this.#recent.add(next, message);
        if (said) this.#onMessage(said);
        if (message) this.#onMessage(message);
        const version = res.versionstamp;
        return {
          conversation: publicRecord(next),
          message,
          said,
          changed: true,
          agents: agents.map((a) => ({ ...a, version })),
          queueMoved,
        };
      }
    }
  }
}
