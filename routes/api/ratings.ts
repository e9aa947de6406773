/**
 * CSAT on a conversation (mounted beside ./conversations.ts): its customer rates it once it is
 * resolved (201; 409 before it is resolved or once rated); the customer and agents read it back.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { idParam, readBody } from "../../lib/http/parse.ts";
import { ratingBody } from "../../lib/contract/schemas.ts";
import type { Services } from "../../lib/server/services.ts";

export function ratingRoutes({ csat }: Pick<Services, "csat">) {
  return new Hono<AppEnv>()
    .use("/:id/rating", idParam("Conversation"))
    .post("/:id/rating", async (c) => {
      const { user } = principal(c);
      const body = await readBody(c, ratingBody);
      const rating = await csat.rate(user, c.req.param("id"), body);
      return c.json({ rating }, 201);
    })
    .get("/:id/rating", async (c) => {
      const { user } = principal(c);
      return c.json({ rating: await csat.get(user, c.req.param("id")) });
    });
}
