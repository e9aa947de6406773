/**
 * One socket's deliveries, in order and exactly once. Each followed conversation remembers the
 * last seq it delivered; a live message that is not the next one (a gap, or a wake-up from
 * another instance) makes it re-read the gap from KV (catch-up), and any seq already delivered is
 * dropped — so replays, the BroadcastChannel and KV watch can overlap without showing anything
 * twice. Conversation states and agents' states are deduplicated the same way (newest wins), and
 * a waiting conversation's place in line is sent only when it changes.
 *
 * The socket itself (lib/ws/client_socket.ts) authenticates, parses and authorizes frames; it
 * hands this class the conversations the client may follow.
 */
import type { Listener, RelayEvent } from "./events.ts";
import type { Relay } from "./relay.ts";
import type { Conversation, Message } from "../contract/types.ts";
import type { ServerFrame } from "../contract/frames.ts";
import { customerView } from "../contract/labels.ts";
import type { Logger } from "../log.ts";

/** Where a subscriber's frames go: the socket, which may close itself instead (slow consumer). */
export interface Outbox {
  sendText(text: string): void;
  /** The session behind the socket ended (signed out, expired). */
  revoked(): void;
}

export interface SubscriberDeps {
  relay: Relay;
  /** Messages of a conversation with seq > after, ascending (lib/store/conversations.ts). */
  messages(
    conversationId: string,
    after: number,
    limit: number,
    opts: { notes: true },
  ): Promise<Message[]>;
  /** A followed conversation is waiting: positions are recomputed and sent (./queue_frames.ts). */
  queueMoved(): void;
  log: Logger;
}

interface Subscription {
  lastSeq: number;
  syncing: boolean;
  dirty: boolean;
  /** The conversation is waiting, as last sent: only then are queue positions sent. */
  waiting: boolean;
  /** The queue position last sent (null: none since it entered the queue). */
  position: number | null;
}

/** Messages read from KV per catch-up step. */
const CATCH_UP_BATCH = 500;
/** Conversation states remembered for deduplication before the memory is reset. */
const MAX_STATES = 2000;
/** What `#newer` compares of a conversation state already sent. */
type SentState = Pick<Conversation, "updatedAt" | "lastSeq" | "status" | "mode" | "assigneeId">;

/** Serialized message frames, shared by the sockets a published message reaches. */
const messageFrames = new WeakMap<Message, string>();
/** Serialized conversation frames, likewise (each message publishes one). */
const conversationFrames = new WeakMap<Conversation, string>();
/** The same for customers' sockets (the customer view of the record). */
const customerConversationFrames = new WeakMap<Conversation, string>();

export class Subscriber implements Listener {
  #subs = new Map<string, Subscription>();
  #inbox = false;
  #removeListener: (() => void) | null;
  /**
   * Last conversation state sent, per id: copies from the feed and BroadcastChannel overlap. Only
   * what the comparison reads is kept, not the record (whose cached frame would then live as long).
   */
  #sentStates = new Map<string, SentState>();
  /** Versionstamp of the last agent state sent, per agent (copies overlap as for states). */
  #agentVersions = new Map<string, string>();

  /** `id`: the socket's, the origin of its typing and read events (not echoed back to it). */
  /**
   * `userId`: the signed-in user; `seesNotes`: an agent or admin. Anyone else never gets a private
   * note: live, in catch-up or in a replay with `after`, the note's seq is passed over silently.
   */
  constructor(
    readonly id: string,
    private out: Outbox,
    private deps: SubscriberDeps,
    readonly tokenHash: string | null,
    readonly userId: string | null = null,
    /** An agent's or admin's socket: gets private notes and colleagues' activity; a customer's never. */
    readonly seesNotes = false,
  ) {
    this.#removeListener = deps.relay.add(this);
  }

  get inbox() {
    return this.#inbox;
  }

  /** An agent's or admin's socket (colleagues' activity is routed to these only). */
  get staff() {
    return this.seesNotes;
  }

  follows(conversationId: string): boolean {
    return this.#subs.has(conversationId);
  }

  send(frame: ServerFrame): void {
    this.out.sendText(JSON.stringify(frame));
  }

