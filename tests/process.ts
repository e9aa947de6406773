/** main.ts as a real process: spawned, and read up to its `Listening on …` line. */

const ROOT = new URL("..", import.meta.url).pathname;
const LISTENING = /^Listening on (http:\/\/\S+:\d+\/)$/m;
/** How long a process may take to print its Listening line. */
const START_TIMEOUT_MS = 90_000;

export interface MainProcess {
  child: Deno.ChildProcess;
  /** The URL it listens on; "" when it exited before listening. */
  url: string;
  /** Its stdout up to and including the Listening line. */
  banner: string;
  /** Everything else it printed (the rest of stdout, then stderr), once it has exited. */
  output(): Promise<string>;
  /** Sends `signal` unless it has exited, then waits: its exit code and the rest of its output. */
  stop(signal?: Deno.Signal): Promise<{ code: number; output: string }>;
}

export interface SpawnOptions {
  /**
   * Shell commands run before deno replaces the shell, e.g. `ulimit -n 200` (bash), or a prefix
   * command that runs deno (`wrap`, e.g. ["setpriv", …]).
   */
  shell?: string;
  wrap?: string[];
}

export async function spawnMain(
  env: Record<string, string>,
  denoArgs: string[] = ["-A"],
  options: SpawnOptions = {},
): Promise<MainProcess> {
  const command = [...options.wrap ?? [], Deno.execPath(), "run", ...denoArgs, "main.ts"];
  const [program, ...args] = options.shell
    ? ["bash", "-c", `${options.shell}; exec "$@"`, "bash", ...command]
    : command;
  const child = new Deno.Command(program, {
    args,
    cwd: ROOT,
    env: { HANDOFF_NOTE: "off", ...env }, // as in tests/helpers.ts
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Read stderr from the start, so a chatty process never blocks on a full pipe.
  const stderr = new Response(child.stderr).text();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  let url = "";
  // A process that neither listens nor exits within the deadline is killed (then read to its end).
  const deadline = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, START_TIMEOUT_MS);
  while (!url) {
    const { value, done } = await lines.read();
    if (done) break;
    banner += value;
    url = LISTENING.exec(banner)?.[1] ?? "";
  }
  clearTimeout(deadline);
  let rest = "";
  if (url) {
    const end = banner.indexOf("\n", banner.search(LISTENING));
    rest = end < 0 ? "" : banner.slice(end + 1);
    banner = end < 0 ? banner : banner.slice(0, end + 1);
  }
  const output = (async () => {
    for (let r = await lines.read(); !r.done; r = await lines.read()) rest += r.value;
    return rest + await stderr;
  })();
  return {
    child,
    url,
    banner,
    output: () => output,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch {
        // It has exited already.
      }
      const status = await child.status;
      return { code: status.code, output: await output };
    },
  };
}
