/**
 * The relay: events committed in KV reach every socket that follows them.
 *
 * Publishing delivers to this isolate's listeners at once and posts the event on a
 * BroadcastChannel for the other isolates of this process (the fast path). Cross-instance
 * delivery does not rely on it: commits bump watched signal keys (lib/store/conversations.ts), and
 * listeners can re-read from KV after the last seq they delivered (`onSignal`). What messages can't
 * carry (conversation changes for the inbox, agents' state, queue moves, typing, reads, sign-outs)
 * rides on the feed (lib/feed.ts), read on every wake-up (`onWake`). Typing, read and sign-out
 * events get an `id` (their feed key) so a copy that arrives both ways is delivered once.
 */
import { ListenerIndex } from "./listeners.ts";
import type { Conversation, Message, Role, User } from "../contract/types.ts";
import { SIGNAL_SHARDS, signalShard } from "../store/conversations.ts";
import { keys } from "../store/keys.ts";
import { type CommitTracker, OwnSignals } from "./own_signals.ts";

export type RelayEvent =
  | { type: "message"; message: Message }
  | {
    type: "conversation";
    conversation: Conversation;
    /** "message": only lastSeq/lastMessage moved (inbox only); "state": mode, assignee, status. */
    reason?: "message" | "state";
  }
  /** The bot's reply while it streams (never stored; the committed message follows). */
  | { type: "draft"; conversationId: string; text: string }
  | {
    type: "typing";
    conversationId: string;
    userId: string;
    name: string;
    role: Role | "bot";
    typing: boolean;
    /** The socket that sent it (not echoed back to it). */
    origin?: string;
    id?: string;
  }
  | {
    type: "read";
    conversationId: string;
    userId: string;
    seq: number;
    origin?: string;
    id?: string;
  }
  | { type: "session_revoked"; tokenHash: string; id?: string }
  /**
   * An agent's status and load changed (inbox sockets: lib/agent_frames.ts). `version` is the
   * versionstamp of their agent_state: a socket never shows an older state after a newer one.
   */
  | { type: "agent"; user: User; version: string }
  /**
   * The waiting queue's positions, by conversation id (lib/queue_frames.ts): computed by each
   * instance for its own sockets, so only ever delivered here (`deliverHere`).
   */
  | { type: "queue"; positions: ReadonlyMap<string, number> };

/** Events that exist only in flight (not in KV): carried across instances by the feed. */
export type EphemeralEvent = Extract<RelayEvent, { type: "typing" | "read" | "session_revoked" }>;
const isEphemeral = (e: RelayEvent): e is EphemeralEvent =>
  e.type === "typing" || e.type === "read" || e.type === "session_revoked";
/** How long an ephemeral event's id is remembered (longer than the feed's read-back window). */
const RECENT_MS = 30_000;

export interface Listener {
  /** Conversation ids this listener follows. */
  follows(conversationId: string): boolean;
  /** Agents' inbox: every conversation change. */
  readonly inbox: boolean;
  readonly tokenHash: string | null;
  onEvent(event: RelayEvent): void;
  /** Something changed in KV for conversations in this shard: re-read what is missing. */
  onSignal(shard: number): void;
}

export class Relay {
  #listeners = new ListenerIndex();
  #channel: BroadcastChannel | null;
  #watchAbort = new AbortController();
  #wakeHooks: (() => void)[] = [];
  #wakeScheduled = false;
  #recent = new Map<string, number>();
  #writeFeed: ((event: EphemeralEvent & { id: string }) => Promise<void>) | null = null;
  #newId: () => string = () => crypto.randomUUID();
  #ownSignals = new OwnSignals();

  constructor(private kv: Deno.Kv, opts: { broadcast: boolean; channelName?: string }) {
    this.#channel = opts.broadcast
      ? new BroadcastChannel(opts.channelName ?? "parley-events")
      : null;
    if (this.#channel) {
      this.#channel.onmessage = (e: MessageEvent<RelayEvent>) => this.deliverRemote(e.data);
    }
  }

  add(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.remove(listener);
  }

  /** A listener now follows a conversation (its messages, typing, state, queue place). */
  follow(listener: Listener, conversationId: string): void {
    this.#listeners.follow(listener, conversationId);
  }

  unfollow(listener: Listener, conversationId: string): void {
    this.#listeners.unfollow(listener, conversationId);
  }

  /** A listener now gets every conversation and agent change (agents' inbox). */
  joinInbox(listener: Listener): void {
    this.#listeners.joinInbox(listener);
  }

  get size() {
    return this.#listeners.all.size;
  }

