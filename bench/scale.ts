/**
 * `deno task bench --scale`: Parley with a large store (100,000 conversations by default, 3,000
 * of them queued). Seeds a KV file the way the code before list indexes wrote it
 * (bench/seed_scale.ts), starts the server as `deno task start` does (so its start-up migration
 * builds the indexes, and is timed), and measures over HTTP and WebSocket, one request at a time:
 *
 * - list pages (GET /api/conversations): the first page of each filter, and 40 pages deep;
 * - the counts, and the server render of /agent and /admin (the console's load);
 * - handoffs into a long queue (each told its number), and a waiting customer's place on subscribe;
 * - draining: an agent made available with room for 1,000 takes them from the queue's head.
 *
 * Options: --scale-conversations N --scale-waiting N (with --scale), --json.
 */
import { seedScaleStore } from "./seed_scale.ts";
import { startParley, stop } from "./spawn.ts";
import { nextFrame, openParleySocket, ParleyApi } from "./clients.ts";
import { type LatencyStats, latencyStats, rssBytes } from "./proc.ts";

export interface ScaleOptions {
  conversations: number;
  waiting: number;
  json: boolean;
}

export interface ScaleResult {
  store: { conversations: number; waiting: number; openBot: number; seedMs: number };
  /** Spawn → listening, the migration of the whole store included. */
  startMs: number;
  lists: Record<string, { first: LatencyStats; deep: LatencyStats; rows: number }>;
  countsMs: LatencyStats;
  pages: { agent: LatencyStats; admin: LatencyStats };
  handoff: { ms: LatencyStats; queueBefore: number; toldLast: string | null };
  placeOnSubscribeMs: LatencyStats;
  drain: { assigned: number; totalMs: number; perAssignmentMs: number };
  rssBytes: number;
}

const ADMIN = { email: "scale-admin@bench.local", password: "scale-admin-password" };
const FILTERS: Record<string, string> = {
  "all": "",
  "open": "status=open",
  "waiting": "mode=waiting",
  "open, with bot": "status=open&mode=bot",
  "resolved": "status=resolved",
};
const log = (msg: string) => console.error(`  [scale] ${msg}`);

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const value = await fn();
  return [performance.now() - t, value];
}

async function samples(n: number, fn: (i: number) => Promise<unknown>): Promise<LatencyStats> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) ms.push((await timed(() => fn(i)))[0]);
  return latencyStats(ms);
}

