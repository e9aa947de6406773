/**
 * The load generator, run by bench/bench.ts as its own process so the server's CPU is measured
 * apart from the load. Drives one server (Parley or the raw relay) through the phases in its
 * config — idle connections, a paced offered-rate run, a saturation search, bot overhead, ping
 * round trips during a burst of logins — and
 * prints one JSON object (LoadResult) on stdout. Progress goes to stderr.
 *
 *   deno run -A bench/load.ts '<LoadConfig as JSON>'
 */
import { closeAll, nextFrame, openParleySocket, openSocket, ParleyApi, pool } from "./clients.ts";
import { cpuMs, type LatencyStats, latencyStats, rssBytes, sleep } from "./proc.ts";
import { type BotResult, botRun } from "./load_bot.ts";
import { type LoginsResult, loginsRun } from "./load_logins.ts";

export interface LoadConfig {
  target: "parley" | "raw";
  /** http://HOST:PORT/ */
  url: string;
  serverPid: number;
  conversations: number;
  agents: number;
  /** Idle sockets to hold (0: skip). */
  connections: number;
  rate: number;
  durationS: number;
  saturation: { stepS: number; p99LimitMs: number; maxRate: number } | null;
  botSamples: number;
  /** Concurrent logins for the ping-during-logins phase (Parley; 0: skip). */
  logins: number;
  /**
   * The bursty shape: each conversation gets this many messages back to back, conversations in
   * turn (0 or absent: round-robin, one message per conversation in turn).
   */
  burst?: number;
  /** Parley's KV file: its growth (with the WAL) per delivered message is reported. */
  kvPath?: string;
  admin?: { email: string; password: string };
}

export interface RunResult {
  offered: number;
  /** What the generator managed to send, per second. */
  sendRate: number;
  sent: number;
  delivered: number;
  duplicates: number;
  errors: number;
  /** Delivered messages per second of the sending window. */
  deliveredRate: number;
  latencyMs: LatencyStats;
  /** Server CPU over the run, in % of one core; the load generator's likewise. */
  serverCpuPct: number;
  loadCpuPct: number;
  /** Server CPU per delivered message, in microseconds. */
  serverCpuUsPerMessage: number;
  /** Growth of the KV file and its WAL per delivered message, in bytes (Parley only). */
  kvBytesPerMessage: number | null;
  pass?: boolean;
}

export interface ConnectionsResult {
  connections: number;
  failed: number;
  connectMs: number;
  pingRoundMs: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  rssPerConnectionBytes: number;
}

export interface LoadResult {
  target: "parley" | "raw";
  /** Creating the conversations, taking them over, opening and subscribing the sockets. */
  setupMs: number;
  connections: ConnectionsResult | null;
  rate: RunResult;
  saturation: { maxRate: number | null; best: RunResult | null; steps: RunResult[] } | null;
  bot: BotResult | null;
  logins: LoginsResult | null;
}

const TEXT = "Hello, my order has not arrived yet. Can you check on it for me?";
const DRAIN_MS = 3000;
const log = (msg: string) => console.error(`  [load] ${msg}`);

interface Conv {
  id: string;
  customer: WebSocket;
}

interface Run {
  tag: string;
  sendAt: Float64Array;
  latency: Float64Array;
  got: Uint8Array;
  delivered: number;
  duplicates: number;
}

let current: Run | null = null;
let errorFrames = 0;

/** Agents' sockets: every `message` frame carrying a clientId of the current run is timed. */
function onAgentFrame(e: MessageEvent) {
  const now = performance.now();
  const data = e.data as string;
  const run = current;
  if (!run || !data.startsWith('{"type":"message"')) return;
  const clientId: unknown = JSON.parse(data).message?.clientId;
  if (typeof clientId !== "string" || !clientId.startsWith(run.tag)) return;
  const n = Number(clientId.slice(run.tag.length));
  if (run.got[n]) return void run.duplicates++;
  run.got[n] = 1;
  run.latency[n] = now - run.sendAt[n];
  run.delivered++;
}

function onCustomerFrame(e: MessageEvent) {
  if ((e.data as string).startsWith('{"type":"error"')) {
    if (errorFrames++ < 3) log(`error frame: ${e.data}`);
  }
}

/** Waits until the server is idle again (under 20% of a core), at most `maxMs`. */
async function quiesce(pid: number, maxMs = 10_000) {
  const end = performance.now() + maxMs;
  while (performance.now() < end) {
    const c0 = cpuMs(pid);
    await sleep(250);
    if (cpuMs(pid) - c0 <= 50) return;
  }
}

let runCounter = 0;

/** Bytes of the KV file and its WAL (null without a path). */
function kvBytes(path: string | undefined): number | null {
  if (!path) return null;
  let total = 0;
  for (const f of [path, `${path}-wal`]) {
    try {
      total += Deno.statSync(f).size;
    } catch { /* no WAL yet */ }
  }
  return total;
}