  /** All current listeners (the periodic session check walks them). */
  listeners(): Iterable<Listener> {
    return this.#listeners.all;
  }

  /** Called after every wake-up of the signal watch (the feed reads what other instances did). */
  onWake(hook: () => void): void {
    this.#wakeHooks.push(hook);
  }

  /** Runs the wake hooks once for all the foreign wake-ups of this turn (own ones need none). */
  #wakeSoon(): void {
    if (this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    queueMicrotask(() => {
      this.#wakeScheduled = false;
      for (const hook of this.#wakeHooks) hook();
    });
  }

  /** How typing, read and sign-out events reach other instances (lib/feed.ts). */
  setFeedWriter(
    write: (event: EphemeralEvent & { id: string }) => Promise<void>,
    newId: () => string,
  ): void {
    this.#writeFeed = write;
    this.#newId = newId;
  }

  /** Give it this instance's commits (their events are published here): their wake-ups are skipped. */
  get commits(): CommitTracker {
    return this.#ownSignals;
  }

  /**
   * Delivers here, posts to the other isolates of this process and, for typing, read and sign-out
   * events, writes them to the feed for other instances (the returned promise settles then).
   */
  publish(event: RelayEvent): Promise<void> {
    if (isEphemeral(event)) {
      event = { ...event, id: event.id ?? this.#newId() } as EphemeralEvent & { id: string };
      this.#remember(event.id!);
    }
    this.#dispatch(event);
    this.#channel?.postMessage(event);
    if (isEphemeral(event) && this.#writeFeed) {
      return this.#writeFeed(event as EphemeralEvent & { id: string });
    }
    return Promise.resolve();
  }

  /** An event from another isolate or instance: delivered here once, never re-posted. */
  deliverRemote(event: RelayEvent): void {
    if (isEphemeral(event)) {
      if (event.id) {
        if (this.#recent.has(event.id)) return;
        this.#remember(event.id);
      }
      if (event.type !== "session_revoked") event = { ...event, origin: undefined };
    }
    this.#dispatch(event);
  }

  /** An event meant for this isolate's listeners only. */
  deliverHere(event: RelayEvent): void {
    this.#dispatch(event);
  }

  #remember(id: string) {
    const now = Date.now();
    this.#recent.set(id, now);
    if (this.#recent.size % 256 === 0) {
      for (const [k, t] of this.#recent) if (now - t > RECENT_MS) this.#recent.delete(k);
    }
  }

  #dispatch(event: RelayEvent): void {
    for (const l of this.#listeners.recipients(event)) {
      try {
        if (wants(l, event)) l.onEvent(event);
      } catch (err) {
        console.error(JSON.stringify({ level: "error", msg: "listener failed", err: String(err) }));
      }
    }
  }

  /**
   * Watches the signal keys (one `kv.watch` of SIGNAL_SHARDS keys) and tells every listener which
   * shards changed because of another instance's commits (own commits were published already).
   * Against a remote KV this carries other instances' commits.
   */
  startWatch(): void {
    const signalKeys = Array.from({ length: SIGNAL_SHARDS }, (_, i) => keys.signal(i));
    const run = async () => {
      const stream = this.kv.watch(signalKeys);
      const reader = stream.getReader();
      this.#watchAbort.signal.addEventListener("abort", () => reader.cancel().catch(() => {}));
      while (!this.#watchAbort.signal.aborted) {
        const { value, done } = await reader.read();
        if (done || !value) break;
        value.forEach((entry, shard) => {
          this.#ownSignals.reading(shard, entry, () => {
            for (const l of this.#listeners.all) l.onSignal(shard);
            this.#wakeSoon();
          });
        });
      }
    };
    run().catch((err) => {
      if (!this.#watchAbort.signal.aborted) {
        console.error(JSON.stringify({ level: "error", msg: "kv watch ended", err: String(err) }));
      }
    });
  }

  close(): void {
    this.#watchAbort.abort();
    this.#channel?.close();
    for (const l of [...this.#listeners.all]) this.#listeners.remove(l);
  }
}

function wants(l: Listener, e: RelayEvent): boolean {
  switch (e.type) {
    case "message":
      return l.follows(e.message.conversationId);
    case "conversation":
      return l.inbox || (e.reason !== "message" && l.follows(e.conversation.id));
    case "draft":
    case "typing":
    case "read":
      return l.follows(e.conversationId);
    case "session_revoked":
      return l.tokenHash === e.tokenHash;
    case "agent":
      return l.inbox;
    case "queue":
      return true;
  }
}

export { signalShard };
