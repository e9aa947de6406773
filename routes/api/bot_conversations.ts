/**
 * The bot's tools on a conversation (mounted beside ./conversations.ts): the customer's "did that
 * answer your question?" vote on a bot answer, the votes so far, and for agents a suggested reply
 * (it fills the composer; it is never sent by itself) and the handoff summary.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { readBody } from "../../lib/http/parse.ts";
import { feedbackBody, seqParam } from "../../lib/contract/bot.ts";
import { badRequest } from "../../lib/errors.ts";
import type { Services } from "../../lib/server/services.ts";

export function botConversationRoutes({ botTools }: Pick<Services, "botTools">) {
  return new Hono<AppEnv>()
    .post("/:id/messages/:seq/feedback", async (c) => {
      const { user } = principal(c, ["guest", "customer"]);
      const seq = seqParam.safeParse(c.req.param("seq"));
      if (!seq.success) throw badRequest("seq: must be a message number (1 or more)");
      const { helpful } = await readBody(c, feedbackBody);
      const feedback = await botTools.vote(user, c.req.param("id"), seq.data, helpful);
      return c.json({ feedback: { seq: feedback.seq, helpful: feedback.helpful } }, 201);
    })
    .get("/:id/feedback", async (c) => {
      const { user } = principal(c);
      return c.json({ feedback: await botTools.votes(user, c.req.param("id")) });
    })
    .post("/:id/suggest", async (c) => {
      const { user } = principal(c, ["agent", "admin"]);
      const suggestion = await botTools.suggest(user, c.req.param("id"));
      return c.json({ suggestion });
    })
    .get("/:id/summary", async (c) => {
      const { user } = principal(c, ["agent", "admin"]);
      return c.json({ summary: await botTools.summary(user, c.req.param("id")) });
    });
}
