/**
 * A Deno.Kv that counts what is asked of it: `get`, `getMany` (calls and keys), `list` (calls,
 * and those under the `["messages"]` prefix: a subscriber's catch-up) and commits. Used by
 * bench/console_reads.ts and tests/console_reads_test.ts to count KV reads per delivered message
 * — a count, which holds on a shared machine where times don't.
 */
export interface KvCounts {
  get: number;
  getMany: number;
  getManyKeys: number;
  list: number;
  /** `list` calls whose range starts under ["messages", …] (catch-up reads of messages). */
  messageLists: number;
  commits: number;
}

export const zeroCounts = (): KvCounts => ({
  get: 0,
  getMany: 0,
  getManyKeys: 0,
  list: 0,
  messageLists: 0,
  commits: 0,
});

/** Read round trips: every get, getMany and list call. */
export const reads = (c: KvCounts) => c.get + c.getMany + c.list;

/** Read calls by kind and the first element of the (first) key read: `"list:feed"`, `"get:users"`. */
export type ReadsByPrefix = Record<string, number>;

export function countingKv(
  kv: Deno.Kv,
): { kv: Deno.Kv; counts: KvCounts; byPrefix: ReadsByPrefix } {
  const counts = zeroCounts();
  const byPrefix: ReadsByPrefix = {};
  const tally = (kind: "get" | "getMany" | "list", key: Deno.KvKey | undefined) => {
    const name = `${kind}:${String(key?.[0] ?? "")}`;
    byPrefix[name] = (byPrefix[name] ?? 0) + 1;
  };
  const wrapped = new Proxy(kv, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      switch (prop) {
        case "get":
          return (key: Deno.KvKey, ...rest: unknown[]) => {
            counts.get++;
            tally("get", key);
            return value.apply(target, [key, ...rest]);
          };
        case "getMany":
          return (keys: Deno.KvKey[], ...rest: unknown[]) => {
            counts.getMany++;
            counts.getManyKeys += keys.length;
            tally("getMany", keys[0]);
            return value.apply(target, [keys, ...rest]);
          };
        case "list":
          return (selector: Deno.KvListSelector, ...rest: unknown[]) => {
            counts.list++;
            const first = "prefix" in selector ? selector.prefix : selector.start;
            if (first?.[0] === "messages") counts.messageLists++;
            tally("list", first);
            return value.apply(target, [selector, ...rest]);
          };
        case "atomic":
          return () => {
            const op = target.atomic();
            const commit = op.commit.bind(op);
            op.commit = () => {
              counts.commits++;
              return commit();
            };
            return op;
          };
        default:
          return value.bind(target);
      }
    },
  });
  return { kv: wrapped, counts, byPrefix };
}
