/** /api/agents: create (admin), list with status and load, set one's own status. */
import { Hono } from "hono";
import { type AppEnv, principal, readBody } from "../../lib/http.ts";
import { createAgentBody, statusBody } from "../../lib/schemas.ts";
import { publicUser } from "../../lib/store/users.ts";

export const agentRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    principal(c, ["admin"]);
    const body = await readBody(c, createAgentBody);
    const record = await c.var.services.auth.createAccount(body);
    return c.json({ user: await c.var.services.auth.publicUser(record) }, 201);
  })
  .get("/", async (c) => {
    principal(c, ["agent", "admin"]);
    const staff = await c.var.services.store.users.listStaff();
    return c.json({ agents: staff.map((s) => publicUser(s.record, s.state)) });
  })
  .put("/me/status", async (c) => {
    const { user } = principal(c, ["agent", "admin"]);
    const { status } = await readBody(c, statusBody);
    const { store, router } = c.var.services;
    const state = await store.users.setStatus(user.id, status);
    if (status === "available") router.drainQueue();
    return c.json({ user: publicUser(user, state) });
  });
