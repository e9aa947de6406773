/** The session credential: the HttpOnly `session` cookie, or `Authorization: Bearer`. */
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";

export const SESSION_COOKIE = "session";

/** The token of an `Authorization: Bearer …` header; null for no header or another scheme. */
export function bearerToken(headers: Headers): string | null {
  const auth = headers.get("authorization");
  return auth?.toLowerCase().startsWith("bearer ") ? auth.slice(7).trim() : null;
}

/** The bearer token of a request: the Authorization header first, then the session cookie. */
export function requestToken(headers: Headers, cookie: string | undefined): string | null {
  return bearerToken(headers) ?? cookie ?? null;
}

/**
 * Sets the session cookie for `maxAgeMs`; `secure` (the request came over HTTPS, directly or as a
 * trusted proxy says: lib/http/client_ip.ts) adds the Secure flag.
 */
export function setSessionCookie(
  c: Context,
  token: string,
  maxAgeMs: number,
  secure: boolean,
): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Lax",
    secure,
    path: "/",
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}
