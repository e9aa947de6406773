/**
 * Rate limiting as a Hono middleware factory, in the manner of Hono's own `bodyLimit`: the
 * options are resolved once and a named middleware is returned. Over the limit, the request gets
 * 429 `rate_limited` with `Retry-After`.
 */
import type { Context, MiddlewareHandler } from "hono";
import { errorBody } from "../errors.ts";
import type { BucketMap } from "../token_bucket.ts";

export { waitText } from "../errors.ts";

export interface RateLimitOptions {
  /** The buckets, by key (lib/token_bucket.ts). */
  buckets: BucketMap;
  /** Whose budget a request spends: the client's address (services.clientAddress), a user. */
  key: (c: Context) => string;
  /**
   * The error message over the limit: what happened and what to do (given the seconds to wait,
   * also sent as `Retry-After`).
   */
  message: string | ((retryAfterSeconds: number) => string);
  /** Methods that spend (default: POST only). */
  methods?: string[];
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { buckets, message, key } = options;
  const methods = new Set(options.methods ?? ["POST"]);
  return async function rateLimit(c, next) {
    if (!methods.has(c.req.method)) return await next();
    const bucket = buckets.get(key(c));
    if (!bucket.take()) {
      const seconds = Math.max(1, Math.ceil(bucket.retryAfterMs / 1000));
      c.header("Retry-After", String(seconds));
      const text = typeof message === "string" ? message : message(seconds);
      return c.json(errorBody("rate_limited", text), 429);
    }
    await next();
  };
}
