/**
 * Origin rules (CSRF, CSWSH): cookie-authenticated requests that change something, every sign-in
 * endpoint (they set the cookie: login CSRF) and WebSocket upgrades must come from this host or an
 * allowed origin (ALLOWED_ORIGINS plus the sites an admin added: lib/widget/origins.ts).
 */
import type { Context, MiddlewareHandler } from "hono";
import { forbidden } from "../errors.ts";

/** The allowed origins besides this host: ALLOWED_ORIGINS plus the sites an admin added. */
export type AllowedOriginsSource = () => Promise<readonly string[]>;

/** True when a request from `origin` may use this host's cookies: same host or allowed. */
export function originAllowed(
  origin: string | null,
  host: string | null,
  allowed: readonly string[],
) {
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
export async function refuseCrossSite(c: Context, allowed: AllowedOriginsSource): Promise<void> {
  const origin = c.req.header("origin") ?? null;
  const crossSite = c.req.header("sec-fetch-site") === "cross-site";
  if (!origin && crossSite) throw forbidden("Cross-site request refused.");
  if (!originAllowed(origin, c.req.header("host") ?? null, origin ? await allowed() : [])) {
    throw forbidden("Cross-site request refused.");
  }
}

/** Middleware: the request must come from this site (used by the sign-in endpoints). */
export function sameSiteOnly(allowed: AllowedOriginsSource): MiddlewareHandler {
  return async function sameSiteOnly(c, next) {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") await refuseCrossSite(c, allowed);
    await next();
  };
}
