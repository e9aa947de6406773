/**
 * GET /api/reports?from=&to=&format=json|csv (admin): per-day and per-agent figures over a range
 * of UTC days (default the last 30), from the counters kept as events happen (lib/chat/reports.ts).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { readQuery } from "../../lib/http/parse.ts";
import { reportsQuery } from "../../lib/contract/schemas.ts";
import { reportCsv } from "../../lib/chat/reports.ts";
import type { Services } from "../../lib/server/services.ts";

export function reportRoutes({ reports }: Pick<Services, "reports">) {
  return new Hono<AppEnv>()
    .get("/", async (c) => {
      principal(c, ["admin"]);
      const { from, to, format } = readQuery(c, reportsQuery);
      const report = await reports.report(from, to);
      if (format === "json") return c.json({ report });
      c.header("Content-Type", "text/csv; charset=utf-8");
      c.header(
        "Content-Disposition",
        `attachment; filename="parley-report-${report.from}-${report.to}.csv"`,
      );
      return c.body(reportCsv(report));
    });
}
