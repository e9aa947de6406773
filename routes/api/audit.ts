/** /api/audit: the audit log of admin actions, newest first, in pages (lib/store/audit.ts). */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { readQuery } from "../../lib/http/parse.ts";
import { auditQuery } from "../../lib/contract/operations.ts";
import type { Services } from "../../lib/server/services.ts";

export function auditRoutes({ store }: Pick<Services, "store">) {
  return new Hono<AppEnv>().get("/", async (c) => {
    principal(c, ["admin"]);
    const { limit, cursor } = readQuery(c, auditQuery);
    const page = await store.audit.page(limit, cursor);
    return c.json({
      entries: page.entries.map(({ at, actorId, action, target, details }) => ({
        at,
        actorId,
        action,
        target,
        details,
      })),
      next: page.next,
    });
  });
}
