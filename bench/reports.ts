/**
 * How long a 30-day report takes with 100,000 conversations' counters in KV (`deno task
 * bench:reports`). The counters are written as the commits write them (report_counters.ts), for
 * conversations spread over 30 days and 20 agents, each started, half handed to a person and
 * answered, all resolved, a third rated. The report reads counters only, so its time should not
 * depend on the number of conversations.
 */
import { countMilestones, countRating } from "../lib/store/report_counters.ts";
import { Reports } from "../lib/store/reports.ts";
import type { Conversation } from "../lib/contract/types.ts";

const N = Number(Deno.args[0] ?? 100_000);
const kv = await Deno.openKv(":memory:");
const T0 = Date.parse("2030-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();
let op = kv.atomic(), inOp = 0;
const started = performance.now();
for (let i = 0; i < N; i++) {
  const t = T0 + Math.floor((i / N) * 30 * 864e5);
  const human = i % 2 === 0;
  const agent = human ? `agent-${i % 20}` : null;
  const c = {
    id: `c${i}`,
    createdAt: iso(t),
    assigneeId: agent,
    humanRequestedAt: human ? iso(t + 60_000) : null,
    firstAssignedAt: human ? iso(t + 90_000) : null,
    firstHumanResponseAt: human ? iso(t + 60_000 + (i % 600) * 1000) : null,
    resolvedAt: iso(t + 600_000 + (i % 3600) * 1000),
  } as unknown as Conversation;
  inOp += countMilestones(op, null, c);
  if (i % 3 === 0) countRating(op, c.resolvedAt!, 1 + (i % 5), agent);
  if (inOp > 800) {
    await op.commit();
    op = kv.atomic();
    inOp = 0;
  }
}
await op.commit();
const writeMs = performance.now() - started;
const reports = new Reports(kv);
const times: number[] = [];
let keysRead = 0;
for (let run = 0; run < 10; run++) {
  const t = performance.now();
  const r = await reports.read("2030-01-01", "2030-01-30");
  times.push(performance.now() - t);
  keysRead = r.days.length;
}
times.sort((a, b) => a - b);
let keys = 0;
for await (const _ of kv.list({ prefix: [] })) keys++;
console.log(JSON.stringify({
  conversations: N,
  counterKeys: keys,
  days: keysRead,
  populateMs: Math.round(writeMs),
  reportMedianMs: Math.round(times[5] * 10) / 10,
  reportMaxMs: Math.round(times[9] * 10) / 10,
}));
kv.close();
