/**
 * For tests: the message index as what it means, whatever its layout (./search.ts): one line
 * `word conversationId seq` per indexed word of a message, sorted. Batch entries and a message's
 * own entries give the same lines, so indexes written by the indexer and by the backfill compare.
 */
import { type IndexEntry, postingsOf } from "./search.ts";

export async function indexLines(kv: Deno.Kv): Promise<string[]> {
  const out: string[] = [];
  for await (const e of kv.list<IndexEntry>({ prefix: ["search_msg"] })) {
    for (const { c, s } of postingsOf(e.value)) out.push(`${String(e.key[1])} ${c} ${s}`);
  }
  return out.sort();
}
