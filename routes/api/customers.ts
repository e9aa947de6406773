/** /api/customers/:id: an agent looks a customer up (profile with customer-data facts). */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { idParam } from "../../lib/http/parse.ts";
import { publicUser } from "../../lib/store/users.ts";
import { notFound } from "../../lib/errors.ts";
import type { Services } from "../../lib/server/services.ts";

export function customerRoutes({ store, facts }: Pick<Services, "store" | "facts">) {
  return new Hono<AppEnv>()
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
