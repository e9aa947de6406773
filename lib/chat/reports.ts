/**
 * Reports for admins: per-day and per-agent figures over a range of UTC days, read from the
 * counters kept as events happen (../store/reports.ts), never by scanning conversations. The
 * range is validated (from ≤ to, at most `MAX_DAYS` days); agents get their names; CSV for
 * spreadsheets.
 */
import type { Store } from "../store/mod.ts";
import type { AgentFigures, Report } from "../store/reports.ts";
import { badRequest } from "../errors.ts";
import type { Clock } from "../clock.ts";

export const MAX_DAYS = 366;
export const DEFAULT_DAYS = 30;

export type NamedReport = Omit<Report, "agents"> & { agents: (AgentFigures & { name: string })[] };

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class ReportService {
  constructor(private store: Store, private clock: Clock) {}

  /** The range a query names: default the last 30 days, today included. */
  range(from?: string, to?: string): { from: string; to: string } {
    const today = dayOf(this.clock.now());
    const end = to ?? today;
    const start = from ?? dayOf(Date.parse(`${end}T00:00:00Z`) - (DEFAULT_DAYS - 1) * 864e5);
    if (start > end) throw badRequest("from: must not be after to");
    const days = (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 864e5 + 1;
    if (days > MAX_DAYS) throw badRequest(`to: the range is at most ${MAX_DAYS} days`);
    return { from: start, to: end };
  }

  async report(from?: string, to?: string): Promise<NamedReport> {
    const range = this.range(from, to);
    const report = await this.store.reports.read(range.from, range.to);
    const staff = new Map(
      (await this.store.users.listStaff()).map(({ record }) => [record.id, record.name]),
    );
    const agents = report.agents.map((a) => ({ ...a, name: staff.get(a.agentId) ?? "(removed)" }))
      .sort((a, b) => b.resolved - a.resolved || a.name.localeCompare(b.name));
    return { ...report, agents };
  }
}

const DAY_COLUMNS = [
  "day",
  "started",
  "handoff",
  "resolved",
  "botResolved",
  "medianFirstResponseMs",
  "medianResolutionMs",
  "ratings",
  "satisfied",
  "csat",
  "averageScore",
] as const;

/** A CSV cell: quoted when needed; a leading = + - @ is defused (spreadsheet formulas). */
function cell(value: unknown): string {
  let s = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(s) && typeof value === "string") s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The per-day figures as CSV (RFC 4180, CRLF), one row per day. */
export function reportCsv(report: Pick<Report, "days">): string {
  const rows = [DAY_COLUMNS.join(",")];
  for (const d of report.days) rows.push(DAY_COLUMNS.map((k) => cell(d[k])).join(","));
  return rows.join("\r\n") + "\r\n";
}
