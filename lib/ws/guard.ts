/**
 * Per-socket abuse limits: a token bucket for the socket's frames, its address's bucket (shared
 * with messages posted over HTTP: lib/http/rate_limit.ts), and the cap on sockets per user.
 * Limits are per isolate; with WORKERS=N or several instances they apply per instance.
 */
import type { Clock } from "../clock.ts";
import type { LimitSettings } from "../config.ts";
import { type BucketMap, TokenBucket } from "../token_bucket.ts";

/** What a socket does with a frame over the limit. */
export type FrameVerdict = "ok" | "limited" | "cut";

/** The limits shared by every socket of this isolate. */
export class SocketGuards {
  #userSockets = new Map<string, number>();

  constructor(
    readonly settings: LimitSettings,
    private ipFrames: BucketMap,
    private clock: Clock,
  ) {}

  /** A new socket from `ip`: its guard checks its frames and counts it under its user's cap. */
  open(ip: string): SocketGuard {
    return new SocketGuard(this, ip, this.ipFrames.get(ip), this.clock);
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

/** One socket's limits: its own frame bucket, its IP's bucket, its place under the user cap. */
export class SocketGuard {
  #frames: TokenBucket;
  #refused = 0;
  #userId: string | null = null;

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

  /** Counts the socket towards its user's cap; false when the user already has too many. */
  admitUser(userId: string): boolean {
    if (this.#userId !== null) return true;
    if (!this.guards._admitUser(userId)) return false;
    this.#userId = userId;
    return true;
  }

  release() {
    if (this.#userId !== null) this.guards._releaseUser(this.#userId);
    this.#userId = null;
  }
}
