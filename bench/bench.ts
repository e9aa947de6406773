/**
 * `deno task bench`: starts the raw relay (the ceiling) and then Parley (`main.ts`, fresh KV file,
 * a fake Gemini answering instantly) as separate processes on loopback, drives each with the load
 * generator (bench/load.ts, a third process), and prints a table — and with --json, one JSON
 * object with every figure as the last line. Last, a Parley without a Gemini key answers
 * --bot-samples messages with the built-in bot (issue 14's reply time).
 *
 * Options: --rate 1000 --conversations 1000 --agents 20 --duration 10 --connections 10000
 *          --step 2 (seconds per saturation step) --max-rate 200000 --bot-samples 50
 *          --logins 200 (concurrent logins while a socket pings; 0 skips)
 *          --hash-workers N (Parley's HASH_WORKERS; default: its own, from the cores)
 *          --burst 100 (the bursty shape: messages back to back per conversation; 0 skips it)
 *          --burst-conversations 200 (its conversations, held by --agents agents)
 *          --no-saturation --quick --json
 *          --profile DIR (writes a V8 CPU profile of the Parley server into DIR)
 *          --kv-dir DIR (where Parley's KV files go; default the system's temporary folder)
 *          --floor-seconds 3 (the KV commit floor's probe, ./commit_floor.ts; 0 skips it)
 *          --scale: instead, the large-store scenario (bench/scale.ts: 100,000 conversations,
 *          lists, handoffs, queue drain, console load), with --scale-conversations N and
 *          --scale-waiting N
 */
import type { LoadConfig, LoadResult } from "./load.ts";
import { startFakeGemini } from "./fake_gemini.ts";
import { ParleyApi } from "./clients.ts";
import { type BotResult, botRun } from "./load_bot.ts";
import { rssBytes } from "./proc.ts";
import { printReport, type Report } from "./report.ts";
import { fdLimit, spawn, startParley, startServer, stop } from "./spawn.ts";
import { printScale, runScale } from "./scale.ts";
import { measureWidget } from "./widget_sizes.ts";
import { commitFloor } from "./commit_floor.ts";
const ADMIN = { email: "bench-admin@bench.local", password: "bench-admin-password" };

export interface Options {
  rate: number;
  conversations: number;
  agents: number;
  duration: number;
  connections: number;
  step: number;
  maxRate: number;
  botSamples: number;
  logins: number;
  /** The bursty shape's messages per conversation back to back (0: skip it). */
  burst: number;
  burstConversations: number;
  /** HASH_WORKERS for Parley; null: Parley's default. */
  hashWorkers: number | null;
  saturation: boolean;
  quick: boolean;
  json: boolean;
  /** A folder for a V8 CPU profile of the Parley server (`deno run --cpu-prof`). */
  profile: string | null;
  /** Where Parley's KV files go (null: the system's temporary folder). */
  kvDir: string | null;
  /** How long the KV commit floor is probed before the servers run (0: skip it). */
  floorSeconds: number;
  /** Run the large-store scenario instead (bench/scale.ts). */
  scale: boolean;
  scaleConversations: number;
  scaleWaiting: number;
}

