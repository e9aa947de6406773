/**
 * One isolate of WORKERS=N (and of the multi-instance tests): a Worker that runs startServer with
 * its own KV handle when its parent says so, and shuts down gracefully on request.
 *
 * Parent → worker: {type:"start", env, index, reusePort} then {type:"shutdown"}.
 * Worker → parent: {type:"listening", url, port} | {type:"failed", error, startup} | {type:"stopped"}
 * (`startup`: a StartupError or ConfigError, which the parent reports as one line).
 */
/// <reference lib="deno.worker" />
import { ConfigError, parseConfig } from "../config.ts";
import { StartupError } from "../errors.ts";
import { type RunningServer, startServer } from "./server.ts";

export type ToWorker =
  | { type: "start"; env: Record<string, string>; index: number; reusePort: boolean }
  | { type: "shutdown" };
export type FromWorker =
  | { type: "listening"; url: string; port: number }
  | { type: "failed"; error: string; startup: boolean }
  | { type: "stopped" };

const post = (m: FromWorker) => self.postMessage(m);
let server: RunningServer | null = null;

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.type === "start") {
    try {
      server = await startServer(parseConfig(msg.env), {
        reusePort: msg.reusePort,
        bootstrapAdmin: msg.index === 0,
      });
      post({ type: "listening", url: server.url, port: server.port });
    } catch (err) {
      post({
        type: "failed",
        error: err instanceof Error ? err.message : String(err),
        startup: err instanceof StartupError || err instanceof ConfigError,
      });
    }
  } else if (msg.type === "shutdown") {
    await server?.shutdown();
    post({ type: "stopped" });
    self.close();
  }
};
