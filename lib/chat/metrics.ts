/**
 * Support metrics over a time window, from the milestones the store stamps on each conversation
 * (lib/store/milestones.ts). Counts of open conversations by mode are as of now; the rest count
 * what happened inside the window. Durations are milliseconds; a median with no samples is null.
 */
import type { Conversation } from "../contract/types.ts";

export interface Metrics {
  window: { since: string; until: string };
  counts: {
    /** Now: open conversations, and how many of them the bot, the queue and agents hold. */
    open: number;
    bot: number;
    waiting: number;
    human: number;
    /** In the window: conversations started, and resolved. */
    created: number;
    resolved: number;
  };
  medianMs: {
    /** Human asked for (handoff, bot handoff, takeover) → first agent message. */
    firstHumanResponse: number | null;
    /** Conversation started → resolved. */
    resolution: number | null;
    /** Human asked for → first assigned to an agent (0 for a takeover). */
    waiting: number | null;
  };
  /** How many conversations each median is taken over. */
  samples: { firstHumanResponse: number; resolution: number; waiting: number };
}

export function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

export function computeMetrics(conversations: Conversation[], since: number, now: number): Metrics {
  const inWindow = (iso: string | null | undefined): iso is string => {
    if (!iso) return false;
    const t = Date.parse(iso);
    return t >= since && t <= now;
  };
  const span = (from: string | null | undefined, to: string) =>
    from ? Math.max(0, Date.parse(to) - Date.parse(from)) : null;
  const counts = { open: 0, bot: 0, waiting: 0, human: 0, created: 0, resolved: 0 };
  const firstResponse: number[] = [], resolution: number[] = [], waiting: number[] = [];
  for (const c of conversations) {
    if (c.status === "open") {
      counts.open++;
      counts[c.mode]++;
    }
    if (inWindow(c.createdAt)) counts.created++;
    if (inWindow(c.resolvedAt)) {
      counts.resolved++;
      resolution.push(span(c.createdAt, c.resolvedAt)!);
    }
    if (inWindow(c.firstHumanResponseAt)) {
      const d = span(c.humanRequestedAt, c.firstHumanResponseAt);
      if (d !== null) firstResponse.push(d);
    }
    if (inWindow(c.firstAssignedAt)) {
      const d = span(c.humanRequestedAt, c.firstAssignedAt);
      if (d !== null) waiting.push(d);
    }
  }
  return {
    window: { since: new Date(since).toISOString(), until: new Date(now).toISOString() },
    counts,
    medianMs: {
      firstHumanResponse: median(firstResponse),
      resolution: median(resolution),
      waiting: median(waiting),
    },
    samples: {
      firstHumanResponse: firstResponse.length,
      resolution: resolution.length,
      waiting: waiting.length,
    },
  };
}
