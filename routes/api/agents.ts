/**
 * /api/agents: create (admin), list with status and load, set one's own status, and an admin's
 * override of an agent's status or capacity.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { idParam, readBody } from "../../lib/http/parse.ts";
import { agentPatchBody, createAgentBody, statusBody } from "../../lib/contract/schemas.ts";
import { isStaff, publicUser } from "../../lib/store/users.ts";
import { notFound } from "../../lib/errors.ts";
import type { Services } from "../../lib/server/services.ts";

export function agentRoutes(
  { auth, store, assigner, config }: Pick<Services, "auth" | "store" | "assigner" | "config">,
) {
  const capacity = config.agentCapacity;
  return new Hono<AppEnv>()
    .post("/", async (c) => {
      const admin = principal(c, ["admin"]);
      const body = await readBody(c, createAgentBody);
      const record = await auth.createAccount(body, admin.user.id);
      return c.json({ user: await auth.publicUser(record) }, 201);
    })
    .get("/", async (c) => {
      principal(c, ["agent", "admin"]);
      const staff = await store.users.listStaff();
      return c.json({ agents: staff.map((s) => publicUser(s.record, s.state, capacity)) });
    })
    .put("/me/status", async (c) => {
      const { user } = principal(c, ["agent", "admin"]);
      const { status } = await readBody(c, statusBody);
      const state = await assigner.updateAgent(user.id, { status });
      return c.json({ user: publicUser(user, state, capacity) });
    })
    .put("/:id", idParam("Agent"), async (c) => {
      const admin = principal(c, ["admin"]);
      const patch = await readBody(c, agentPatchBody);
      const record = await store.users.get(c.req.param("id"));
      if (!record || !isStaff(record.role)) throw notFound("Agent");
      const state = await assigner.updateAgent(record.id, patch, {
        actorId: admin.user.id,
        action: "agent.changed",
        target: record.id,
        details: patch,
      });
      return c.json({ user: publicUser(record, state, capacity) });
    });
}