export async function runScale(opts: ScaleOptions): Promise<ScaleResult> {
  const dir = await Deno.makeTempDir({ prefix: "parley-scale-" });
  const path = `${dir}/scale.sqlite`;
  const plan = {
    conversations: opts.conversations,
    waiting: opts.waiting,
    openBot: Math.floor(opts.conversations / 20),
    agents: 20,
  };
  log(`seeding ${plan.conversations} conversations (${plan.waiting} waiting)…`);
  const seeded = await seedScaleStore(path, plan);
  log(`seeded in ${seeded.ms} ms; starting the server (it migrates the store first)…`);
  const [startMs, server] = await timed(async () =>
    await startParley({ kvPath: path, admin: ADMIN })
  );
  try {
    const api = new ParleyApi(server.url);
    const admin = (await api.login(ADMIN.email, ADMIN.password)).token;
    const get = (path: string, token = admin) =>
      api.call<Record<string, unknown>>("GET", path, token);

    log("list pages…");
    const lists: ScaleResult["lists"] = {};
    const filters = { ...FILTERS, "one agent's": `assignee=${seeded.agent.id}` };
    for (const [name, query] of Object.entries(filters)) {
      const first = await samples(30, () => get(`/api/conversations?${query}`));
      const deepMs: number[] = [];
      let cursor: string | null = null, rows = 0;
      for (let page = 0; page < 40; page++) {
        const url = `/api/conversations?${query}${cursor ? `&cursor=${cursor}` : ""}`;
        const [ms, body] = await timed(() => get(url));
        deepMs.push(ms);
        rows += (body.conversations as unknown[]).length;
        cursor = body.next as string | null;
        if (!cursor) break;
      }
      lists[name] = { first, deep: latencyStats(deepMs), rows };
    }
    const countsMs = await samples(30, () => get("/api/conversations/counts"));

    log("pages…");
    const page = async (path: string) => {
      const res = await fetch(new URL(path, server.url), {
        headers: { cookie: `session=${admin}` },
      });
      await res.text();
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
    };
    const pages = {
      agent: await samples(20, () => page("/agent")),
      admin: await samples(20, () => page("/admin")),
    };

    log("handoffs into the queue…");
    const drainer = await api.createAgent(admin, 0, "scale-agent-password");
    await api.call("PUT", "/api/agents/me/status", drainer.token, { status: "offline" });
    const queueBefore =
      ((await get("/api/conversations/counts")).counts as { waiting: number }).waiting;
    const guests: { token: string; id: string }[] = [];
    for (let i = 0; i < 200; i++) {
      const guest = await api.guest(`Scale ${i}`);
      guests.push({ token: guest.token, id: await api.startConversation(guest.token) });
    }
    const handoff = await samples(
      guests.length,
      (i) => api.call("POST", `/api/conversations/${guests[i].id}/handoff`, guests[i].token),
    );
    const last = guests.at(-1)!;
    const told = await api.call<{ messages: { text: string }[] }>(
      "GET",
      `/api/conversations/${last.id}/messages?after=0`,
      last.token,
    );
    const toldLast = /number (\d+)/.exec(told.messages.at(-1)?.text ?? "")?.[1] ?? null;

    log("places on subscribe…");
    const placeOnSubscribeMs = await samples(20, async (i) => {
      const g = guests[i * 10];
      const ws = await openParleySocket(server.url.replace(/^http/, "ws") + "ws", g.token);
      ws.send(JSON.stringify({ type: "subscribe", conversationId: g.id, after: 0 }));
      await nextFrame(ws, (f) => f.type === "queue");
      ws.close();
    });

    log("draining 1,000 from the queue…");
    const [totalMs] = await timed(() =>
      api.call("PUT", `/api/agents/${drainer.user.id}`, admin, {
        status: "available",
        capacity: 1000,
      })
    );
    const after = (await get("/api/conversations/counts")).counts as { waiting: number };
    const assigned = queueBefore + guests.length - after.waiting;
    return {
      store: { ...plan, seedMs: seeded.ms },
      startMs: Math.round(startMs),
      lists,
      countsMs,
      pages,
      handoff: { ms: handoff, queueBefore, toldLast },
      placeOnSubscribeMs,
      drain: {
        assigned,
        totalMs: Math.round(totalMs),
        perAssignmentMs: Math.round((totalMs / Math.max(1, assigned)) * 100) / 100,
      },
      rssBytes: rssBytes(server.pid),
    };
  } finally {
    await stop(server.child);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const ms = (s: LatencyStats) => `p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms`;

/** The scale figures as a table (stdout), and with --json one JSON line last. */
export function printScale(r: ScaleResult, json: boolean): void {
  const lines = [
    `Parley with ${r.store.conversations.toLocaleString("en")} conversations ` +
    `(${r.store.waiting.toLocaleString("en")} queued, ${
      r.store.openBot.toLocaleString("en")
    } open with the bot)`,
    `  seeding (direct KV commits, the pre-index layout)  ${r.store.seedMs} ms`,
    `  start-up, migration of every conversation included  ${r.startMs} ms`,
    `  list pages of 50 (first page; 40 pages deep):`,
    ...Object.entries(r.lists).map(([name, l]) =>
      `    ${name.padEnd(16)} ${ms(l.first)};  deep ${ms(l.deep)} (${l.rows} rows)`
    ),
    `  counts                                ${ms(r.countsMs)}`,
    `  /agent server render                  ${ms(r.pages.agent)}`,
    `  /admin server render                  ${ms(r.pages.admin)}`,
    `  handoff into a queue of ${r.handoff.queueBefore}         ${
      ms(r.handoff.ms)
    } (last told number ${r.handoff.toldLast})`,
    `  subscribe → queue place               ${ms(r.placeOnSubscribeMs)}`,
    `  drain: ${r.drain.assigned} assigned in ${r.drain.totalMs} ms (${r.drain.perAssignmentMs} ms each)`,
    `  server memory after                   ${Math.round(r.rssBytes / 2 ** 20)} MiB`,
  ];
  console.log(lines.join("\n"));
  if (json) console.log(JSON.stringify({ scale: r }));
}
