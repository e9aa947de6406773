/**
 * Per-socket abuse limits: a token bucket for the socket's frames, its address's bucket (shared
 * with messages posted over HTTP: lib/http/rate_limit.ts), the cap on sockets per user, and the
 * caps checked at the upgrade — open sockets per address, unauthenticated ones per address and in
 * all. Deno buffers a whole incoming message (up to 64 MiB a frame, fragments unbounded) before
 * any check can see it, so the number of sockets that haven't authenticated yet is what bounds
 * what an anonymous client can make the server hold (docs/operations.md).
 * Limits are per isolate; with WORKERS=N or several instances they apply per instance.
 */
import type { Clock } from "../clock.ts";
import type { LimitSettings } from "../config.ts";
import { type BucketMap, TokenBucket } from "../token_bucket.ts";

/** What a socket does with a frame over the limit. */
export type FrameVerdict = "ok" | "limited" | "cut";

/** Why an upgrade is refused, or the new socket's guard. */
export type Admission = { guard: SocketGuard; refused?: undefined } | {
  guard?: undefined;
  refused: string;
};

/** The limits shared by every socket of this isolate. */
export class SocketGuards {
  #userSockets = new Map<string, number>();
  #addressSockets = new Map<string, number>();
  #addressUnauth = new Map<string, number>();
  #unauth = 0;

  constructor(
    readonly settings: LimitSettings,
    private ipFrames: BucketMap,
    private clock: Clock,
  ) {}

  /**
   * A new socket from `ip` (`authenticated` at the upgrade, by cookie or Bearer, or not yet):
   * its guard, counted under the address's caps; or why it is refused.
   */
  admit(ip: string, authenticated: boolean): Admission {
    const s = this.settings;
    if ((this.#addressSockets.get(ip) ?? 0) >= s.socketsPerAddress) {
      return {
        refused: "Too many open connections from your address; close some tabs or windows.",
      };
    }
    if (!authenticated) {
      if ((this.#addressUnauth.get(ip) ?? 0) >= s.unauthSocketsPerAddress) {
        return { refused: "Too many connections from your address that have not signed in yet." };
      }
      if (this.#unauth >= s.unauthSockets) {
        return { refused: "Too many connections are signing in at this moment." };
      }
    }
    bump(this.#addressSockets, ip, 1);
    const guard = new SocketGuard(this, ip, this.ipFrames.get(ip), this.clock);
    if (!authenticated) guard._countUnauthenticated();
    return { guard };
  }

  /** Unauthenticated sockets open now (in all). */
  get unauthenticated(): number {
    return this.#unauth;
  }

  /** @internal for SocketGuard */
  _unauth(ip: string, delta: 1 | -1) {
    this.#unauth += delta;
    bump(this.#addressUnauth, ip, delta);
  }

  /** @internal for SocketGuard */
  _closed(ip: string) {
    bump(this.#addressSockets, ip, -1);
  }

  /** @internal for SocketGuard */
  _admitUser(userId: string): boolean {
    const n = this.#userSockets.get(userId) ?? 0;
    if (n >= this.settings.socketsPerUser) return false;
    this.#userSockets.set(userId, n + 1);
    return true;
  }

  /** @internal for SocketGuard */
  _releaseUser(userId: string) {
    const n = (this.#userSockets.get(userId) ?? 1) - 1;
    if (n <= 0) this.#userSockets.delete(userId);
    else this.#userSockets.set(userId, n);
  }
}

/** Adds `delta` to a count, dropping it at zero. */
function bump(counts: Map<string, number>, key: string, delta: number) {
  const n = (counts.get(key) ?? 0) + delta;
  if (n <= 0) counts.delete(key);
  else counts.set(key, n);
}

/** One socket's limits: its own frame bucket, its IP's bucket, its place under the caps. */
export class SocketGuard {
  #frames: TokenBucket;
  #refused = 0;
  #userId: string | null = null;
  #unauthenticated = false;
  #released = false;

  constructor(
    private guards: SocketGuards,
    readonly ip: string,
    private ipFrames: TokenBucket,
    clock: Clock,
  ) {
    const s = guards.settings;
    this.#frames = new TokenBucket(s.framesPerSecond, s.framesBurst, clock);
  }

  /**
   * "ok", or "limited" (answer with a rate_limited error; the frame is dropped), or "cut" once a
   * client keeps flooding after being told (close the socket with CLOSE.rateLimited).
   */
  frame(): FrameVerdict {
    if (this.#frames.take() && this.ipFrames.take()) {
      this.#refused = 0;
      return "ok";
    }
    return ++this.#refused > this.guards.settings.framesBurst ? "cut" : "limited";
  }

  /** @internal for SocketGuards.admit */
  _countUnauthenticated() {
    this.#unauthenticated = true;
    this.guards._unauth(this.ip, 1);
  }

  /**
   * The socket authenticated: it leaves the unauthenticated counts and counts towards its user's
   * cap; false when the user already has too many.
   */
  admitUser(userId: string): boolean {
    if (this.#unauthenticated) {
      this.#unauthenticated = false;
      this.guards._unauth(this.ip, -1);
    }
    if (this.#userId !== null) return true;
    if (!this.guards._admitUser(userId)) return false;
    this.#userId = userId;
    return true;
  }

  /** The socket closed: every count it held is given back (once). */
  release() {
    if (this.#released) return;
    this.#released = true;
    if (this.#userId !== null) this.guards._releaseUser(this.#userId);
    this.#userId = null;
    if (this.#unauthenticated) this.guards._unauth(this.ip, -1);
    this.#unauthenticated = false;
    this.guards._closed(this.ip);
  }
}
