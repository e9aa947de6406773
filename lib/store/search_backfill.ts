/**
 * Migration step 4 (./migrations.ts): the search index (./search.ts) for conversations and
 * messages written before it existed. It walks conversations in id order and each one's messages
 * in seq order; every batch is one commit of index entries (sets only: writing one twice is
 * harmless) that checks and moves the progress record ["migration_progress", 2] = {after, seq,
 * done}, so a crash resumes at the last committed batch and two instances starting at once share
 * the work without repeating a batch. Messages written by this version are queued for the indexer
 * (./search_indexer.ts) with themselves, and the server migrates before it serves, so the walk
 * can't miss anything that arrives meanwhile. (It indexes directly rather than queueing pending
 * entries: half the writes, and the index is complete before the first request.)
 */
import { keys } from "./keys.ts";
import type { Conversation, Message } from "../contract/types.ts";
import { indexCustomer, indexed, indexMessage, searchTerms } from "./search.ts";
import type { Writes } from "./queue.ts";

interface Progress {
  /** The conversation being indexed (null before the first). */
  after: string | null;
  /** Its messages up to this seq are indexed; -1: its customer's terms are not yet. */
  seq: number;
  done: boolean;
}

const MAX_MUTATIONS = 800;

/** Counts mutations into a commit (the backfill only sets). */
class CountedWrites implements Writes {
  count = 0;
  constructor(private op: Deno.AtomicOperation) {}
  set(key: Deno.KvKey, value: unknown) {
    this.count++;
    this.op.set(key, value);
  }
  delete(): void {
    throw new Error("the backfill only adds");
  }
  sum(): void {
    throw new Error("the backfill only adds");
  }
}

/** The greeting (seq 1, the bot's) is not indexed by `create`, so not here either. */
const wanted = (m: Message) => indexed(m) && !(m.seq === 1 && m.sender === "bot");

export async function backfillSearch(
  kv: Deno.Kv,
  step: number,
  onBatch?: (step: number, done: number) => void,
): Promise<number> {
  let batches = 0;
  for (;;) {
    const progress = await kv.get<Progress>(keys.migrationProgress(step));
    const at: Progress = progress.value ?? { after: null, seq: Infinity, done: false };
    if (at.done) return batches;
    const op = kv.atomic().check(progress);
    const w = new CountedWrites(op);
    let next: Progress = at;
    // The conversation in hand, or the next one after it.
    let conv: Conversation | null = null;
    if (at.after && at.seq !== Infinity) {
      conv = (await kv.get<Conversation>(keys.conversation(at.after))).value;
    }
    if (!conv) {
      conv = null;
      const selector = at.after
        ? { prefix: keys.conversationsPrefix(), start: keys.conversation(at.after) }
        : { prefix: keys.conversationsPrefix() };
      for await (const e of kv.list<Conversation>(selector, { limit: 2 })) {
        if (e.value.id !== at.after) {
          conv = e.value;
          break;
        }
      }
      if (!conv) next = { ...at, done: true };
      else next = { after: conv.id, seq: -1, done: false };
    }
    if (conv && next.seq === -1) {
      const customer = (await kv.get<{ email?: string }>(keys.user(conv.customerId))).value;
      indexCustomer(w, conv.id, conv.customerName, customer?.email);
      next = { ...next, seq: 0 };
    }
    if (conv) {
      let seq = next.seq;
      const iter = kv.list<Message>({
        start: keys.message(conv.id, seq + 1),
        end: keys.message(conv.id, Number.MAX_SAFE_INTEGER),
      }, { batchSize: 100 });
      let more = false;
      for await (const { value: m } of iter) {
        const terms = wanted(m) ? searchTerms(m.text) : [];
        if (w.count > 0 && w.count + terms.length > MAX_MUTATIONS) {
          more = true;
          break;
        }
        if (terms.length) indexMessage(w, m, terms);
        seq = m.seq;
      }
      // This conversation is finished: the next turn lists the one after it.
      next = more ? { ...next, seq } : { after: conv.id, seq: Infinity, done: false };
    }
    op.set(keys.migrationProgress(step), next);
    if (!(await op.commit()).ok) continue; // another instance did this batch
    onBatch?.(step, ++batches);
    if (next.done) return batches;
  }
}
