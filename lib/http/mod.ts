/**
 * HTTP plumbing shared by the routes: the Hono env, body/query validation, the authentication
 * middleware and the session cookie.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { z } from "zod";
import type { Services } from "../server/services.ts";
import {
  type Issued,
  originAllowed,
  type Principal,
  requestToken,
  SESSION_COOKIE,
} from "../auth/auth.ts";
import { AppError, badRequest, forbidden, unauthorized } from "../errors.ts";
import { describeIssues } from "../contract/schemas.ts";
import type { Role } from "../contract/types.ts";

export type AppEnv = { Variables: { principal: Principal | null; services: Services } };
export type Ctx = Context<AppEnv>;

/** Parses the JSON body with `schema`; a malformed body or failing fields → 400 naming them. */
export async function readBody<T extends z.ZodType>(c: Ctx, schema: T): Promise<z.infer<T>> {
  let raw: unknown = {};
  const text = await c.req.text();
  if (text.trim() !== "") {
    try {
      raw = JSON.parse(text);
    } catch {
      throw badRequest("body: not valid JSON");
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw badRequest(describeIssues(parsed.error));
  return parsed.data;
}

export function readQuery<T extends z.ZodType>(c: Ctx, schema: T): z.infer<T> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw badRequest(describeIssues(parsed.error));
  return parsed.data;
}

/**
 * Resolves the caller from the Bearer header or the session cookie. A cookie-authenticated
 * request that changes something must come from an allowed origin (CSRF).
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    const { auth, config } = c.var.services;
    const cookie = getCookie(c, SESSION_COOKIE);
    const token = requestToken(c.req.raw.headers, cookie);
    const viaCookie = token !== null && token === cookie &&
      !c.req.header("authorization");
    if (viaCookie && !["GET", "HEAD", "OPTIONS"].includes(c.req.method)) {
      const origin = c.req.header("origin") ?? null;
      const crossSite = c.req.header("sec-fetch-site") === "cross-site";
      if (
        (!origin && crossSite) ||
        !originAllowed(origin, c.req.header("host") ?? null, config.allowedOrigins)
      ) {
        throw forbidden("Cross-site request refused.");
      }
    }
    const p = await auth.resolve(token);
    c.set("principal", p);
    // An agent using the API is present (lib/presence.ts), sockets or not.
    if (p && (p.user.role === "agent" || p.user.role === "admin")) {
      c.var.services.presence.noteActivity(p.user.id);
    }
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

export function setSessionCookie(c: Ctx, issued: Issued): void {
  const secure = new URL(c.req.url).protocol === "https:" ||
    c.req.header("x-forwarded-proto") === "https";
  setCookie(c, SESSION_COOKIE, issued.token, {
    httpOnly: true,
    sameSite: "Lax",
    secure,
    path: "/",
    maxAge: Math.floor(c.var.services.config.sessionTtlMs / 1000),
  });
}

export function clearSessionCookie(c: Ctx): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}
