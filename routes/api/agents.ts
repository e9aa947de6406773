/**
 * /api/agents: create (admin), list with status and load, set one's own status, and an admin's
 * override of an agent's status or capacity.
 */
import { Hono } from "hono";
import { type AppEnv, principal, readBody } from "../../lib/http/mod.ts";
import { agentPatchBody, createAgentBody, statusBody } from "../../lib/contract/schemas.ts";
import { isStaff, publicUser } from "../../lib/store/users.ts";
import { notFound } from "../../lib/errors.ts";

export const agentRoutes = new Hono<AppEnv>()
  .post("/", async (c) => {
    principal(c, ["admin"]);
    const body = await readBody(c, createAgentBody);
    const record = await c.var.services.auth.createAccount(body);
    return c.json({ user: await c.var.services.auth.publicUser(record) }, 201);
  })
  .get("/", async (c) => {
    principal(c, ["agent", "admin"]);
    const { store, config } = c.var.services;
    const staff = await store.users.listStaff();
    return c.json({
      agents: staff.map((s) => publicUser(s.record, s.state, config.agentCapacity)),
    });
  })
  .put("/me/status", async (c) => {
    const { user } = principal(c, ["agent", "admin"]);
    const { status } = await readBody(c, statusBody);
    const { router, config } = c.var.services;
    const state = await router.updateAgent(user.id, { status });
    return c.json({ user: publicUser(user, state, config.agentCapacity) });
  })
  .put("/:id", async (c) => {
    principal(c, ["admin"]);
    const patch = await readBody(c, agentPatchBody);
    const { store, router, config } = c.var.services;
    const record = await store.users.get(c.req.param("id"));
    if (!record || !isStaff(record.role)) throw notFound("Agent");
    const state = await router.updateAgent(record.id, patch);
    return c.json({ user: publicUser(record, state, config.agentCapacity) });
  });
