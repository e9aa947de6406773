/**
 * Starting and stopping the benchmark's processes (bench/bench.ts, bench/scale.ts, …): a command
 * with the file-descriptor limit raised, a server started as `deno task start` starts it and
 * waited for until it prints its URL.
 */

export const ROOT = new URL("../", import.meta.url).pathname;

/**
 * One load generator on one address stands for thousands of people: the per-address and per-user
 * limits (docs/operations.md) lifted, so that the benchmarks measure Parley, not the limiter.
 */
export const LIFTED_LIMITS: Record<string, string> = {
  RATE_AUTH_PER_MIN: "1000000",
  RATE_IP_FRAMES_PER_SEC: "1000000",
  RATE_IP_FRAMES_BURST: "1000000",
  RATE_FRAMES_PER_SEC: "100000",
  RATE_FRAMES_BURST: "100000",
  MAX_SOCKETS_PER_USER: "100000",
  MAX_SOCKETS_PER_ADDRESS: "1000000",
  MAX_UNAUTH_SOCKETS_PER_ADDRESS: "1000000",
  MAX_UNAUTH_SOCKETS: "1000000",
  RATE_CONVERSATIONS_PER_HOUR: "1000000",
  RATE_IP_CONVERSATIONS_PER_HOUR: "1000000",
  RATE_HANDOFFS_PER_HOUR: "1000000",
  RATE_IP_HANDOFFS_PER_HOUR: "1000000",
  MAX_OPEN_CONVERSATIONS_GUEST: "1000000",
  MAX_OPEN_CONVERSATIONS_CUSTOMER: "1000000",
};

/** Runs a command through sh with the soft file-descriptor limit raised to the hard one. */
export function spawn(
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

export async function fdLimit(): Promise<number> {
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

export interface ParleyOptions {
  kvPath: string;
  admin: { email: string; password: string };
  /** The script after `deno task start`'s flags (default `main.ts`). */
  script?: string[];
  /** More settings, or ones replacing these (LIFTED_LIMITS unless `limits` says otherwise). */
  env?: Record<string, string>;
  limits?: Record<string, string>;
}

/**
 * Parley as `deno task start` runs it, on loopback with a KV file, an admin, warnings logged and
 * the per-address limits lifted; waits until it listens.
 */
export async function startParley(o: ParleyOptions) {
  return await startServer([...await startTaskFlags(), ...(o.script ?? ["main.ts"])], {
    HOST: "127.0.0.1",
    KV_PATH: o.kvPath,
    ADMIN_EMAIL: o.admin.email,
    ADMIN_PASSWORD: o.admin.password,
    LOG_LEVEL: "warn",
    ...(o.limits ?? LIFTED_LIMITS),
    ...o.env,
  });
}

export async function stop(child: Deno.ChildProcess) {
  try {
    child.kill("SIGTERM");
  } catch { /* already gone */ }
  await child.status;
}
