/**
 * `deno task bench`: starts the raw relay (the ceiling) and then Parley (`main.ts`, fresh KV file,
 * a fake Gemini answering instantly) as separate processes on loopback, drives each with the load
 * generator (bench/load.ts, a third process), and prints a table — and with --json, one JSON
 * object with every figure as the last line.
 *
 * Options: --rate 1000 --conversations 1000 --agents 20 --duration 10 --connections 10000
 *          --step 2 (seconds per saturation step) --max-rate 200000 --bot-samples 50
 *          --logins 200 (concurrent logins while a socket pings; 0 skips)
 *          --hash-workers N (Parley's HASH_WORKERS; default: its own, from the cores)
 *          --no-saturation --quick --json
 *          --profile DIR (writes a V8 CPU profile of the Parley server into DIR)
 */
import type { LoadConfig, LoadResult } from "./load.ts";
import { startFakeGemini } from "./fake_gemini.ts";
import { rssBytes } from "./proc.ts";
import { printReport, type Report } from "./report.ts";
import { measureWidget } from "./widget_sizes.ts";

const ROOT = new URL("../", import.meta.url).pathname;
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
  /** HASH_WORKERS for Parley; null: Parley's default. */
  hashWorkers: number | null;
  saturation: boolean;
  quick: boolean;
  json: boolean;
  /** A folder for a V8 CPU profile of the Parley server (`deno run --cpu-prof`). */
  profile: string | null;
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
    hashWorkers: null,
    saturation: true,
    quick: args.includes("--quick"),
    json: args.includes("--json"),
    profile: null,
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
    "--logins": "logins",
    "--hash-workers": "hashWorkers",
  };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split("=", 2);
    if (flag === "--no-saturation") o.saturation = false;
    else if (flag === "--profile") o.profile = inline ?? args[++i];
    else if (flag in numeric) {
      const value = Number(inline ?? args[++i]);
      if (!Number.isFinite(value) || value < 0) throw new Error(`${flag} needs a number`);
      (o as unknown as Record<string, number>)[numeric[flag]] = value;
    } else if (flag !== "--quick" && flag !== "--json") {
      throw new Error(`Unknown option ${flag}. See the header of bench/bench.ts.`);
    }
  }
  o.agents = Math.max(1, Math.min(o.agents, o.conversations));
  return o;
}

/** Runs a command through sh with the soft file-descriptor limit raised to the hard one. */
function spawn(
  args: string[],
  env: Record<string, string> = {},
  stdout: "piped" | "null" = "piped",
) {
  return new Deno.Command("sh", {
    args: ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', "sh", ...args],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout,
    stderr: "inherit",
  }).spawn();
}

async function fdLimit(): Promise<number> {
  const out = await new Deno.Command("sh", { args: ["-c", "ulimit -Hn"] }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  return text === "unlimited" ? Infinity : Number(text);
}

/**
 * The `deno run` flags of deno.json's `start` task (permissions and V8 flags), so the benchmark
 * measures the server exactly as `deno task start` runs it.
 */
export async function startTaskFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const words = String(config.tasks.start).split(/\s+/);
  return words.slice(words.indexOf("run") + 1, words.indexOf("main.ts"));
}

/** Starts a server process and waits for its `Listening on http://HOST:PORT/` line. */
export async function startServer(args: string[], env: Record<string, string>) {
  const child = spawn(["deno", "run", ...args], { PORT: "0", ...env });
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`server exited before listening: ${buffered.slice(-500)}`);
    buffered += value;
    const url = buffered.match(/Listening on (http:\/\/\S+)/)?.[1];
    if (url) {
      (async () => { // keep draining stdout so the server never blocks on a full pipe
        while (!(await reader.read()).done);
      })().catch(() => {});
      return { child, url, pid: child.pid };
    }
  }
}

export async function stop(child: Deno.ChildProcess) {
  try {
    child.kill("SIGTERM");
  } catch { /* already gone */ }
  await child.status;
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

  log("Raw relay (the ceiling):");
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

  log("Parley:");
  const fake = startFakeGemini();
  const dir = await Deno.makeTempDir({ prefix: "parley-bench-" });
  const parleyServer = await startServer(
    [
      ...await startTaskFlags(),
      ...(opts.profile
        ? ["--cpu-prof", `--cpu-prof-dir=${opts.profile}`, "bench/profile_server.ts"]
        : ["main.ts"]),
    ],
    {
      HOST: "127.0.0.1",
      KV_PATH: `${dir}/bench.sqlite`,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      GEMINI_API_KEY: "bench-fake-key",
      GEMINI_BASE_URL: fake.baseUrl,
      LOG_LEVEL: "warn",
      // One load generator on one address stands for thousands of people: lift the per-address
      // and per-user limits (docs/operations.md) so they measure Parley, not the limiter.
      RATE_AUTH_PER_MIN: "1000000",
      RATE_IP_FRAMES_PER_SEC: "1000000",
      RATE_IP_FRAMES_BURST: "1000000",
      RATE_FRAMES_PER_SEC: "100000",
      RATE_FRAMES_BURST: "100000",
      MAX_SOCKETS_PER_USER: "100000",
      MAX_SOCKETS_PER_ADDRESS: "1000000",
      MAX_UNAUTH_SOCKETS_PER_ADDRESS: "1000000",
      MAX_UNAUTH_SOCKETS: "1000000",
      ...(opts.hashWorkers === null ? {} : { HASH_WORKERS: String(opts.hashWorkers) }),
      RATE_CONVERSATIONS_PER_HOUR: "1000000",
      RATE_IP_CONVERSATIONS_PER_HOUR: "1000000",
      RATE_HANDOFFS_PER_HOUR: "1000000",
      RATE_IP_HANDOFFS_PER_HOUR: "1000000",
      MAX_OPEN_CONVERSATIONS_GUEST: "1000000",
      MAX_OPEN_CONVERSATIONS_CUSTOMER: "1000000",
    },
  );
  const idleRss = rssBytes(parleyServer.pid);
  log(`  [bench] Parley (pid ${parleyServer.pid}) at ${parleyServer.url}`);
  const widget = await measureWidget(parleyServer.url);
  let parley: LoadResult;
  try {
    parley = await runLoad({
      ...base,
      target: "parley",
      url: parleyServer.url,
      serverPid: parleyServer.pid,
      botSamples: opts.botSamples,
      logins: opts.logins,
      admin: ADMIN,
    });
  } finally {
    await stop(parleyServer.child);
    await fake.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  const report: Report = {
    machine: { ...before, loadAverageAfter: machine().loadAverage },
    options: opts,
    elapsedS: Math.round((performance.now() - started) / 100) / 10,
    parleyIdleRssBytes: idleRss,
    geminiRequests: fake.requests(),
    raw,
    parley,
    widget,
  };
  printReport(report, opts.json);
}

if (import.meta.main) await main();
