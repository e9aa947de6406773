/**
 * Who is calling: the authenticate middleware resolves the caller from the Bearer header or the
 * session cookie, and `principal(c, roles)` demands one. A cookie-authenticated request that
 * changes something must come from an allowed origin (CSRF).
 */
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { Principal } from "../auth/auth.ts";
import { AppError, forbidden, unauthorized } from "../errors.ts";
import type { Role } from "../contract/types.ts";
import type { AppEnv, Ctx } from "./env.ts";
import { requestToken, SESSION_COOKIE } from "./cookies.ts";
import { originAllowed } from "./origin.ts";

export interface AuthenticateOptions {
  /** The principal behind a token, or null. */
  resolve(token: string | null): Promise<Principal | null>;
  /** Origins besides this host allowed to send cookie-authenticated changes (asked only then). */
  allowedOrigins: () => Promise<readonly string[]>;
  /** Told of every authenticated request (agents' presence counts it as a sign of life). */
  onPrincipal?(principal: Principal): void;
}

const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

export function authenticate(options: AuthenticateOptions): MiddlewareHandler<AppEnv> {
  const { resolve, allowedOrigins, onPrincipal } = options;
  return async function authenticate(c, next) {
    const cookie = getCookie(c, SESSION_COOKIE);
    const token = requestToken(c.req.raw.headers, cookie);
    const viaCookie = token !== null && token === cookie &&
      !c.req.header("authorization");
    if (viaCookie && !SAFE_METHODS.includes(c.req.method)) {
      const origin = c.req.header("origin") ?? null;
      const crossSite = c.req.header("sec-fetch-site") === "cross-site";
      if (
        (!origin && crossSite) ||
        !originAllowed(origin, c.req.header("host") ?? null, await allowedOrigins())
      ) {
        throw forbidden("Cross-site request refused.");
      }
    }
    const p = await resolve(token);
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
