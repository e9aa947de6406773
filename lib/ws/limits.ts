/**
 * Abuse limits, in one place: token buckets for WebSocket frames (per connection and per IP) and
 * for the auth endpoints (per IP, against login brute force and sign-up spam), the per-user socket
 * cap, and the registry of open sockets that graceful shutdown closes.
 *
 * A small synchronous token bucket rather than a library: the frame check runs on every incoming
 * frame inside the socket's message handler, where an async limiter (rate-limiter-flexible,
 * hono-rate-limiter) would add a promise per frame and could not stop the frame from being parsed
 * first. Limits are per isolate; with WORKERS=N or several instances they apply per instance.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../http/mod.ts";
import { errorBody } from "../errors.ts";
import type { Clock } from "../ids.ts";

/** A bucket of `burst` tokens refilled at `perSecond`; `take` spends one if there is one. */
export class TokenBucket {
  #tokens: number;
  #at: number;
  constructor(readonly perSecond: number, readonly burst: number, private clock: Clock) {
    this.#tokens = burst;
    this.#at = clock.now();
  }

  take(cost = 1): boolean {
    const now = this.clock.now();
    this.#tokens = Math.min(this.burst, this.#tokens + (now - this.#at) / 1000 * this.perSecond);
    this.#at = now;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Milliseconds until one token is back. */
  get retryAfterMs(): number {
    return Math.max(0, Math.ceil((1 - this.#tokens) / this.perSecond * 1000));
  }

  get full(): boolean {
    return this.#tokens >= this.burst;
  }
}

/** Buckets by key (an IP), dropping full ones now and then so the map stays small. */
export class BucketMap {
  #buckets = new Map<string, TokenBucket>();
  constructor(private perSecond: number, private burst: number, private clock: Clock) {}

  get(key: string): TokenBucket {
    let b = this.#buckets.get(key);
    if (!b) {
      if (this.#buckets.size >= 10_000) {
        for (const [k, v] of this.#buckets) {
          if (v.full || this.#buckets.size > 20_000) this.#buckets.delete(k);
        }
      }
      b = new TokenBucket(this.perSecond, this.burst, this.clock);
      this.#buckets.set(key, b);
    }
    return b;
  }
}

export interface LimitSettings {
  framesPerSecond: number;
  framesBurst: number;
  ipFramesPerSecond: number;
  ipFramesBurst: number;
  authPerMinute: number;
  socketsPerUser: number;
}

/** What a socket does with a frame over the limit. */
export type FrameVerdict = "ok" | "limited" | "cut";

/** A socket as the registry sees it. */
export interface Closable {
  close(code: number, reason: string): void;
}

/** Limits shared by every socket and request of this isolate, plus the open-socket registry. */
export class Limits {
  #ipFrames: BucketMap;
  #auth: BucketMap;
  #userSockets = new Map<string, number>();
  #open = new Set<Closable>();
  #inflight = new Set<Promise<unknown>>();

  constructor(readonly settings: LimitSettings, private clock: Clock) {
    this.#ipFrames = new BucketMap(settings.ipFramesPerSecond, settings.ipFramesBurst, clock);
    this.#auth = new BucketMap(settings.authPerMinute / 60, settings.authPerMinute, clock);
  }

  /** Registers a socket; the returned guard checks its frames and releases it on close. */
  open(socket: Closable, ip: string): SocketGuard {
    this.#open.add(socket);
    return new SocketGuard(this, socket, ip, this.#ipFrames.get(ip), this.clock);
  }

  get openSockets(): number {
    return this.#open.size;
  }

  /** @internal for SocketGuard */
  _admitUser(userId: string): boolean {
    const n = this.#userSockets.get(userId) ?? 0;
    if (n >= this.settings.socketsPerUser) return false;
    this.#userSockets.set(userId, n + 1);
    return true;
  }

  /** @internal for SocketGuard */
  _release(socket: Closable, userId: string | null) {
    this.#open.delete(socket);
    if (userId === null) return;
    const n = (this.#userSockets.get(userId) ?? 1) - 1;
    if (n <= 0) this.#userSockets.delete(userId);
    else this.#userSockets.set(userId, n);
  }

  /** Keeps track of work a frame started (a commit), so shutdown can wait for it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#inflight.add(work);
    work.finally(() => this.#inflight.delete(work)).catch(() => {});
    return work;
  }

  /** Resolves when the frames' work in flight has settled. */
  async drain(): Promise<void> {
    while (this.#inflight.size) await Promise.allSettled([...this.#inflight]);
  }

  /** Closes every open socket (graceful shutdown: 1012, "service restart"). */
  closeAll(code: number, reason: string): void {
    for (const s of [...this.#open]) s.close(code, reason);
  }

  /** HTTP middleware: per-IP rate limit for the auth endpoints (429 `rate_limited`). */
  authRateLimit(): MiddlewareHandler<AppEnv> {
    return rateLimit(this.#auth, "Too many attempts from your address; wait a minute and retry.");
  }

  /** HTTP middleware: messages posted over HTTP share the per-IP frame budget of the sockets. */
  messageRateLimit(): MiddlewareHandler<AppEnv> {
    return rateLimit(this.#ipFrames, "Too many messages from your address; slow down and retry.");
  }
}

function rateLimit(buckets: BucketMap, message: string): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    if (c.req.method !== "POST") return await next();
    const bucket = buckets.get(clientIp(c.env));
    if (!bucket.take()) {
      c.header("Retry-After", String(Math.max(1, Math.ceil(bucket.retryAfterMs / 1000))));
      return c.json(errorBody("rate_limited", message), 429);
    }
    await next();
  };
}

/** One socket's limits: its own frame bucket, its IP's bucket, its place under the user cap. */
export class SocketGuard {
  #frames: TokenBucket;
  #refused = 0;
  #userId: string | null = null;

  constructor(
    private limits: Limits,
    private socket: Closable,
    readonly ip: string,
    private ipFrames: TokenBucket,
    clock: Clock,
  ) {
    const s = limits.settings;
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
    return ++this.#refused > this.limits.settings.framesBurst ? "cut" : "limited";
  }

  /** Counts the socket towards its user's cap; false when the user already has too many. */
  admitUser(userId: string): boolean {
    if (this.#userId !== null) return true;
    if (!this.limits._admitUser(userId)) return false;
    this.#userId = userId;
    return true;
  }

  release() {
    this.limits._release(this.socket, this.#userId);
    this.#userId = null;
  }
}

/** The peer's address as Deno.serve reports it (`c.env` is its ServeHandlerInfo). */
export function clientIp(env: unknown): string {
  try {
    const addr = (env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr;
    return addr?.hostname ?? "unknown";
  } catch {
    return "unknown"; // the request is gone (already upgraded)
  }
}
