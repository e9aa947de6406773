/**
 * Several isolates of one process (WORKERS=N, or the multi-instance tests) each open their own
 * handle on one local SQLite file, and SQLite then answers some reads and commits with "database
 * is locked" instead of waiting. Such an operation did not happen, so it is safe to run again:
 * this wrapper retries it with a short, growing, jittered backoff. Remote KV never needs it.
 */
const BUSY = /database is locked|database table is locked|SQLITE_BUSY/i;
const MAX_WAIT_MS = 3_000;

export const isBusy = (err: unknown) => err instanceof Error && BUSY.test(err.message);

async function retrying<T>(run: () => Promise<T>): Promise<T> {
  const start = Date.now();
  for (let attempt = 0;; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!isBusy(err) || Date.now() - start > MAX_WAIT_MS) throw err;
      const backoff = Math.min(50, 1 + 2 ** Math.min(attempt, 5)) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, backoff));
    }
  }
}

/** The same KV handle, with reads and commits retried while the file is locked. */
export function retryWhenBusy(kv: Deno.Kv): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = () => retrying(commit);
          return op;
        };
      }
      if (prop === "get" || prop === "getMany" || prop === "set" || prop === "delete") {
        return (...args: unknown[]) => retrying(() => value.apply(target, args));
      }
      return value.bind(target);
    },
  });
}
