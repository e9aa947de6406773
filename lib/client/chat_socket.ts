/**
 * The browser's one WebSocket to Parley, shared by every island on a page (`sharedSocket()`).
 *
 * - Reconnects with exponential backoff and jitter; `state` says whether frames flow.
 * - Remembers, per subscribed conversation, the highest `seq` it delivered; after a reconnect it
 *   resubscribes with `after` = that seq, and drops any message at or below it, so nothing is
 *   missed and nothing shows twice.
 * - Sends wait in `pending`, keyed by clientId, until their ack; after a reconnect they are sent
 *   again with the same clientId (the server dedupes by clientId, so a send is never doubled).
 * - Pings every 20 s; a socket silent for 45 s is presumed dead and replaced.
 *
 * Framework-free apart from `@preact/signals` for the observable state.
 */
import { signal } from "@preact/signals";
import type { Conversation, Message, User } from "../contract/types.ts";
import type {
  ColleagueActivity,
  ColleagueFrame,
  MentionFrame,
  ReadFrame,
  ServerFrame,
  TypingFrame,
} from "../contract/frames.ts";

export type ConnectionState = "connecting" | "online" | "offline" | "signed-out";
export type { TypingFrame };

export interface ConversationHandlers {
  message?(message: Message): void;
  conversation?(conversation: Conversation): void;
  typing?(frame: TypingFrame): void;
  read?(frame: ReadFrame): void;
  /** Staff: a colleague's activity here (lib/client/colleagues.ts). */
  colleague?(frame: ColleagueFrame): void;
  /** The bot's reply as it streams (the committed message follows). */
  draft?(frame: { conversationId: string; text: string }): void;
  /** While the conversation waits for an agent: its place in line (1 = next). */
  queue?(frame: { conversationId: string; position: number }): void;
}

/** A send the server refused (the message is not stored); `code` is the contract's error code. */
export class SendError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface ChatSocketOptions {
  /** `ws(s)://host/ws`; defaults to this page's origin. */
  url?: string;
  /** Authenticate with a first frame instead of the cookie. */
  token?: string;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Jitter source, injectable for tests. */
  random?: () => number;
  /** Error frames that belong to no send (a refused subscribe, say). */
  onError?: (code: string, message: string) => void;
}

interface Subscription {
  lastSeq: number;
  handlers: Set<ConversationHandlers>;
}

interface Pending {
  frame: { type: "send"; conversationId: string; text: string; clientId: string };
  resolve(message: Message): void;
  reject(error: SendError): void;
}

const PING_MS = 20_000;
const SILENCE_MS = 45_000;

export class ChatSocket {
  readonly state = signal<ConnectionState>("connecting");
  readonly user = signal<User | null>(null);
  /** When the next reconnect attempt is due (ms since epoch), while offline. */
  readonly retryAt = signal<number | null>(null);
  #ws: WebSocket | null = null;
  #subs = new Map<string, Subscription>();
  #inbox = new Set<(conversation: Conversation) => void>();
  #agents = new Set<(agent: User) => void>();
  #mentions = new Set<(frame: MentionFrame) => void>();
  #ready = new Set<() => void>();
  #pending = new Map<string, Pending>();
  #failures = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #lastFrameAt = 0;
  #closed = false;
  readonly #options: Required<Omit<ChatSocketOptions, "token" | "onError">> & ChatSocketOptions;