function parseArgs(args: string[]): Options {
  const o: Options = {
    rate: 1000,
    conversations: 1000,
    agents: 20,
    duration: 10,
    connections: 10_000,
    step: 2,
    maxRate: 200_000,
    botSamples: 50,
    logins: 200,
    burst: 100,
    burstConversations: 200,
    hashWorkers: null,
    saturation: true,
    quick: args.includes("--quick"),
    json: args.includes("--json"),
    profile: null,
    kvDir: null,
    floorSeconds: 3,
    scale: args.includes("--scale"),
    scaleConversations: 100_000,
    scaleWaiting: 3_000,
  };
  if (o.quick) Object.assign(o, { conversations: 200, duration: 3, connections: 1000, step: 1 });
  if (o.quick) o.botSamples = 20;
  const numeric: Record<string, keyof Options> = {
    "--rate": "rate",
    "--conversations": "conversations",
    "--agents": "agents",
    "--duration": "duration",
    "--connections": "connections",
    "--step": "step",
    "--max-rate": "maxRate",
    "--bot-samples": "botSamples",
    "--scale-conversations": "scaleConversations",
    "--scale-waiting": "scaleWaiting",
    "--logins": "logins",
    "--hash-workers": "hashWorkers",
    "--burst": "burst",
    "--burst-conversations": "burstConversations",
    "--floor-seconds": "floorSeconds",
  };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split("=", 2);
    if (flag === "--no-saturation") o.saturation = false;
    else if (flag === "--profile") o.profile = inline ?? args[++i];
    else if (flag === "--kv-dir") o.kvDir = inline ?? args[++i];
    else if (flag in numeric) {
      const value = Number(inline ?? args[++i]);
      if (!Number.isFinite(value) || value < 0) throw new Error(`${flag} needs a number`);
      (o as unknown as Record<string, number>)[numeric[flag]] = value;
    } else if (flag !== "--quick" && flag !== "--json" && flag !== "--scale") {
      throw new Error(`Unknown option ${flag}. See the header of bench/bench.ts.`);
    }
  }
  o.agents = Math.max(1, Math.min(o.agents, o.conversations));
  return o;
}

async function runLoad(config: LoadConfig): Promise<LoadResult> {
  const child = spawn(
    ["deno", "run", "-A", "bench/load.ts", JSON.stringify(config)],
  );
  const text = await new Response(child.stdout).text();
  const status = await child.status;
  if (!status.success) throw new Error(`load generator failed (exit ${status.code})`);
  return JSON.parse(text.trim().split("\n").at(-1)!) as LoadResult;
}

function machine() {
  const cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
  return {
    cores: navigator.hardwareConcurrency,
    cpuModel: cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "unknown",
    loadAverage: Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).map(Number),
    deno: Deno.version.deno,
    memoryBytes: Deno.systemMemoryInfo().total,
  };
}

async function main() {
  const opts = parseArgs(Deno.args);
  const log = (msg: string) => console.error(msg);
  if (opts.scale) {
    const result = await runScale({
      conversations: opts.scaleConversations,
      waiting: opts.scaleWaiting,
      json: opts.json,
    });
    return printScale(result, opts.json);
  }
  const limit = await fdLimit();
  if (limit < opts.connections + opts.conversations * 2 + 500) {
    const capped = Math.max(0, limit - opts.conversations * 2 - 500);
    log(`The file-descriptor limit (ulimit -Hn = ${limit}) allows only ${capped} idle sockets.`);
    opts.connections = capped;
  }
  const before = machine();
  const base = {
    conversations: opts.conversations,
    agents: opts.agents,
    connections: opts.connections,
    rate: opts.rate,
    durationS: opts.duration,
    saturation: opts.saturation
      ? { stepS: opts.step, p99LimitMs: 50, maxRate: opts.maxRate }
      : null,
  };
  const started = performance.now();
  const floor = opts.floorSeconds > 0
    ? await probeFloor(opts.kvDir ?? undefined, opts.rate, opts.floorSeconds)
    : null;
  const round = await measurePair(opts, base, true);
  const burst = opts.burst > 0
    ? await measurePair(opts, {
      ...base,
      conversations: opts.burstConversations,
      agents: Math.min(opts.agents, opts.burstConversations),
      connections: 0,
      burst: opts.burst,
    }, false)
    : null;
  const builtinBot = opts.botSamples > 0 ? await measureBuiltinBot(opts) : null;
  const { raw, parley, idleRss, widget, geminiRequests } = round;
  const report: Report = {
    machine: { ...before, loadAverageAfter: machine().loadAverage },
    options: opts,
    elapsedS: Math.round((performance.now() - started) / 100) / 10,
    parleyIdleRssBytes: idleRss,
    geminiRequests,
    raw,
    parley,
    burst: burst ? { raw: burst.raw, parley: burst.parley } : null,
    widget: widget!,
    builtinBot,
    floor,
  };
  printReport(report, opts.json);
  if (!opts.json) {
    console.log(
      "\nLists, handoffs, queue drain and console load with 100,000 conversations: " +
        "`deno task bench --scale` (a few minutes; figures in docs/performance.md).",
    );
  }
}

