/** GET /api/metrics?since=ISO (admin): counts and medians over a window (default 7 days). */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { readQuery } from "../../lib/http/parse.ts";
import { metricsQuery } from "../../lib/contract/schemas.ts";
import { computeMetrics } from "../../lib/chat/metrics.ts";
import { badRequest } from "../../lib/errors.ts";
import type { Services } from "../../lib/server/services.ts";

export const DEFAULT_WINDOW_MS = 7 * 24 * 3600_000;
/** Conversations read per request (newest first); enough for a small team's weeks. */
const SCAN_LIMIT = 50_000;

export function metricsRoutes({ store, clock }: Pick<Services, "store" | "clock">) {
  return new Hono<AppEnv>()
    .get("/", async (c) => {
      principal(c, ["admin"]);
      const { since } = readQuery(c, metricsQuery);
      const now = clock.now();
      const from = since ? Date.parse(since) : now - DEFAULT_WINDOW_MS;
      if (from > now) throw badRequest("since: must not be in the future");
      const conversations = await store.conversations.listAll(SCAN_LIMIT);
      return c.json(computeMetrics(conversations, from, now));
    });
}
