/**
 * Reads the report counters (./report_counters.ts) over a range of UTC days: a few hundred small
 * keys per month whatever the number of conversations. Figures per day and per agent, with medians
 * from the histograms and CSAT as the share of ratings that were 4 or 5.
 */
import { keys } from "./keys.ts";
import { countOf } from "./counters.ts";
import { ALL, type DurationKind, medianOf } from "./report_counters.ts";

export interface DayFigures {
  day: string;
  started: number;
  handoff: number;
  resolved: number;
  botResolved: number;
  ratings: number;
  satisfied: number;
  /** Satisfied ratings as a percentage of ratings; null with no rating. */
  csat: number | null;
  /** Mean score (1–5); null with no rating. */
  averageScore: number | null;
  medianFirstResponseMs: number | null;
  medianResolutionMs: number | null;
}

export interface AgentFigures {
  agentId: string;
  handled: number;
  resolved: number;
  ratings: number;
  satisfied: number;
  csat: number | null;
  medianFirstResponseMs: number | null;
  medianResolutionMs: number | null;
}

export interface Report {
  from: string;
  to: string;
  days: DayFigures[];
  agents: AgentFigures[];
  totals: Omit<DayFigures, "day">;
}

const percent = (part: number, whole: number) =>
  whole ? Math.round((1000 * part) / whole) / 10 : null;

/** Every UTC day from `from` to `to` (YYYY-MM-DD, inclusive). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 864e5) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

type Histograms = Map<string, Map<number, number>>;

function addTo(h: Histograms, key: string, bucket: number, n: number) {
  const m = h.get(key) ?? new Map<number, number>();
  m.set(bucket, (m.get(bucket) ?? 0) + n);
  h.set(key, m);
}

export class Reports {
  constructor(private kv: Deno.Kv) {}

  async #range(prefix: string, from: string, to: string) {
    const out: Deno.KvEntry<Deno.KvU64>[] = [];
    const iter = this.kv.list<Deno.KvU64>({ start: [prefix, from], end: [prefix, `${to}~`] });
    for await (const e of iter) out.push(e);
    return out;
  }

  /** The figures of the days `from`..`to` (YYYY-MM-DD, inclusive). */
  async read(from: string, to: string): Promise<Report> {
    const [daily, agents, hist] = await Promise.all([
      this.#range(keys.reportPrefix()[0], from, to),
      this.#range(keys.reportAgentPrefix()[0], from, to),
      this.#range(keys.reportHistPrefix()[0], from, to),
    ]);
    const perDay = new Map<string, Map<string, number>>();
    const totals = new Map<string, number>();
    for (const e of daily) {
      const [, day, metric] = e.key as [string, string, string];
      const m = perDay.get(day) ?? new Map<string, number>();
      m.set(metric, countOf(e.value));
      perDay.set(day, m);
      totals.set(metric, (totals.get(metric) ?? 0) + countOf(e.value));
    }
    // Histograms: per day for everyone, per agent over the whole range, and overall.
    const dayHist: Histograms = new Map(), agentHist: Histograms = new Map();
    const allHist: Histograms = new Map();
    for (const e of hist) {
      const [, day, kind, scope, bucket] = e.key as [string, string, DurationKind, string, number];
      const n = countOf(e.value);
      if (scope === ALL) {
        addTo(dayHist, `${day}|${kind}`, bucket, n);
        addTo(allHist, kind, bucket, n);
      } else addTo(agentHist, `${scope}|${kind}`, bucket, n);
    }
    const perAgent = new Map<string, Map<string, number>>();
    for (const e of agents) {
      const [, , agentId, metric] = e.key as [string, string, string, string];
      if (agentId === "none") continue;
      const m = perAgent.get(agentId) ?? new Map<string, number>();
      m.set(metric, (m.get(metric) ?? 0) + countOf(e.value));
      perAgent.set(agentId, m);
    }
    for (const key of agentHist.keys()) {
      const agentId = key.split("|")[0];
      if (!perAgent.has(agentId)) perAgent.set(agentId, new Map());
    }
    const median = (h: Histograms, key: string) => medianOf(h.get(key) ?? new Map());
    const figures = (m: Map<string, number>) => {
      const get = (k: string) => m.get(k) ?? 0;
      return {
        started: get("started"),
        handoff: get("handoff"),
        resolved: get("resolved"),
        botResolved: get("botResolved"),
        ratings: get("ratings"),
        satisfied: get("satisfied"),
        csat: percent(get("satisfied"), get("ratings")),
        averageScore: get("ratings")
          ? Math.round((10 * get("scoreSum")) / get("ratings")) / 10
          : null,
      };
    };
    return {
      from,
      to,
      days: daysBetween(from, to).map((day) => ({
        day,
        ...figures(perDay.get(day) ?? new Map()),
        medianFirstResponseMs: median(dayHist, `${day}|firstResponse`),
        medianResolutionMs: median(dayHist, `${day}|resolution`),
      })),
      agents: [...perAgent].map(([agentId, m]) => ({
        agentId,
        handled: m.get("handled") ?? 0,
        resolved: m.get("resolved") ?? 0,
        ratings: m.get("ratings") ?? 0,
        satisfied: m.get("satisfied") ?? 0,
        csat: percent(m.get("satisfied") ?? 0, m.get("ratings") ?? 0),
        medianFirstResponseMs: median(agentHist, `${agentId}|firstResponse`),
        medianResolutionMs: median(agentHist, `${agentId}|resolution`),
      })),
      totals: {
        ...figures(totals),
        medianFirstResponseMs: median(allHist, "firstResponse"),
        medianResolutionMs: median(allHist, "resolution"),
      },
    };
  }
}