/** Sends `rate` messages/s for `durationS`, round-robin over the conversations; times delivery. */
async function rateRun(cfg: LoadConfig, convs: Conv[], rate: number, durationS: number) {
  await quiesce(cfg.serverPid);
  const total = Math.max(1, Math.round(rate * durationS));
  const tag = `r${++runCounter}-`;
  const run: Run = {
    tag,
    sendAt: new Float64Array(total),
    latency: new Float64Array(total),
    got: new Uint8Array(total),
    delivered: 0,
    duplicates: 0,
  };
  current = run;
  const errors0 = errorFrames;
  const kv0 = kvBytes(cfg.kvPath);
  const burst = cfg.burst || 1;
  const server0 = cpuMs(cfg.serverPid), self0 = cpuMs("self");
  const t0 = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      for (; sent < due; sent++) {
        const conv = convs[Math.floor(sent / burst) % convs.length];
        run.sendAt[sent] = performance.now();
        conv.customer.send(
          `{"type":"send","conversationId":"${conv.id}","text":"${TEXT}","clientId":"${tag}${sent}"}`,
        );
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 1);
    tick();
  });
  const sendMs = performance.now() - t0;
  const deadline = performance.now() + DRAIN_MS;
  while (run.delivered < total && performance.now() < deadline) await sleep(2);
  const wallMs = performance.now() - t0;
  const serverCpu = cpuMs(cfg.serverPid) - server0, selfCpu = cpuMs("self") - self0;
  const kv1 = kvBytes(cfg.kvPath);
  current = null;
  const samples: number[] = [];
  for (let i = 0; i < total; i++) if (run.got[i]) samples.push(run.latency[i]);
  const result: RunResult = {
    offered: rate,
    sendRate: Math.round((total / sendMs) * 1000),
    sent: total,
    delivered: run.delivered,
    duplicates: run.duplicates,
    errors: errorFrames - errors0,
    deliveredRate: Math.round((run.delivered / Math.max(sendMs, durationS * 1000)) * 1000),
    latencyMs: latencyStats(samples),
    serverCpuPct: Math.round((serverCpu / wallMs) * 100),
    loadCpuPct: Math.round((selfCpu / wallMs) * 100),
    serverCpuUsPerMessage: Math.round((serverCpu * 1000) / Math.max(1, run.delivered)),
    kvBytesPerMessage: kv0 === null || kv1 === null
      ? null
      : Math.round((kv1 - kv0) / Math.max(1, run.delivered)),
  };
  log(
    `${rate}/s for ${durationS}s: delivered ${run.delivered}/${total}, p50 ${result.latencyMs.p50} ` +
      `p99 ${result.latencyMs.p99} max ${result.latencyMs.max} ms, server CPU ${result.serverCpuPct}% ` +
      `(${result.serverCpuUsPerMessage} µs/msg), KV +${result.kvBytesPerMessage ?? "-"} B/msg`,
  );
  return result;
}

/**
 * Doubles the rate until p99 exceeds the limit or messages go missing (twice in a row), then
 * bisects twice.
 */
async function saturate(cfg: LoadConfig, convs: Conv[], start: number) {
  const sat = cfg.saturation!;
  const steps: RunResult[] = [];
  const found: { best: RunResult | null; fail: RunResult | null } = { best: null, fail: null };
  const run = async (rate: number) => {
    const r = await rateRun(cfg, convs, rate, sat.stepS);
    r.pass = r.delivered === r.sent && r.duplicates === 0 && r.errors === 0 &&
      r.latencyMs.p99 <= sat.p99LimitMs;
    return r;
  };
  const step = async (rate: number) => {
    // A failed step runs once more: on a shared machine one noisy second should not decide.
    let r = await run(rate);
    if (!r.pass) {
      steps.push(r);
      r = await run(rate);
    }
    if (r.sendRate < rate * 0.9) {
      log(`the load generator reached only ${r.sendRate}/s of ${rate}/s offered`);
    }
    steps.push(r);
    if (r.pass && (!found.best || rate > found.best.offered)) found.best = r;
    if (!r.pass && (!found.fail || rate < found.fail.offered)) found.fail = r;
    return r.pass;
  };
  let rate = start;
  if (await step(rate)) {
    while (rate * 2 <= sat.maxRate && await step(rate *= 2));
  } else {
    for (let i = 0; i < 4 && !found.best; i++) await step(rate = Math.round(rate / 2));
  }
  for (let i = 0; i < 2 && found.best && found.fail; i++) {
    const mid = Math.round(Math.sqrt(found.best.offered * found.fail.offered) / 100) * 100;
    if (mid <= found.best.offered || mid >= found.fail.offered) break;
    await step(mid);
  }
  const b = found.best;
  return { maxRate: b ? b.deliveredRate : null, best: b, steps };
}

