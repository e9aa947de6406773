/**
 * /api/auth: guest, register, login, logout, me. Guest, register and login spend the caller's
 * address budget (KV, every instance: lib/auth/signin_limits.ts) once the body is valid, so bad
 * input changes nothing; login also passes the per-account lockout (in `auth.login`).
 */
import { Hono } from "hono";
import type { AppEnv, Ctx } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { readBody } from "../../lib/http/parse.ts";
import { clearSessionCookie, setSessionCookie } from "../../lib/http/cookies.ts";
import { guestBody, loginBody, registerBody } from "../../lib/contract/schemas.ts";
import type { Services } from "../../lib/server/services.ts";

export function authRoutes(
  { auth, config, isHttps, signInLimits, clientAddress }: Pick<
    Services,
    "auth" | "config" | "isHttps" | "signInLimits" | "clientAddress"
  >,
) {
  const ttl = config.sessionTtlMs;
  const spend = (c: Ctx) => signInLimits.spendAddress(clientAddress(c));
  return new Hono<AppEnv>()
    .post("/guest", async (c) => {
      const body = await readBody(c, guestBody);
      await spend(c);
      const issued = await auth.guest(body.name, body.timeZone);
      setSessionCookie(c, issued.token, ttl, isHttps(c));
      return c.json(issued, 201);
    })
    .post("/register", async (c) => {
      const body = await readBody(c, registerBody);
      await spend(c);
      const issued = await auth.register(body);
      setSessionCookie(c, issued.token, ttl, isHttps(c));
      return c.json(issued, 201);
    })
    .post("/login", async (c) => {
      const body = await readBody(c, loginBody);
      await spend(c);
      const issued = await auth.login(body.email, body.password);
      setSessionCookie(c, issued.token, ttl, isHttps(c));
      return c.json(issued, 200);
    })
    .post("/logout", async (c) => {
      await auth.logout(principal(c));
      clearSessionCookie(c);
      return c.body(null, 204);
    })
    .get("/me", async (c) => {
      const user = await auth.publicUser(principal(c).user);
      return c.json({ user });
    });
}
