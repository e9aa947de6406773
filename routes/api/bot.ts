/**
 * /api/bot (admins): the bot's metrics over a window (default 7 days), and the bot test bench: a
 * question set (JSON, or "question | expected" lines) run through the built-in bot over the live
 * help center, with the same code as `deno task bot:eval` (lib/bot/eval.ts).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { readBody, readQuery } from "../../lib/http/parse.ts";
import { botMetricsQuery, evalBody } from "../../lib/contract/bot.ts";
import { BuiltinBot } from "../../lib/bot/builtin.ts";
import { EvalParseError, evaluate, parseQuestionSet } from "../../lib/bot/eval.ts";
import { badRequest } from "../../lib/errors.ts";
import type { Services } from "../../lib/server/services.ts";

const DEFAULT_WINDOW_MS = 7 * 24 * 3600_000;

export function botRoutes(
  { help, botMetrics, clock, config }: Pick<Services, "help" | "botMetrics" | "clock" | "config">,
) {
  return new Hono<AppEnv>()
    .get("/metrics", async (c) => {
      principal(c, ["admin"]);
      const { since } = readQuery(c, botMetricsQuery);
      const now = clock.now();
      const from = since ? Date.parse(since) : now - DEFAULT_WINDOW_MS;
      if (from > now) throw badRequest("since: must not be in the future");
      return c.json(await botMetrics.report(from, now, help));
    })
    .post("/eval", async (c) => {
      principal(c, ["admin"]);
      const { questions } = await readBody(c, evalBody);
      let cases;
      try {
        cases = parseQuestionSet(questions);
      } catch (error) {
        if (error instanceof EvalParseError) throw badRequest(`questions: ${error.message}`);
        throw error;
      }
      const bot = new BuiltinBot({
        name: config.botName,
        businessName: config.businessName,
        knowledge: help.current(),
      });
      return c.json(await evaluate(bot, cases, { yieldEvery: 25 }));
    });
}
