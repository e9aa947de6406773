/**
 * Several isolates (WORKERS=N, or test Workers) with their own handles on one local SQLite KV file
 * can hit SQLite's "database is locked" under write contention; Deno KV reports it as a TypeError
 * instead of waiting. `withBusyRetry` wraps a handle so that writes and point reads retry such
 * errors with a short jittered backoff. A retried commit is safe: a locked commit did not apply,
 * and every commit of ours checks versionstamps anyway.
 */

const isBusy = (err: unknown) => err instanceof Error && /database is locked/i.test(err.message);

export async function retryBusy<T>(op: () => Promise<T>, attempts = 50): Promise<T> {
  for (let i = 1;; i++) {
    try {
      return await op();
    } catch (err) {
      if (!isBusy(err) || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * i)));
    }
  }
}

export function withBusyRetry(kv: Deno.Kv): Deno.Kv {
  return new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = () => retryBusy(commit);
          return op;
        };
      }
      if (["get", "getMany", "set", "delete"].includes(prop as string)) {
        // deno-lint-ignore no-explicit-any
        return (...args: any[]) => retryBusy(() => value.apply(target, args));
      }
      return value.bind(target);
    },
  });
}
