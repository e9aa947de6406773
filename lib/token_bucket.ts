/**
 * Token buckets, synchronous and on an injected clock: `take()` spends a token if there is one.
 * The WebSocket frame check runs one per incoming frame (lib/ws/guard.ts), where an async limiter
 * would add a promise per frame; the HTTP rate-limit middleware (lib/http/rate_limit.ts) uses the
 * same buckets so that messages over HTTP and over sockets share one budget per address.
 */
import type { Clock } from "./clock.ts";

/** A bucket of `burst` tokens refilled at `perSecond`. */
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

/** Buckets by key (an address), dropping full ones now and then so the map stays small. */
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