  /**
   * Follows a conversation the client may see: sends its state, then every message after
   * `after` in order, then live ones.
   */
  async follow(conversation: Conversation, after: number): Promise<void> {
    const id = conversation.id;
    const sub: Subscription = {
      lastSeq: after,
      syncing: false,
      dirty: false,
      waiting: false,
      position: null,
    };
    this.#subs.set(id, sub);
    this.deps.relay.follow(this, id);
    this.#sendConversation(conversation);
    // Its place in line comes with the next computation of positions (never stale ones).
    if (this.#noteMode(sub, conversation)) this.deps.queueMoved();
    await this.#sync(id, sub);
  }

  unfollow(conversationId: string): void {
    this.#subs.delete(conversationId);
    this.deps.relay.unfollow(this, conversationId);
  }

  /** Every conversation change and agents' state from now on (agents' inbox). */
  joinInbox(): void {
    this.#inbox = true;
    this.deps.relay.joinInbox(this);
  }

  /** Stops every delivery (the socket closed). */
  close(): void {
    this.#removeListener?.();
    this.#removeListener = null;
    this.#subs.clear();
  }

  onEvent(event: RelayEvent): void {
    switch (event.type) {
      case "message":
        return this.#deliver(event.message);
      case "conversation": {
        if (!this.#newer(event.conversation)) return;
        const sub = this.#subs.get(event.conversation.id);
        if (sub) this.#noteMode(sub, event.conversation);
        return this.#sendConversation(event.conversation);
      }
      case "agent": {
        const last = this.#agentVersions.get(event.user.id);
        if (last !== undefined && last >= event.version) return;
        this.#agentVersions.set(event.user.id, event.version);
        return this.send({ type: "agent", user: event.user });
      }
      case "queue":
        for (const [conversationId, sub] of this.#subs) {
          const position = event.positions.get(conversationId);
          if (!sub.waiting || position === undefined || position === sub.position) continue;
          sub.position = position;
          this.send({ type: "queue", conversationId, position });
        }
        return;
      case "draft":
        return this.send(event);
      case "mention": {
        if (!this.seesNotes || event.userId !== this.userId) return;
        return this.send(event);
      }
      case "colleague":
        if (!this.seesNotes) return; // never to a customer, whatever routed it here
        // falls through
      case "typing":
      case "read": {
        if (event.origin === this.id) return; // no echo to the socket that sent it
        const { origin: _origin, ...frame } = event;
        return this.send(frame);
      }
      case "session_revoked":
        return this.out.revoked();
    }
  }

  onCommitted(conversationId: string, lastSeq: number | null): void {
    const sub = this.#subs.get(conversationId);
    // Read from KV only what this socket has not delivered (most wake-ups move one conversation
    // of the many a console follows).
    if (sub && (lastSeq === null || lastSeq > sub.lastSeq)) {
      this.#syncInBackground(conversationId, sub);
    }
  }

  /** Remembers whether a followed conversation is waiting (returns that); leaving forgets its place. */
  #noteMode(sub: Subscription, c: Conversation): boolean {
    sub.waiting = c.status === "open" && c.mode === "waiting";
    if (!sub.waiting) sub.position = null;
    this.deps.relay.markWaiting(this, c.id, sub.waiting);
    return sub.waiting;
  }

  /** True (and remembered) unless an equal or newer state of that conversation was sent. */
  #newer(c: Conversation): boolean {
    const prev = this.#sentStates.get(c.id);
    if (prev) {
      // ISO times compare as strings; localeCompare (ICU collation) cost ~1 µs a call here.
      const order = (prev.updatedAt < c.updatedAt ? -1 : prev.updatedAt > c.updatedAt ? 1 : 0) ||
        prev.lastSeq - c.lastSeq;
      const same = prev.status === c.status && prev.mode === c.mode &&
        prev.assigneeId === c.assigneeId;
      if (order > 0 || (order === 0 && same)) return false;
    }
    if (this.#sentStates.size >= MAX_STATES) this.#sentStates.clear();
    const { updatedAt, lastSeq, status, mode, assigneeId } = c;
    this.#sentStates.set(c.id, { updatedAt, lastSeq, status, mode, assigneeId });
    return true;
  }

  /**
   * A conversation frame, serialized once per view for every socket that receives it: staff see
   * the record, a customer's copy has no labels (they are the team's; `customerView`).
   */
  #sendConversation(conversation: Conversation) {
    const cache = this.seesNotes ? conversationFrames : customerConversationFrames;
    let text = cache.get(conversation);
    if (text === undefined) {
      const shown = this.seesNotes ? conversation : customerView(conversation);
      text = JSON.stringify({ type: "conversation", conversation: shown } satisfies ServerFrame);
      cache.set(conversation, text);
    }
    this.out.sendText(text);
  }

  /**
   * A message frame, serialized once for every socket that receives it. The one place a message
   * leaves for a socket: a private note goes to agents and admins only.
   */
  #sendMessage(message: Message) {
    if (message.private && !this.seesNotes) return;
    let text = messageFrames.get(message);
    if (text === undefined) {
      text = JSON.stringify({ type: "message", message } satisfies ServerFrame);
      messageFrames.set(message, text);
    }
    this.out.sendText(text);
  }

  #deliver(message: Message) {
    const sub = this.#subs.get(message.conversationId);
    if (!sub || message.seq <= sub.lastSeq) return;
    if (!sub.syncing && message.seq === sub.lastSeq + 1) {
      sub.lastSeq = message.seq;
      return this.#sendMessage(message);
    }
    this.#syncInBackground(message.conversationId, sub);
  }

  /** A sync nobody awaits: a failure (e.g. KV closed at shutdown) is logged, never unhandled. */
  #syncInBackground(id: string, sub: Subscription) {
    this.#sync(id, sub).catch((err) => {
      if (this.#subs.get(id) === sub) {
        this.deps.log.error("sync failed", { conversationId: id, err: String(err) });
      }
    });
  }

  /** Sends, in order, every message after the last delivered one, read from KV. */
  async #sync(id: string, sub: Subscription): Promise<void> {
    if (sub.syncing) {
      sub.dirty = true;
      return;
    }
    sub.syncing = true;
    try {
      let batch: Message[];
      do {
        sub.dirty = false;
        // Notes included (their seqs keep the order gapless); #sendMessage filters them.
        batch = await this.deps.messages(id, sub.lastSeq, CATCH_UP_BATCH, { notes: true });
        for (const m of batch) {
          if (this.#subs.get(id) !== sub) return;
          if (m.seq !== sub.lastSeq + 1) break;
          sub.lastSeq = m.seq;
          this.#sendMessage(m);
        }
      } while (sub.dirty || batch.length === CATCH_UP_BATCH);
    } finally {
      sub.syncing = false;
    }
  }
}