  constructor(options: ChatSocketOptions = {}) {
    this.#options = {
      url: options.url ?? `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`,
      minDelayMs: 500,
      maxDelayMs: 10_000,
      random: Math.random,
      ...options,
    };
    this.#open();
  }

  /** Follow a conversation from `after` on; returns the function that stops following. */
  subscribe(conversationId: string, handlers: ConversationHandlers, after = 0): () => void {
    let sub = this.#subs.get(conversationId);
    if (!sub) {
      sub = { lastSeq: after, handlers: new Set() };
      this.#subs.set(conversationId, sub);
      if (this.state.peek() === "online") this.#subscribeFrame(conversationId, sub);
    }
    const current = sub;
    current.handlers.add(handlers);
    return () => {
      current.handlers.delete(handlers);
      if (current.handlers.size > 0 || this.#subs.get(conversationId) !== current) return;
      this.#subs.delete(conversationId);
      this.#write({ type: "unsubscribe", conversationId });
    };
  }

  /** Agents: every conversation change. Returns the function that stops listening. */
  subscribeInbox(listener: (conversation: Conversation) => void): () => void {
    this.#inbox.add(listener);
    if (this.#inbox.size === 1) this.#write({ type: "subscribe", inbox: true });
    return () => this.#inbox.delete(listener);
  }

  /**
   * Agents' status and load as they change (`agent` frames; they come with the inbox subscription,
   * so call `subscribeInbox` too). Returns the function that stops listening.
   */
  /** A colleague mentioned this agent in a private note (agents' sockets). */
  onMention(listener: (frame: MentionFrame) => void): () => void {
    this.#mentions.add(listener);
    return () => this.#mentions.delete(listener);
  }

  onAgent(listener: (agent: User) => void): () => void {
    this.#agents.add(listener);
    return () => this.#agents.delete(listener);
  }

  /** Called after every (re)connection, once subscriptions are renewed: a cue to refetch lists. */
  onReady(listener: () => void): () => void {
    this.#ready.add(listener);
    return () => this.#ready.delete(listener);
  }

  /**
   * Sends a message; resolves with the stored message when the server acknowledges it. While the
   * socket is down the send waits, and is repeated with the same clientId after reconnecting.
   */
  send(conversationId: string, text: string, clientId: string): Promise<Message> {
    const previous = this.#pending.get(clientId);
    if (previous) previous.reject(new SendError("superseded", "Sent again."));
    return new Promise<Message>((resolve, reject) => {
      const frame = { type: "send" as const, conversationId, text, clientId };
      this.#pending.set(clientId, { frame, resolve, reject });
      this.#write(frame);
    });
  }

  typing(conversationId: string, typing: boolean): void {
    this.#write({ type: "typing", conversationId, typing });
  }

  /** Staff: tells colleagues following the conversation what we are doing in it. */
  colleague(conversationId: string, activity: ColleagueActivity): void {
    this.#write({ type: "colleague", conversationId, activity });
  }

  read(conversationId: string, seq: number): void {
    this.#write({ type: "read", conversationId, seq });
  }

  /** Skip the backoff wait (the browser came back online, say). */
  retryNow(): void {
    if (this.state.peek() !== "offline" || this.#closed || this.#ws) return;
    clearTimeout(this.#retryTimer);
    this.#open();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#pingTimer);
    this.#ws?.close();
    this.#ws = null;
  }

  #write(frame: unknown): void {
    if (this.state.peek() === "online" && this.#ws?.readyState === WebSocket.OPEN) {
      this.#ws.send(JSON.stringify(frame));
    }
  }

  #subscribeFrame(conversationId: string, sub: Subscription) {
    this.#write({ type: "subscribe", conversationId, after: sub.lastSeq });
  }

  #open(): void {
    // Stays "offline" through reconnect attempts, until the server says ready.
    if (this.state.peek() !== "offline") this.state.value = "connecting";
    this.retryAt.value = null;
    const ws = new WebSocket(this.#options.url);
    this.#ws = ws;
    ws.onopen = () => {
      this.#lastFrameAt = Date.now();
      if (this.#options.token) {
        ws.send(JSON.stringify({ type: "auth", token: this.#options.token }));
      }
      clearInterval(this.#pingTimer);
      this.#pingTimer = setInterval(() => this.#heartbeat(ws), PING_MS);
    };
    ws.onmessage = (event) => {
      this.#lastFrameAt = Date.now();
      try {
        this.#onFrame(JSON.parse(String(event.data)) as ServerFrame);
      } catch (error) {
        console.warn("Parley: ignoring a frame that could not be handled", error);
      }
    };
    ws.onclose = (event) => {
      if (this.#ws !== ws) return;
      clearInterval(this.#pingTimer);
      this.#ws = null;
      if (this.#closed) return;
      if (event.code === 4401) {
        this.state.value = "signed-out";
        return;
      }
      this.#scheduleReconnect();
    };
  }

  #heartbeat(ws: WebSocket) {
    if (Date.now() - this.#lastFrameAt > SILENCE_MS) return ws.close();
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "ping" }));
  }

  #scheduleReconnect() {
    this.state.value = "offline";
    const { minDelayMs, maxDelayMs, random } = this.#options;
    const base = Math.min(maxDelayMs, minDelayMs * 2 ** this.#failures);
    const delay = Math.round(base * (0.5 + random() / 2));
    this.#failures++;
    this.retryAt.value = Date.now() + delay;
    this.#retryTimer = setTimeout(() => this.#open(), delay);
  }

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case "ready":
        this.#failures = 0;
        this.user.value = frame.user;
        this.state.value = "online";
        for (const [id, sub] of this.#subs) this.#subscribeFrame(id, sub);
        if (this.#inbox.size > 0) this.#write({ type: "subscribe", inbox: true });
        for (const pending of this.#pending.values()) this.#write(pending.frame);
        for (const listener of this.#ready) listener();
        return;
      case "message": {
        const message: Message = frame.message;
        const sub = this.#subs.get(message.conversationId);
        if (!sub || message.seq <= sub.lastSeq) return;
        sub.lastSeq = message.seq;
        for (const h of sub.handlers) h.message?.(message);
        return;
      }
      case "conversation": {
        const conversation: Conversation = frame.conversation;
        for (const h of this.#subs.get(conversation.id)?.handlers ?? []) {
          h.conversation?.(conversation);
        }
        for (const listener of this.#inbox) listener(conversation);
        return;
      }
      case "agent":
        for (const listener of this.#agents) listener(frame.user);
        return;
      case "mention":
        for (const listener of this.#mentions) listener(frame);
        return;
      case "typing":
        for (const h of this.#handlers(frame.conversationId)) h.typing?.(frame);
        return;
      case "read":
        for (const h of this.#handlers(frame.conversationId)) h.read?.(frame);
        return;
      case "colleague":
        for (const h of this.#handlers(frame.conversationId)) h.colleague?.(frame);
        return;
      case "draft":
        for (const h of this.#handlers(frame.conversationId)) h.draft?.(frame);
        return;
      case "queue":
        for (const h of this.#handlers(frame.conversationId)) h.queue?.(frame);
        return;
      case "ack": {
        const pending = this.#pending.get(frame.clientId);
        this.#pending.delete(frame.clientId);
        pending?.resolve(frame.message);
        return;
      }
      case "error": {
        const pending = frame.clientId ? this.#pending.get(frame.clientId) : undefined;
        if (pending && frame.clientId) {
          this.#pending.delete(frame.clientId);
          pending.reject(new SendError(frame.code, frame.message));
        } else this.#options.onError?.(frame.code, frame.message);
        return;
      }
      case "pong":
        return;
      default:
        frame satisfies never;
    }
  }

  #handlers(conversationId: string): Iterable<ConversationHandlers> {
    return this.#subs.get(conversationId)?.handlers ?? [];
  }
}

let shared: ChatSocket | null = null;

/** The page's one socket, opened on first use. */
export function sharedSocket(options?: ChatSocketOptions): ChatSocket {
  if (!shared) {
    shared = new ChatSocket(options);
    addEventListener("online", () => shared?.retryNow());
  }
  return shared;
}
