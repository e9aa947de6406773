/** Labels: PUT /api/conversations/:id/labels (agents) and GET /api/labels (the team's colours). */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { idParam, readBody } from "../../lib/http/parse.ts";
import { labelsBody } from "../../lib/contract/labels.ts";
import type { Services } from "../../lib/server/services.ts";

export function conversationLabelRoutes(
  { labels, reads }: Pick<Services, "labels" | "reads">,
) {
  return new Hono<AppEnv>()
    .use("/:id/labels", idParam("Conversation"))
    .put("/:id/labels", async (c) => {
      const { user } = principal(c, ["agent", "admin"]);
      const body = await readBody(c, labelsBody);
      const conversation = await labels.set(user, c.req.param("id"), body.labels);
      return c.json({ conversation: await reads.one(user, conversation) });
    });
}

export function labelPaletteRoutes({ labels }: Pick<Services, "labels">) {
  return new Hono<AppEnv>().get("/", async (c) => {
    principal(c, ["agent", "admin"]);
    return c.json(await labels.palette());
  });
}
