/**
 * Graceful shutdown. Deno Deploy evicts an instance with SIGINT and a 5 s grace period, so on
 * SIGINT or SIGTERM we: stop accepting connections, close every socket with 1012 ("service
 * restart": clients reconnect elsewhere at once and resume with `after`), wait for the commits
 * that frames started and for bot replies in flight, close KV — all within SHUTDOWN_GRACE_MS.
 * A send whose ack could not go out is safe: the client resends it with the same clientId and
 * gets the first message back.
 */
import type { Services } from "./services.ts";
import { CLOSE } from "../contract/frames.ts";

export const SHUTDOWN_GRACE_MS = 4_000;

/** Runs the shutdown steps of one isolate, each bounded by what is left of the grace period. */
export async function drain(
  services: Services,
  stopAccepting: () => void,
  finished: Promise<void>,
  graceMs = SHUTDOWN_GRACE_MS,
): Promise<void> {
  const deadline = Date.now() + graceMs;
  const within = async (work: Promise<unknown>) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise((r) => timer = setTimeout(r, Math.max(0, deadline - Date.now())));
    try {
      await Promise.race([work.catch(() => {}), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  stopAccepting();
  const open = services.sockets.size;
  services.sockets.closeAll(CLOSE.restart, "service restart");
  await within(services.sockets.drain());
  await within(services.botRunner.idle());
  await within(finished);
  await within(services.close());
  services.log.info("shut down", { sockets: open, late: Date.now() > deadline });
}

/**
 * Calls `stop` on the first SIGINT or SIGTERM, then exits; a second signal, or a stop that
 * overruns the grace period, exits at once.
 */
export function onShutdownSignal(stop: () => Promise<void>, graceMs = SHUTDOWN_GRACE_MS + 700) {
  let stopping = false;
  const handler = () => {
    if (stopping) Deno.exit(130);
    stopping = true;
    setTimeout(() => Deno.exit(0), graceMs);
    stop().finally(() => Deno.exit(0));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, handler);
}
