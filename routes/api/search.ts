/** GET /api/search?q= (agents, admins): lib/chat/search.ts. */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { readQuery } from "../../lib/http/parse.ts";
import { searchQuery } from "../../lib/contract/schemas.ts";
import type { Services } from "../../lib/server/services.ts";

export function searchRoutes({ search }: Pick<Services, "search">) {
  return new Hono<AppEnv>().get("/", async (c) => {
    const { user } = principal(c, ["agent", "admin"]);
    const { q, limit } = readQuery(c, searchQuery);
    return c.json({ results: await search.query(user, q, limit) });
  });
}
