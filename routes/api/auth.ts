/** /api/auth: guest, register, login, logout, me. */
import { Hono } from "hono";
import {
  type AppEnv,
  clearSessionCookie,
  principal,
  readBody,
  setSessionCookie,
} from "../../lib/http/mod.ts";
import { guestBody, loginBody, registerBody } from "../../lib/contract/schemas.ts";

export const authRoutes = new Hono<AppEnv>()
  .post("/guest", async (c) => {
    const body = await readBody(c, guestBody);
    const issued = await c.var.services.auth.guest(body.name);
    setSessionCookie(c, issued);
    return c.json(issued, 201);
  })
  .post("/register", async (c) => {
    const body = await readBody(c, registerBody);
    const issued = await c.var.services.auth.register(body);
    setSessionCookie(c, issued);
    return c.json(issued, 201);
  })
  .post("/login", async (c) => {
    const body = await readBody(c, loginBody);
    const issued = await c.var.services.auth.login(body.email, body.password);
    setSessionCookie(c, issued);
    return c.json(issued, 200);
  })
  .post("/logout", async (c) => {
    await c.var.services.auth.logout(principal(c));
    clearSessionCookie(c);
    return c.body(null, 204);
  })
  .get("/me", async (c) => {
    const user = await c.var.services.auth.publicUser(principal(c).user);
    return c.json({ user });
  });
