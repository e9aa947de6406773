/**
 * Several Parley instances in one process: each a Worker (lib/server/worker.ts) with its own port and its
 * own KV handle on one temporary file — what Deno Deploy instances sharing one KV look like, as far
 * as one machine can show it (kv.watch on a local file sees only this process's writes).
 */
import { startWorker, type WorkerHandle } from "../lib/server/workers.ts";
import { ADMIN, Api, ONE_ADDRESS_IS_MANY, type Session, WsClient } from "./helpers.ts";

export interface Instance {
  handle: WorkerHandle;
  api: Api;
  wsUrl: string;
}

export interface Cluster {
  instances: Instance[];
  kvPath: string;
  admin(): Promise<Session>;
  /** Stops every instance still running and removes the KV file. */
  close(): Promise<void>;
}

/** Limits high enough that the tests' bursts are never throttled (the rate limit test sets its own). */
export const GENEROUS_LIMITS = {
  RATE_FRAMES_PER_SEC: "100000",
  RATE_FRAMES_BURST: "100000",
  RATE_IP_FRAMES_PER_SEC: "100000",
  RATE_IP_FRAMES_BURST: "100000",
  RATE_AUTH_PER_MIN: "100000",
  SIGNIN_LOCK_AFTER: "100000",
  ...ONE_ADDRESS_IS_MANY,
  RATE_CONVERSATIONS_PER_HOUR: "100000",
  RATE_IP_CONVERSATIONS_PER_HOUR: "100000",
  RATE_HANDOFFS_PER_HOUR: "100000",
  RATE_IP_HANDOFFS_PER_HOUR: "100000",
  MAX_OPEN_CONVERSATIONS_GUEST: "100000",
  MAX_OPEN_CONVERSATIONS_CUSTOMER: "100000",
};

export async function startCluster(n: number, env: Record<string, string> = {}): Promise<Cluster> {
  const dir = await Deno.makeTempDir({ prefix: "parley-cluster-" });
  const kvPath = `${dir}/kv.sqlite`;
  const workerEnv = {
    PORT: "0",
    HOST: "127.0.0.1",
    KV_PATH: kvPath,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: "error",
    HANDOFF_NOTE: "off", // as in tests/helpers.ts
    ...GENEROUS_LIMITS,
    ...env,
  };
  const handles = [await startWorker(workerEnv, { index: 0 })];
  handles.push(
    ...await Promise.all(
      Array.from({ length: n - 1 }, (_, i) => startWorker(workerEnv, { index: i + 1 })),
    ),
  );
  const instances = handles.map((handle) => ({
    handle,
    api: new Api(handle.url),
    wsUrl: handle.url.replace(/^http/, "ws") + "ws",
  }));
  const stopped = new Set<Instance>();
  return {
    instances,
    kvPath,
    admin: () => instances[0].api.login(ADMIN.email, ADMIN.password),
    async close() {
      await Promise.all(instances.filter((i) => !stopped.has(i)).map((i) => i.handle.stop()));
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Marks an instance as gone (its Worker terminated) so close() skips it. */
export function kill(instance: Instance): void {
  instance.handle.worker.terminate();
  instance.handle.stop = () => Promise.resolve();
}

export { until } from "./wait.ts";
export { WsClient };
