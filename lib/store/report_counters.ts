/**
 * Report counters (key shapes in ./keys.ts), moved in the same commits as the events they count,
 * so reports never scan conversations. Like ./lists.ts `reindex`, `countMilestones(op, prev, next)`
 * derives the events from the conversation record alone — its milestones (./milestones.ts) going
 * from unset to set — and is called by every commit that writes a conversation (create, state
 * changes, message appends). Ratings add theirs in their own commit (./ratings.ts).
 *
 * Per UTC day of the event: `started`, `handoff` (a person was first asked for), `resolved`,
 * `botResolved` (resolved with no person ever asked for), `ratings`, `satisfied` (score 4 or 5)
 * and `scoreSum`; per agent: `handled` (first assigned), `resolved`, `ratings`, `satisfied`. Times
 * (first human response, resolution) go into a histogram per day, for everyone and per agent, with
 * buckets 25 % wide, so a median read from it is within about 12 % of the true one.
 */
import { keys } from "./keys.ts";
import type { Conversation } from "../contract/types.ts";
import type { Writes } from "./queue.ts";

export type DurationKind = "firstResponse" | "resolution";
export const ALL = "all";
const RATIO = 1.25;

/** UTC day of an ISO time: "2026-11-30". */
export const dayOfIso = (iso: string) => iso.slice(0, 10);

/** The histogram bucket of a duration: 0 below one second, then 25 % wide buckets. */
export function bucketOf(ms: number): number {
  const s = ms / 1000;
  return s < 1 ? 0 : 1 + Math.floor(Math.log(s) / Math.log(RATIO));
}

/** The duration (ms) a bucket stands for: its geometric middle. */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return 500;
  return Math.round(1000 * RATIO ** (bucket - 1 + 0.5));
}

/** The median of a histogram (bucket → count), as its bucket's value; null when empty. */
export function medianOf(histogram: Map<number, number>): number | null {
  let total = 0;
  for (const n of histogram.values()) total += n;
  if (!total) return null;
  const half = Math.ceil(total / 2);
  let seen = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bucket)!;
    if (seen >= half) return bucketValue(bucket);
  }
  return null;
}

/** How long between two ISO times counts (wall-clock by default; business hours may replace it). */
export type Measure = (fromIso: string, toIso: string) => number;
export const wallClock: Measure = (from, to) => Math.max(0, Date.parse(to) - Date.parse(from));

const reached = (prev: string | null | undefined, next: string | null | undefined) =>
  !prev && !!next;

/**
 * Adds to `op` the counters of the events `prev` → `next` shows (`prev` null: a new conversation).
 * Returns the number of mutations added.
 */
export function countMilestones(
  op: Writes,
  prev: Conversation | null,
  next: Conversation,
  measure: Measure = wallClock,
): number {
  let n = 0;
  const add = (day: string, metric: string, agentId?: string | null) => {
    op.sum(keys.report(day, metric), 1n);
    n++;
    if (agentId) {
      op.sum(keys.reportAgent(day, agentId, metric), 1n);
      n++;
    }
  };
  const time = (day: string, kind: DurationKind, ms: number, agentId?: string | null) => {
    const bucket = bucketOf(ms);
    op.sum(keys.reportHist(day, kind, ALL, bucket), 1n);
    n++;
    if (agentId) {
      op.sum(keys.reportHist(day, kind, agentId, bucket), 1n);
      n++;
    }
  };
  if (!prev) add(dayOfIso(next.createdAt), "started");
  if (reached(prev?.humanRequestedAt, next.humanRequestedAt)) {
    add(dayOfIso(next.humanRequestedAt!), "handoff");
  }
  if (reached(prev?.firstAssignedAt, next.firstAssignedAt)) {
    const day = dayOfIso(next.firstAssignedAt!);
    op.sum(keys.reportAgent(day, next.assigneeId ?? "none", "handled"), 1n);
    n++;
  }
  if (reached(prev?.firstHumanResponseAt, next.firstHumanResponseAt) && next.humanRequestedAt) {
    const at = next.firstHumanResponseAt!;
    time(dayOfIso(at), "firstResponse", measure(next.humanRequestedAt, at), next.assigneeId);
  }
  if (reached(prev?.resolvedAt, next.resolvedAt)) {
    const at = next.resolvedAt!, day = dayOfIso(at);
    add(day, "resolved", next.assigneeId);
    if (!next.humanRequestedAt) add(day, "botResolved");
    time(day, "resolution", measure(next.createdAt, at), next.assigneeId);
  }
  return n;
}

/** A rating's counters, for the day it was given (./ratings.ts adds them to its commit). */
export function countRating(
  op: Writes,
  at: string,
  score: number,
  agentId: string | null,
): void {
  const day = dayOfIso(at);
  const metrics = score >= 4 ? ["ratings", "satisfied"] : ["ratings"];
  for (const metric of metrics) {
    op.sum(keys.report(day, metric), 1n);
    if (agentId) op.sum(keys.reportAgent(day, agentId, metric), 1n);
  }
  op.sum(keys.report(day, "scoreSum"), BigInt(score));
}
