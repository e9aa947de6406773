/**
 * `Deno.serve` that survives its accept loop failing. When the process runs out of file
 * descriptors (EMFILE) Deno's accept loop ends and `server.finished` rejects; left alone, that is
 * an unhandled rejection and the process exits, and even handled the server is dead (nothing
 * accepts any more). So a failure is logged and the server listens again on the same port after
 * a short pause, backing off while listening itself fails (still out of descriptors). Connections
 * are refused for that moment; the process, its sockets and its state live on.
 *
 * Deno already raises the soft file-descriptor limit to the hard one at start, so only the hard
 * limit matters (docs/operations.md).
 */
import type { Logger } from "../log.ts";
import { StartupError } from "../errors.ts";

export interface ListenOptions {
  port: number;
  hostname: string;
  reusePort?: boolean;
}

export interface Listening {
  /** Where it listens (the port as bound, also after PORT=0). */
  hostname: string;
  port: number;
  /** Stops accepting for good. */
  stop(): void;
  /** Settles once stopped and the current server has finished. */
  finished: Promise<void>;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 5_000;

export async function listen(
  options: ListenOptions,
  handler: Deno.ServeHandler,
  log: Logger,
): Promise<Listening> {
  let stopped = false;
  let abort = () => {};
  let resolveFinished: () => void;
  const finished = new Promise<void>((r) => resolveFinished = r);
  let port = options.port;
  /** A generation is serving (between a failure and the next listen, none is). */
  let running = false;

  /** One generation of the server; resolves once it listens. */
  const serve = (): Promise<Deno.NetAddr> => {
    const ac = new AbortController();
    abort = () => ac.abort();
    let listening: (addr: Deno.NetAddr) => void;
    const started = new Promise<Deno.NetAddr>((r) => listening = r);
    const server = Deno.serve({
      ...options,
      port,
      signal: ac.signal,
      onListen: (addr) => listening(addr as Deno.NetAddr),
    }, handler);
    running = true;
    const ended = (reason: string) => {
      running = false;
      if (stopped) resolveFinished();
      else restart(reason);
    };
    server.finished.then(() => ended("the server stopped"), (err) => ended(String(err)));
    return started;
  };

  let delay = FIRST_RETRY_MS;
  const restart = (reason: string) => {
    log.error("accepting connections failed; listening again", { reason, inMs: delay });
    setTimeout(again, delay);
  };
  const again = async () => {
    if (stopped) return resolveFinished();
    try {
      await serve();
      log.warn("listening again", { port });
      delay = FIRST_RETRY_MS;
    } catch (err) {
      delay = Math.min(MAX_RETRY_MS, delay * 2);
      log.error("listening failed; retrying", { err: String(err), inMs: delay });
      setTimeout(again, delay);
    }
  };

  let addr: Deno.NetAddr;
  try {
    addr = await serve();
  } catch (err) {
    const where = `${options.hostname}:${options.port}`;
    throw new StartupError(`Cannot listen on ${where} (HOST, PORT): ${errorText(err)}`);
  }
  port = addr.port;
  return {
    hostname: addr.hostname,
    port: addr.port,
    stop() {
      stopped = true;
      abort();
      if (!running) resolveFinished();
    },
    finished,
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
