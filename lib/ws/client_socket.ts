/**
 * One client's WebSocket: authentication, the frames of the contract, and ordered, exactly-once
 * delivery. Each subscription remembers the last seq it delivered; a live message that is not the
 * next one (a gap, or a wake-up from another instance) makes it re-read the gap from KV, and any
 * seq already delivered is dropped — so replays, the BroadcastChannel and KV watch can overlap
 * without showing anything twice.
 */
import type { Services } from "../server/services.ts";
import type { Principal } from "../auth/auth.ts";
import { isStaff } from "../store/users.ts";
import type { Listener, RelayEvent } from "../realtime/relay.ts";
import { signalShard } from "../realtime/relay.ts";
import { type ClientFrame, clientFrame, describeIssues } from "../contract/schemas.ts";
import { toErrorBody } from "../errors.ts";
import type { Conversation, Message } from "../contract/types.ts";
import type { SocketGuard } from "./limits.ts";

/** The clientId of a raw frame, if it has one (for error frames). */
function clientIdOf(data: string): string | undefined {
  try {
    const id = JSON.parse(data)?.clientId;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

export const MAX_FRAME_BYTES = 16 * 1024;
export const AUTH_TIMEOUT_MS = 5000;
/**
 * Close codes beyond the standard ones: 1009 frame over 16 KiB; 1012 service restart (reconnect
 * at once, resume with `after`); 4401 not or no longer signed in; 4408 slow consumer (too much
 * unsent output; reconnect and resume); 4429 rate limit (kept flooding after rate_limited errors,
 * or too many sockets for one user).
 */
export const CLOSE = {
  tooBig: 1009,
  restart: 1012,
  unauthorized: 4401,
  slow: 4408,
  rateLimited: 4429,
} as const;

interface Subscription {
  lastSeq: number;
  syncing: boolean;
  dirty: boolean;
  /** The conversation is waiting, as last sent: only then are queue positions sent. */
  waiting: boolean;
  /** The queue position last sent (null: none since it entered the queue). */
  position: number | null;
}

let socketCounter = 0;
/** Serialized message frames, shared by the sockets a published message reaches. */
const messageFrames = new WeakMap<Message, string>();

export class ClientSocket implements Listener {
  readonly id = `s${++socketCounter}`;
  #principal: Principal | null = null;
  #subs = new Map<string, Subscription>();
  #inbox = false;
  #removeListener: (() => void) | null = null;
  #authTimer: ReturnType<typeof setTimeout> | undefined;
  /** Agents' sockets count for presence (lib/presence.ts) while open. */
  #untrack: (() => Promise<void>) | null = null;
  /** Last conversation state sent, per id: copies from the feed and BroadcastChannel overlap. */
  #sentStates = new Map<string, Conversation>();
  /** Versionstamp of the last agent state sent, per agent (copies overlap as for states). */
  #agentVersions = new Map<string, string>();

  #guard: SocketGuard;

  constructor(
    private ws: WebSocket,
    private services: Services,
    principal: Principal | null,
    ip = "unknown",
  ) {
    this.#guard = services.limits.open(this, ip);
    ws.onopen = () => {
      if (principal) this.#authenticated(principal);
      else {
        this.#authTimer = setTimeout(
          () => this.close(CLOSE.unauthorized, "authentication timeout"),
          AUTH_TIMEOUT_MS,
        );
      }
    };
    ws.onmessage = (e) => this.#onRaw(e.data);
    ws.onclose = () => this.#cleanup();
    ws.onerror = () => this.#cleanup();
  }

  get inbox() {
    return this.#inbox;
  }

  get tokenHash() {
    return this.#principal?.tokenHash ?? null;
  }

  get user() {
    return this.#principal?.user ?? null;
  }

  follows(conversationId: string): boolean {
    return this.#subs.has(conversationId);
  }

  close(code: number, reason: string) {
    if (this.ws.readyState <= WebSocket.OPEN) this.ws.close(code, reason);
    this.#cleanup();
  }

  #send(frame: unknown) {
    this.#sendText(JSON.stringify(frame));
  }

  /** Sends unless the client has fallen too far behind, which closes it (4408) instead. */
  #sendText(text: string) {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > this.services.config.maxBufferedBytes) {
      this.services.log.warn("slow consumer closed", { buffered: this.ws.bufferedAmount });
      return this.close(CLOSE.slow, "slow consumer: reconnect and resubscribe with after");
    }
    this.ws.send(text);
  }

  /** A message frame, serialized once for every socket that receives it. */
  #sendMessage(message: Message) {
    let text = messageFrames.get(message);
    if (text === undefined) {
      text = JSON.stringify({ type: "message", message });
      messageFrames.set(message, text);
    }
    this.#sendText(text);
  }

  #error(code: string, message: string, clientId?: string) {
    this.#send(
      clientId ? { type: "error", code, message, clientId } : { type: "error", code, message },
    );
  }

  #cleanup() {
    this.#guard.release();
    clearTimeout(this.#authTimer);
    this.#removeListener?.();
    this.#removeListener = null;
    this.#untrack?.();
    this.#untrack = null;
    this.#subs.clear();
  }

  async #authenticated(principal: Principal) {
    clearTimeout(this.#authTimer);
    if (!this.#guard.admitUser(principal.user.id)) {
      return this.close(CLOSE.rateLimited, "too many connections for this user");
    }
    this.#principal = principal;
    this.#removeListener = this.services.relay.add(this);
    if (isStaff(principal.user.role) && this.ws.readyState === WebSocket.OPEN) {
      this.#untrack = this.services.presence.track(principal.user.id);
    }
    this.#send({ type: "ready", user: await this.services.auth.publicUser(principal.user) });
  }

  #onRaw(data: unknown) {
    // A UTF-16 unit is at most 3 UTF-8 bytes: only long frames need counting.
    const size = typeof data === "string"
      ? (data.length * 3 <= MAX_FRAME_BYTES || data.length > MAX_FRAME_BYTES
        ? data.length
        : new TextEncoder().encode(data).length)
      : (data as Blob).size ?? (data as ArrayBuffer).byteLength ?? 0;
    if (size > MAX_FRAME_BYTES) return this.close(CLOSE.tooBig, "frame too large (16 KiB at most)");
    const verdict = this.#guard.frame();
    if (verdict === "cut") {
      this.services.log.warn("flooding socket closed", { ip: this.#guard.ip });
      return this.close(CLOSE.rateLimited, "rate limit exceeded");
    }
    if (typeof data !== "string") {
      return this.#error(
        "bad_request",
        "Frames must be JSON text; binary frames are not accepted.",
      );
    }
    if (verdict === "limited") {
      return this.#error("rate_limited", "Too many frames; slow down and retry.", clientIdOf(data));
    }
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      return this.#error("bad_request", "Frame is not valid JSON.");
    }
    const parsed = clientFrame.safeParse(raw);
    if (!parsed.success) {
      const clientId = (raw as { clientId?: unknown })?.clientId;
      return this.#error(
        "bad_request",
        describeIssues(parsed.error),
        typeof clientId === "string" ? clientId : undefined,
      );
    }
    this.services.limits.track(this.#handle(parsed.data)).catch((err) => {
      const [, body] = toErrorBody(err);
      if (body.error.code === "internal") {
        this.services.log.error("frame failed", { frame: parsed.data.type, err: String(err) });
      }
      this.#error(
        body.error.code,
        body.error.message,
        parsed.data.type === "send" ? parsed.data.clientId : undefined,
      );
    });
  }

  async #handle(frame: ClientFrame): Promise<void> {
    if (frame.type === "ping") return this.#send({ type: "pong" });
    if (frame.type === "auth") {
      if (this.#principal) return this.#error("bad_request", "Already authenticated.");
      const principal = await this.services.auth.resolve(frame.token);
      if (!principal) return this.close(CLOSE.unauthorized, "invalid or expired token");
      return await this.#authenticated(principal);
    }
    const user = this.#principal?.user;
    if (!user) return this.#error("unauthorized", 'Authenticate first: send {type:"auth", token}.');
    const { chat } = this.services;
    switch (frame.type) {
      case "subscribe": {
        if (frame.inbox) {
          if (!isStaff(user.role)) return this.#error("forbidden", "The inbox is for agents.");
          this.#inbox = true;
          this.services.relay.joinInbox(this);
          return;
        }
        const id = frame.conversationId!;
        const conversation = await chat.visible(user, id);
        const sub: Subscription = {
          lastSeq: frame.after ?? 0,
          syncing: false,
          dirty: false,
          waiting: false,
          position: null,
        };
        this.#subs.set(id, sub);
        this.services.relay.follow(this, id);
        this.#send({ type: "conversation", conversation });
        // Its place in line comes with the next computation of positions (never stale ones).
        if (this.#noteMode(sub, conversation)) void this.services.queueFrames.moved();
        return await this.#sync(id, sub);
      }
      case "unsubscribe":
        this.#subs.delete(frame.conversationId);
        this.services.relay.unfollow(this, frame.conversationId);
        return;
      case "send": {
        const { message } = await chat.send(user, frame.conversationId, frame.text, frame.clientId);
        return this.#send({ type: "ack", clientId: frame.clientId, message });
      }
      case "read": // stored (never backwards), then relayed: lib/read_state.ts
        await this.services.reads.mark(user, frame.conversationId, frame.seq, this.id);
        return;
      case "typing": {
        if (!this.#subs.has(frame.conversationId)) await chat.visible(user, frame.conversationId);
        this.services.relay.publish({
          type: "typing",
          conversationId: frame.conversationId,
          userId: user.id,
          origin: this.id,
          name: user.name,
          role: user.role,
          typing: frame.typing,
        });
        return;
      }
    }
  }

  onEvent(event: RelayEvent): void {
    switch (event.type) {
      case "message":
        return this.#deliver(event.message);
      case "conversation": {
        if (!this.#newer(event.conversation)) return;
        const sub = this.#subs.get(event.conversation.id);
        if (sub) this.#noteMode(sub, event.conversation);
        return this.#send({ type: "conversation", conversation: event.conversation });
      }
      case "agent": {
        const last = this.#agentVersions.get(event.user.id);
        if (last !== undefined && last >= event.version) return;
        this.#agentVersions.set(event.user.id, event.version);
        return this.#send({ type: "agent", user: event.user });
      }
      case "queue":
        for (const [conversationId, sub] of this.#subs) {
          const position = event.positions.get(conversationId);
          if (!sub.waiting || position === undefined || position === sub.position) continue;
          sub.position = position;
          this.#send({ type: "queue", conversationId, position });
        }
        return;
      case "draft":
        return this.#send(event);
      case "typing":
      case "read": {
        if (event.origin === this.id) return;
        const { origin: _origin, ...frame } = event;
        return this.#send(frame);
      }
      case "session_revoked":
        return this.close(CLOSE.unauthorized, "signed out");
    }
  }

  onSignal(shard: number): void {
    for (const [id, sub] of this.#subs) {
      if (signalShard(id) === shard) this.#syncInBackground(id, sub);
    }
  }

  /** Remembers whether a followed conversation is waiting (returns that); leaving forgets its place. */
  #noteMode(sub: Subscription, c: Conversation): boolean {
    sub.waiting = c.status === "open" && c.mode === "waiting";
    if (!sub.waiting) sub.position = null;
    return sub.waiting;
  }

  /** True (and remembered) unless an equal or newer state of that conversation was sent. */
  #newer(c: Conversation): boolean {
    const prev = this.#sentStates.get(c.id);
    if (prev) {
      const order = prev.updatedAt.localeCompare(c.updatedAt) || prev.lastSeq - c.lastSeq;
      const same = prev.status === c.status && prev.mode === c.mode &&
        prev.assigneeId === c.assigneeId;
      if (order > 0 || (order === 0 && same)) return false;
    }
    if (this.#sentStates.size >= 2000) this.#sentStates.clear();
    this.#sentStates.set(c.id, c);
    return true;
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
        this.services.log.error("sync failed", { conversationId: id, err: String(err) });
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
        batch = await this.services.store.conversations.messages(id, sub.lastSeq, 500);
        for (const m of batch) {
          if (this.#subs.get(id) !== sub) return;
          if (m.seq !== sub.lastSeq + 1) break;
          sub.lastSeq = m.seq;
          this.#sendMessage(m);
        }
      } while (sub.dirty || batch.length === 500);
    } finally {
      sub.syncing = false;
    }
  }
}
