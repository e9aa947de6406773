/**
 * WORKERS=N: a thin parent starts N Workers (./worker.ts) that share one port with `reusePort`
 * (Linux spreads connections across them), each with its own KV handle; BroadcastChannel carries
 * events between them and KV watch covers anything it misses. With PORT=0 the parent binds a free
 * port first and hands it to every worker. It prints one `Listening on` line once all listen,
 * and on SIGINT/SIGTERM asks each to shut down gracefully.
 */
import type { Config } from "../config.ts";
import type { FromWorker, ToWorker } from "./worker.ts";
import { onShutdownSignal, SHUTDOWN_GRACE_MS } from "./shutdown.ts";
import { StartupError } from "../errors.ts";

export interface WorkerHandle {
  worker: Worker;
  url: string;
  port: number;
  /** Asks the worker to shut down gracefully; resolves when it has (or the grace is over). */
  stop(graceMs?: number): Promise<void>;
}

/** Starts one worker isolate and resolves once it listens. */
export function startWorker(
  env: Record<string, string>,
  opts: { index?: number; reusePort?: boolean } = {},
): Promise<WorkerHandle> {
  const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  const send = (m: ToWorker) => worker.postMessage(m);
  return new Promise((resolve, reject) => {
    let stopped: () => void = () => {};
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const msg = e.data;
      if (msg.type === "listening") {
        resolve({
          worker,
          url: msg.url,
          port: msg.port,
          stop: (graceMs = SHUTDOWN_GRACE_MS + 500) =>
            new Promise<void>((done) => {
              const timer = setTimeout(() => {
                worker.terminate();
                done();
              }, graceMs);
              stopped = () => {
                clearTimeout(timer);
                worker.terminate();
                done();
              };
              send({ type: "shutdown" });
            }),
        });
      } else if (msg.type === "failed") {
        worker.terminate();
        reject(msg.startup ? new StartupError(msg.error) : new Error(msg.error));
      } else if (msg.type === "stopped") stopped();
    };
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(e.message));
    };
    send({ type: "start", env, index: opts.index ?? 0, reusePort: opts.reusePort ?? false });
  });
}

/** A free port on `host` (bound, read and released) for workers that share one port. */
export function pickPort(host: string): number {
  const listener = Deno.listen({ hostname: host, port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** main.ts with WORKERS > 1: start them all, print one Listening line, stop them on a signal. */
export async function runWorkers(config: Config, env: Record<string, string>): Promise<void> {
  const port = config.port === 0 ? pickPort(config.host) : config.port;
  const workerEnv = { ...env, PORT: String(port) };
  const first = await startWorker(workerEnv, { index: 0, reusePort: true });
  const rest = await Promise.all(
    Array.from(
      { length: config.workers - 1 },
      (_, i) => startWorker(workerEnv, { index: i + 1, reusePort: true }),
    ),
  );
  const all = [first, ...rest];
  onShutdownSignal(async () => {
    await Promise.all(all.map((w) => w.stop(SHUTDOWN_GRACE_MS + 300)));
  });
  console.log(`Listening on ${first.url}`);
}
