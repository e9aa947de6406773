/**
 * One client's WebSocket: authentication (at the upgrade or by a first frame), the size and rate
 * limits of incoming frames, and the commands of the contract, each authorized by the service it
 * calls. What the socket receives — messages in order and exactly once, states, typing, queue
 * places — is the subscriber's job (lib/realtime/subscriber.ts).
 */
import type { Auth, Principal } from "../auth/auth.ts";
import type { Chat } from "../chat/chat.ts";
import type { ReadState } from "../chat/read_state.ts";
import type { Presence } from "../assignment/presence.ts";
import { isStaff } from "../store/users.ts";
import { Subscriber, type SubscriberDeps } from "../realtime/subscriber.ts";
import {
  AUTH_TIMEOUT_MS,
  type ClientFrame,
  clientFrame,
  CLOSE,
  MAX_FRAME_BYTES,
  type ServerFrame,
} from "../contract/frames.ts";
import { describeIssues } from "../contract/schemas.ts";
import { type ErrorCode, toErrorBody } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { SocketGuard, SocketGuards } from "./guard.ts";
import type { SocketRegistry } from "./registry.ts";

export interface SocketDeps {
  auth: Pick<Auth, "resolve" | "publicUser">;
  chat: Chat;
  reads: ReadState;
  presence: Pick<Presence, "track">;
  /** What the socket's subscriber needs (relay, catch-up reads, queue positions). */
  delivery: SubscriberDeps;
  guards: SocketGuards;
  registry: SocketRegistry;
  log: Logger;
  /** A socket whose unsent output passes this many bytes is a slow consumer (closed, 4408). */
  maxBufferedBytes: number;
}

