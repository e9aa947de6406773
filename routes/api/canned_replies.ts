/** /api/canned-replies: the team's and the caller's own canned replies (lib/chat/canned.ts). */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { idParam, readBody } from "../../lib/http/parse.ts";
import { cannedBody } from "../../lib/contract/canned.ts";
import type { Services } from "../../lib/server/services.ts";

export function cannedReplyRoutes({ canned }: Pick<Services, "canned">) {
  return new Hono<AppEnv>()
    .use("/:id", idParam("Canned reply"))
    .get("/", async (c) => {
      const { user } = principal(c, ["agent", "admin"]);
      return c.json({ cannedReplies: await canned.list(user) });
    })
    .post("/", async (c) => {
      const { user } = principal(c, ["agent", "admin"]);
      const body = await readBody(c, cannedBody);
      return c.json({ cannedReply: await canned.create(user, body) }, 201);
    })
    .put("/:id", async (c) => {
      const { user } = principal(c, ["agent", "admin"]);
      const body = await readBody(c, cannedBody);
      return c.json({ cannedReply: await canned.update(user, c.req.param("id"), body) });
    })
    .delete("/:id", async (c) => {
      const { user } = principal(c, ["agent", "admin"]);
      await canned.delete(user, c.req.param("id"));
      return c.body(null, 204);
    });
}
