/**
 * Origin rules (CSRF, CSWSH): cookie-authenticated requests that change something, every sign-in
 * endpoint (they set the cookie: login CSRF) and WebSocket upgrades must come from this host or an
 * ALLOWED_ORIGINS origin.
 */
import type { Context, MiddlewareHandler } from "hono";
import { forbidden } from "../errors.ts";

/** True when a request from `origin` may use this host's cookies: same host or allowed. */
export function originAllowed(origin: string | null, host: string | null, allowed: string[]) {
  if (!origin) return true; // not a browser: cookies don't ride along on their own
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * Throws 403 for a request a browser sent from another site: a foreign `Origin`, or no `Origin`
 * with `Sec-Fetch-Site: cross-site`.
 */
export function refuseCrossSite(c: Context, allowed: string[]): void {
  const origin = c.req.header("origin") ?? null;
  const crossSite = c.req.header("sec-fetch-site") === "cross-site";
  if ((!origin && crossSite) || !originAllowed(origin, c.req.header("host") ?? null, allowed)) {
    throw forbidden("Cross-site request refused.");
  }
}

/** Middleware: the request must come from this site (used by the sign-in endpoints). */
export function sameSiteOnly(allowed: string[]): MiddlewareHandler {
  return async function sameSiteOnly(c, next) {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") refuseCrossSite(c, allowed);
    await next();
  };
}
