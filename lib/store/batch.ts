/** Reads of many keys: `kv.getMany` takes at most 10 keys, so longer lists go in batches of 10. */

export const GET_MANY_LIMIT = 10;

/** The entries of `keyList`, in order, read 10 at a time (the batches run concurrently). */
export async function getManyBatched<T>(
  kv: Deno.Kv,
  keyList: readonly Deno.KvKey[],
): Promise<Deno.KvEntryMaybe<T>[]> {
  const batches: Deno.KvKey[][] = [];
  for (let i = 0; i < keyList.length; i += GET_MANY_LIMIT) {
    batches.push(keyList.slice(i, i + GET_MANY_LIMIT));
  }
  const results = await Promise.all(batches.map((b) => kv.getMany<T[]>(b)));
  return results.flat() as Deno.KvEntryMaybe<T>[];
}

/** The values of `keyList` that exist, in order. */
export async function getValues<T>(kv: Deno.Kv, keyList: readonly Deno.KvKey[]): Promise<T[]> {
  const out: T[] = [];
  for (const e of await getManyBatched<T>(kv, keyList)) if (e.value !== null) out.push(e.value);
  return out;
}