/** The clientId of a raw frame, if it has one (for error frames). */
function clientIdOf(data: string): string | undefined {
  try {
    const id = JSON.parse(data)?.clientId;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

let socketCounter = 0;

export class ClientSocket {
  readonly id = `s${++socketCounter}`;
  #principal: Principal | null = null;
  #subscriber: Subscriber | null = null;
  #authTimer: ReturnType<typeof setTimeout> | undefined;
  /** Agents' sockets count for presence (lib/assignment/presence.ts) while open. */
  #untrack: (() => Promise<void>) | null = null;
  #guard: SocketGuard;
  /** The work of this socket's frames still in flight (a ping waits for it: see #handle). */
  #pending = new Set<Promise<void>>();

  /** `guard`: what SocketGuards.admit gave this socket at the upgrade (routes/ws.ts). */
  constructor(
    private ws: WebSocket,
    private deps: SocketDeps,
    principal: Principal | null,
    guard: SocketGuard,
  ) {
    deps.registry.add(this);
    this.#guard = guard;
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

  close(code: number, reason: string) {
    if (this.ws.readyState <= WebSocket.OPEN) this.ws.close(code, reason);
    this.#cleanup();
  }

  #send(frame: ServerFrame) {
    this.#sendText(JSON.stringify(frame));
  }

  /** Sends unless the client has fallen too far behind, which closes it (4408) instead. */
  #sendText(text: string) {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > this.deps.maxBufferedBytes) {
      this.deps.log.warn("slow consumer closed", { buffered: this.ws.bufferedAmount });
      return this.close(CLOSE.slow, "slow consumer: reconnect and resubscribe with after");
    }
    this.ws.send(text);
  }

  #error(code: ErrorCode, message: string, clientId?: string) {
    this.#send(
      clientId ? { type: "error", code, message, clientId } : { type: "error", code, message },
    );
  }

  #cleanup() {
    this.deps.registry.delete(this);
    this.#guard.release();
    clearTimeout(this.#authTimer);
    this.#subscriber?.close();
    this.#subscriber = null;
    this.#untrack?.();
    this.#untrack = null;
  }

  async #authenticated(principal: Principal) {
    clearTimeout(this.#authTimer);
    if (!this.#guard.admitUser(principal.user.id)) {
      return this.close(CLOSE.rateLimited, "too many connections for this user");
    }
    this.#principal = principal;
    this.#subscriber = new Subscriber(
      this.id,
      {
        sendText: (text) => this.#sendText(text),
        revoked: () => this.close(CLOSE.unauthorized, "signed out"),
      },
      this.deps.delivery,
      principal.tokenHash,
      principal.user.id,
      isStaff(principal.user.role),
    );
    if (isStaff(principal.user.role) && this.ws.readyState === WebSocket.OPEN) {
      this.#untrack = this.deps.presence.track(principal.user.id);
    }
    this.#send({ type: "ready", user: await this.deps.auth.publicUser(principal.user) });
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
      this.deps.log.warn("flooding socket closed", { ip: this.#guard.ip });
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
    const work = this.#handle(parsed.data);
    this.#pending.add(work);
    work.finally(() => this.#pending.delete(work)).catch(() => {});
    this.deps.registry.track(work).catch((err) => {
      const [, body] = toErrorBody(err);
      if (body.error.code === "internal") {
        this.deps.log.error("frame failed", { frame: parsed.data.type, err: String(err) });
      }
      this.#error(
        body.error.code,
        body.error.message,
        parsed.data.type === "send" ? parsed.data.clientId : undefined,
      );
    });
  }

  async #handle(frame: ClientFrame): Promise<void> {
    if (frame.type === "ping") {
      // A pong answers after every earlier frame of this socket: a ping is a flush (frames are
      // otherwise handled concurrently, so that one socket's sends share group commits).
      // (This runs before the ping's own work is recorded, so #pending holds earlier frames only.)
      if (this.#pending.size) await Promise.allSettled([...this.#pending]);
      return this.#send({ type: "pong" });
    }
    if (frame.type === "auth") {
      if (this.#principal) return this.#error("bad_request", "Already authenticated.");
      const principal = await this.deps.auth.resolve(frame.token);
      // API tokens are for the HTTP API (scoped there: lib/http/scopes.ts), not sockets.
      if (!principal || principal.apiToken) {
        return this.close(CLOSE.unauthorized, "invalid or expired token");
      }
      return await this.#authenticated(principal);
    }
    const user = this.#principal?.user;
    const subscriber = this.#subscriber;
    if (!user || !subscriber) {
      return this.#error("unauthorized", 'Authenticate first: send {type:"auth", token}.');
    }
    const { chat } = this.deps;
    switch (frame.type) {
      case "subscribe": {
        if (frame.inbox) {
          if (!isStaff(user.role)) return this.#error("forbidden", "The inbox is for agents.");
          return subscriber.joinInbox();
        }
        const conversation = await chat.visible(user, frame.conversationId!);
        return await subscriber.follow(conversation, frame.after ?? 0);
      }
      case "unsubscribe":
        return subscriber.unfollow(frame.conversationId);
      case "send": {
        const { message } = await chat.send(
          user,
          frame.conversationId,
          frame.text,
          frame.clientId,
          {
            private: frame.private,
          },
        );
        return this.#send({ type: "ack", clientId: frame.clientId, message });
      }
      case "read": // stored (never backwards), then relayed: lib/chat/read_state.ts
        await this.deps.reads.mark(user, frame.conversationId, frame.seq, this.id);
        return;
      case "colleague": {
        if (!isStaff(user.role)) return this.#error("forbidden", "Only agents share activity.");
        if (!subscriber.follows(frame.conversationId)) {
          await chat.visible(user, frame.conversationId);
        }
        this.deps.delivery.relay.publish({
          type: "colleague",
          conversationId: frame.conversationId,
          userId: user.id,
          origin: this.id,
          name: user.name,
          activity: frame.activity,
        });
        return;
      }
      case "typing": {
        if (!subscriber.follows(frame.conversationId)) {
          await chat.visible(user, frame.conversationId);
        }
        this.deps.delivery.relay.publish({
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
}
