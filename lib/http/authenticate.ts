/**
 * Who is calling: the authenticate middleware resolves the caller from the Bearer header or the
 * session cookie, and `principal(c, roles)` demands one. A cookie-authenticated request that
 * changes something must come from an allowed origin (CSRF). The decision follows the credential
 * actually used: only a Bearer token skips the check, not just any `Authorization` header (a
 * proxy's Basic auth, say, rides along with the cookie on a cross-site request too).
 */
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { Principal } from "../auth/auth.ts";
import { AppError, unauthorized } from "../errors.ts";
import type { Role } from "../contract/types.ts";
import type { AppEnv, Ctx } from "./env.ts";
import { bearerToken, SESSION_COOKIE } from "./cookies.ts";
import { type AllowedOriginsSource, refuseCrossSite } from "./origin.ts";

export interface AuthenticateOptions {
  /** The principal behind a token, or null. */
  resolve(token: string | null): Promise<Principal | null>;
  /** Origins besides this host allowed to send cookie-authenticated changes. */
  allowedOrigins: AllowedOriginsSource;
  /** Told of every authenticated request (agents' presence counts it as a sign of life). */
  onPrincipal?(principal: Principal): void;
}

const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

export function authenticate(options: AuthenticateOptions): MiddlewareHandler<AppEnv> {
  const { resolve, allowedOrigins, onPrincipal } = options;
  return async function authenticate(c, next) {
    const bearer = bearerToken(c.req.raw.headers);
    const cookie = bearer === null ? getCookie(c, SESSION_COOKIE) ?? null : null;
    if (cookie !== null && !SAFE_METHODS.includes(c.req.method)) {
      await refuseCrossSite(c, allowedOrigins);
    }
    const p = await resolve(bearer ?? cookie);
    c.set("principal", p);
    if (p) onPrincipal?.(p);
    await next();
  };
}

/** The signed-in principal, optionally restricted to some roles (else 401/403). */
export function principal(c: Ctx, roles?: Role[]): Principal {
  const p = c.var.principal;
  if (!p) throw unauthorized();
  if (roles && !roles.includes(p.user.role)) {
    throw new AppError("forbidden", `This needs the role ${roles.join(" or ")}.`);
  }
  return p;
}