type Base = Omit<
  LoadConfig,
  "target" | "url" | "serverPid" | "botSamples" | "logins" | "admin" | "kvPath"
>;

/**
 * One shape on both servers, one after the other: the raw relay, then Parley on a fresh KV file
 * (`full`: with the bot, logins and widget phases).
 */
async function measurePair(opts: Options, base: Base, full: boolean) {
  const log = (msg: string) => console.error(msg);
  const shape = base.burst ? `bursty (${base.burst} back to back)` : "round-robin";
  log(`Raw relay (the ceiling), ${shape}:`);
  const relay = await startServer(["--allow-net", "--allow-env", "bench/raw_relay.ts"], {});
  const raw = await runLoad({
    ...base,
    target: "raw",
    url: relay.url,
    serverPid: relay.pid,
    botSamples: 0,
    logins: 0,
  });
  await stop(relay.child);

  log(`Parley, ${shape}:`);
  const fake = startFakeGemini();
  const dir = await Deno.makeTempDir({ prefix: "parley-bench-", dir: opts.kvDir ?? undefined });
  const kvPath = `${dir}/bench.sqlite`;
  const parleyServer = await startParley({
    kvPath,
    admin: ADMIN,
    script: opts.profile
      ? ["--cpu-prof", `--cpu-prof-dir=${opts.profile}`, "bench/profile_server.ts"]
      : undefined,
    env: {
      GEMINI_API_KEY: "bench-fake-key",
      GEMINI_BASE_URL: fake.baseUrl,
      ...(opts.hashWorkers === null ? {} : { HASH_WORKERS: String(opts.hashWorkers) }),
    },
  });
  const idleRss = rssBytes(parleyServer.pid);
  log(`  [bench] Parley (pid ${parleyServer.pid}) at ${parleyServer.url}`);
  const widget = full ? await measureWidget(parleyServer.url) : null;
  let parley: LoadResult;
  try {
    parley = await runLoad({
      ...base,
      target: "parley",
      url: parleyServer.url,
      serverPid: parleyServer.pid,
      botSamples: full ? opts.botSamples : 0,
      logins: full ? opts.logins : 0,
      admin: ADMIN,
      kvPath,
    });
  } finally {
    await stop(parleyServer.child);
    await fake.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return { raw, parley, idleRss, widget, geminiRequests: fake.requests() };
}

/** The KV commit floor of the disk Parley's KV files go on (./commit_floor.ts). */
async function probeFloor(dir: string | undefined, rate: number, seconds: number) {
  console.error("KV commit floor:");
  const floor = await commitFloor(dir, rate, seconds);
  const l = floor.latencyMs;
  console.error(
    `  [floor] ${floor.commits} commits at ${rate}/s in ${floor.dir} (${floor.medium}): ` +
      `p50 ${l.p50} p99 ${l.p99} max ${l.max} ms, ${floor.cpuUsPerCommit} µs CPU each`,
  );
  return floor;
}

/** The built-in bot's replies (no Gemini key), on a Parley of its own with a fresh KV file. */
async function measureBuiltinBot(opts: Options): Promise<BotResult> {
  const samples = opts.botSamples;
  console.error("Parley with the built-in bot:");
  const dir = await Deno.makeTempDir({ prefix: "parley-bench-bot-", dir: opts.kvDir ?? undefined });
  const server = await startParley({ kvPath: `${dir}/bench.sqlite`, admin: ADMIN });
  try {
    const api = new ParleyApi(server.url);
    return await botRun(api, server.url.replace(/^http/, "ws") + "ws", samples);
  } finally {
    await stop(server.child);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
