/**
 * Security headers for every page: a Content-Security-Policy that allows our own scripts and the
 * one inline module script of a page (by nonce, see `renderPage`), our stylesheet, and the one
 * inline style the islands runtime writes (`style="display:contents"`, allowed by its hash).
 * `Strict-Transport-Security` goes only on responses to HTTPS requests (directly, or through a
 * trusted proxy that says so: lib/http/client_ip.ts); over plain HTTP it means nothing to browsers
 * and would break a site later served on both.
 */
import { NONCE, secureHeaders } from "hono/secure-headers";
import type { Context, MiddlewareHandler } from "hono";
import type { RequestIsHttps } from "../../lib/http/client_ip.ts";

/** 180 days, subdomains included: what Hono's secureHeaders would send. */
const HSTS = "max-age=15552000; includeSubDomains";

/** sha256 of `display:contents`, base64: the island wrappers' style attribute. */
export const ISLAND_STYLE_HASH = "'sha256-BDgIqUOjni0WelhOfIRW4cmSnxZNAa0L9tCq85UnRac='";

export function pageSecurityHeaders(isHttps: RequestIsHttps): MiddlewareHandler {
  const headers = secureHeaders({
    strictTransportSecurity: false,
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", NONCE],
      styleSrc: ["'self'", "'unsafe-hashes'", ISLAND_STYLE_HASH],
      // blob: the thumbnails of attached images, fetched with the page's credentials.
      imgSrc: ["'self'", "data:", "blob:"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    referrerPolicy: "strict-origin-when-cross-origin",
  });
  return async function pageSecurityHeaders(c, next) {
    await headers(c, next);
    if (isHttps(c)) c.header("Strict-Transport-Security", HSTS);
  };
}

/** The nonce the CSP header of this response allows. */
export function pageNonce(c: Context): string | undefined {
  return (c.get as (key: string) => unknown)("secureHeadersNonce") as string | undefined;
}
