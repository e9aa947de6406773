/** The session credential: the HttpOnly `session` cookie, or `Authorization: Bearer`. */
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";

export const SESSION_COOKIE = "session";

/** The bearer token of a request: the Authorization header first, then the session cookie. */
export function requestToken(headers: Headers, cookie: string | undefined): string | null {
  const auth = headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
  return cookie ?? null;
}

/** Sets the session cookie (Secure behind HTTPS) for `maxAgeMs`. */
export function setSessionCookie(c: Context, token: string, maxAgeMs: number): void {
  const secure = new URL(c.req.url).protocol === "https:" ||
    c.req.header("x-forwarded-proto") === "https";
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