/** Opens `n` idle sockets (authenticated on Parley), pings each once, and reads the server's RSS. */
async function connectionsRun(
  cfg: LoadConfig,
  wsUrl: string,
  tokens: string[],
): Promise<ConnectionsResult> {
  await quiesce(cfg.serverPid);
  const rssBefore = rssBytes(cfg.serverPid);
  let failed = 0;
  const t0 = performance.now();
  const opened = await pool(Array.from({ length: cfg.connections }), 200, async (_, i) => {
    try {
      return cfg.target === "parley"
        ? await openParleySocket(wsUrl, tokens[i % tokens.length])
        : await openSocket(wsUrl);
    } catch (err) {
      if (failed++ < 3) log(`connection ${i} failed: ${err}`);
      return null;
    }
  });
  const connectMs = performance.now() - t0;
  const sockets = opened.filter((ws): ws is WebSocket => ws !== null);
  const t1 = performance.now();
  await Promise.all(sockets.map((ws) => {
    const pong = nextFrame(ws, (f) => f.type === "pong", 30_000);
    ws.send('{"type":"ping"}');
    return pong;
  }));
  const pingRoundMs = performance.now() - t1;
  await sleep(1000);
  const rssAfter = rssBytes(cfg.serverPid);
  log(
    `${sockets.length} idle sockets in ${Math.round(connectMs)} ms, RSS +${
      Math.round((rssAfter - rssBefore) / 1024 / 1024)
    } MiB`,
  );
  await closeAll(sockets);
  return {
    connections: sockets.length,
    failed,
    connectMs: Math.round(connectMs),
    pingRoundMs: Math.round(pingRoundMs),
    rssBeforeBytes: rssBefore,
    rssAfterBytes: rssAfter,
    rssPerConnectionBytes: Math.round((rssAfter - rssBefore) / Math.max(1, sockets.length)),
  };
}

/** Opens a socket, subscribes it to conversations, and waits until the server has them all. */
async function subscribed(cfg: LoadConfig, wsUrl: string, token: string | null, ids: string[]) {
  const ws = token ? await openParleySocket(wsUrl, token) : await openSocket(wsUrl);
  let pending = ids.length;
  const all = cfg.target === "parley"
    ? nextFrame(ws, (f) => f.type === "conversation" && --pending === 0, 60_000)
    : nextFrame(ws, (f) => f.type === "pong", 60_000);
  for (const id of ids) ws.send(JSON.stringify({ type: "subscribe", conversationId: id }));
  if (cfg.target === "raw") ws.send('{"type":"ping"}');
  await all;
  return ws;
}

async function main(cfg: LoadConfig): Promise<LoadResult> {
  const wsUrl = new URL("/ws", cfg.url).href.replace(/^http/, "ws");
  const api = new ParleyApi(cfg.url);
  const t0 = performance.now();
  const A = cfg.agents, C = cfg.conversations;
  let agentTokens: (string | null)[] = Array(A).fill(null);
  let customerTokens: (string | null)[] = Array(C).fill(null);
  if (cfg.target === "parley") {
    const admin = await api.login(cfg.admin!.email, cfg.admin!.password);
    const agents = await pool(
      Array.from({ length: A }),
      2,
      (_, i) => api.createAgent(admin.token, i, "bench-agent-password"),
    );
    agentTokens = agents.map((a) => a.token);
    const guests = await pool(Array.from({ length: C }), 32, (_, i) => api.guest(`Customer ${i}`));
    customerTokens = guests.map((g) => g.token);
  }
  const usersMs = Math.round(performance.now() - t0);
  const connections = cfg.connections > 0
    ? await connectionsRun(cfg, wsUrl, customerTokens as string[])
    : null;

  const t1 = performance.now();
  const ids = cfg.target === "parley"
    ? await pool(customerTokens, 32, (token) => api.startConversation(token!))
    : Array.from({ length: C }, (_, i) => `conv-${i}`);
  if (cfg.target === "parley") {
    await pool(ids, 32, (id, i) => api.takeover(agentTokens[i % A]!, id));
  }
  const customers = await pool(ids, 50, (id, i) => subscribed(cfg, wsUrl, customerTokens[i], [id]));
  const convs: Conv[] = ids.map((id, i) => ({ id, customer: customers[i] }));
  const agentSockets = await pool(
    agentTokens,
    10,
    (token, a) => subscribed(cfg, wsUrl, token, ids.filter((_, i) => i % A === a)),
  );
  for (const ws of customers) ws.addEventListener("message", onCustomerFrame);
  for (const ws of agentSockets) ws.addEventListener("message", onAgentFrame);
  const setupMs = Math.round(performance.now() - t1);
  log(`setup: ${C} conversations, ${A} agents in ${setupMs} ms (users before: ${usersMs} ms)`);

  const rate = await rateRun(cfg, convs, cfg.rate, cfg.durationS);
  const saturation = cfg.saturation ? await saturate(cfg, convs, cfg.rate) : null;
  await closeAll([...customers, ...agentSockets]);
  const bot = cfg.target === "parley" && cfg.botSamples > 0
    ? await botRun(api, wsUrl, cfg.botSamples)
    : null;
  let logins: LoginsResult | null = null;
  if (cfg.target === "parley" && cfg.logins > 0) {
    await quiesce(cfg.serverPid);
    logins = await loginsRun(api, wsUrl, cfg.logins, A);
  }
  return { target: cfg.target, setupMs, connections, rate, saturation, bot, logins };
}

if (import.meta.main) {
  const result = await main(JSON.parse(Deno.args[0]) as LoadConfig);
  console.log(JSON.stringify(result));
  Deno.exit(0);
}
