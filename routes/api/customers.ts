/**
 * /api/customers/:id: an agent looks a customer up (profile with customer-data facts); an admin
 * exports everything stored about them or erases them (GDPR, lib/chat/privacy.ts).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { idParam } from "../../lib/http/parse.ts";
import { publicUser } from "../../lib/store/users.ts";
import { notFound } from "../../lib/errors.ts";
import type { Services } from "../../lib/server/services.ts";

export function customerRoutes(
  { store, facts, privacy }: Pick<Services, "store" | "facts" | "privacy">,
) {
  return new Hono<AppEnv>()
    .get("/:id/export", idParam("Customer"), async (c) => {
      const { user } = principal(c, ["admin"]);
      const data = await privacy.export(user, c.req.param("id"));
      c.header("Content-Disposition", `attachment; filename="customer-${data.customer.id}.json"`);
      return c.json(data);
    })
    .delete("/:id", idParam("Customer"), async (c) => {
      const { user } = principal(c, ["admin"]);
      await privacy.erase(user, c.req.param("id"));
      return c.body(null, 204);
    })
    .get("/:id", idParam("Customer"), async (c) => {
      principal(c, ["agent", "admin"]);
      const record = await store.users.get(c.req.param("id"));
      if (!record || (record.role !== "customer" && record.role !== "guest")) {
        throw notFound("Customer");
      }
      const conversations = await store.conversations.listByCustomer(record.id);
      const profile = (await facts(record, null)) ?? {};
      return c.json({ user: publicUser(record), profile, conversations });
    });
}
