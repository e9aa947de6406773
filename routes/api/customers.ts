/** /api/customers/:id: an agent looks a customer up (profile with customer-data facts). */
import { Hono } from "hono";
import { type AppEnv, principal } from "../../lib/http/mod.ts";
import { publicUser } from "../../lib/store/users.ts";
import { notFound } from "../../lib/errors.ts";

export const customerRoutes = new Hono<AppEnv>()
  .get("/:id", async (c) => {
    principal(c, ["agent", "admin"]);
    const { store, bots } = c.var.services;
    const record = await store.users.get(c.req.param("id"));
    if (!record || (record.role !== "customer" && record.role !== "guest")) {
      throw notFound("Customer");
    }
    const conversations = await store.conversations.listByCustomer(record.id);
    const profile = (await bots.factsFor(record)) ?? {};
    return c.json({ user: publicUser(record), profile, conversations });
  });
