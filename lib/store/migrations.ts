/**
 * Start-up migrations of the store (key shapes in ./keys.ts). ["migrations"] holds the version
 * the store is at; each step brings it one version up and records its progress under
 * ["migration_progress", version], so a crash resumes where it stopped. Every batch of a step is
 * one commit that checks the progress entry: two instances starting at once work through the
 * same step together, each batch is applied exactly once, and the loser of a race re-reads the
 * progress and carries on. The server runs `migrate` before it serves (lib/server/server.ts), so
 * nothing of this version writes meanwhile.
 *
 * Steps:
 * 1. Lists (issue 11): the list indexes, filter counts and queue counters (./lists.ts) for
 *    conversations written before they existed. A conversation whose ["by_state", …] entry is
 *    there was written with all of them, and is skipped.
 * 2. Dedupe window (issue 16): each record gets the clientId window (./client_ids.ts) of its
 *    last messages (the newest `WINDOW_SOURCE`, which carry their clientIds); a record that has
 *    one is skipped.
 * 3. The old ["client_ids", …] keys are deleted, a batch per commit (deleting is idempotent: a
 *    crash or a second instance just lists what is left).
 * 4. Search (issue 13): the search index for messages and customers written before it existed
 *    (./search_backfill.ts); new messages are indexed by ./search_indexer.ts.
 *
 * A process of an older version writing during the upgrade does not maintain the indexes; upgrade
 * without overlapping such processes (see docs/operations.md).
 */
import { keys } from "./keys.ts";
import type { Conversation } from "../contract/types.ts";
import { getManyBatched } from "./batch.ts";
import { reindex } from "./lists.ts";
import type { Writes } from "./queue.ts";
import { PER_AUTHOR, type StoredConversation, withClientId } from "./client_ids.ts";
import type { Message } from "../contract/types.ts";
import { backfillSearch } from "./search_backfill.ts";

export const LATEST_VERSION = 4;
/** Messages read per conversation for its dedupe window (step 2). */
const WINDOW_SOURCE = PER_AUTHOR * 4;

export interface MigrateOptions {
  /** Conversations read per batch (the commit also stays under MAX_MUTATIONS). */
  batchSize?: number;
  /** Told of each committed batch (progress logs; tests stop here to simulate a crash). */
  onBatch?: (step: number, migrated: number) => void;
}

interface Progress {
  /** The last conversation id looked at. */
  after: string | null;
  done: boolean;
}

const MAX_MUTATIONS = 900;
/** Index keys the code before list indexes wrote already (with the record): not written again. */
const WRITTEN_BEFORE = new Set([
  "conversations_by_customer",
  "conversations_by_assignee",
  "waiting",
]);

/** Brings the store to LATEST_VERSION; returns the conversations this call indexed (step 1). */
export async function migrate(kv: Deno.Kv, opts: MigrateOptions = {}): Promise<number> {
  let migrated = 0;
  for (;;) {
    const state = await kv.get<{ version: number }>(keys.migrations());
    const version = state.value?.version ?? 0;
    if (version >= LATEST_VERSION) return migrated;
    const step = version + 1;
    if (step === 1) migrated += await indexLists(kv, step, opts);
    if (step === 2) await foldClientIds(kv, step, opts);
    if (step === 3) await dropClientIdKeys(kv, opts);
    if (step === 4) await backfillSearch(kv, step, opts.onBatch);
    // Whoever commits first records the version; the others read it on their next turn.
    await kv.atomic().check(state).set(keys.migrations(), { version: step }).commit();
  }
}

/** Step 1: list indexes, counters and queue counters for conversations that have none. */
async function indexLists(kv: Deno.Kv, step: number, opts: MigrateOptions): Promise<number> {
  const batchSize = opts.batchSize ?? 200;
  let migrated = 0;
  for (;;) {
    const progress = await kv.get<Progress>(keys.migrationProgress(step));
    if (progress.value?.done) return migrated;
    const after = progress.value?.after ?? null;
    const records: Conversation[] = [];
    const selector = after
      ? { prefix: keys.conversationsPrefix(), start: keys.conversation(after) }
      : { prefix: keys.conversationsPrefix() };
    // One more than a batch (and `after` itself, listed first): is there more after this batch?
    const limit = batchSize + (after ? 2 : 1);
    for await (const e of kv.list<Conversation>(selector, { limit })) {
      if (e.value.id !== after) records.push(e.value);
    }
    const batch = records.slice(0, batchSize);
    const indexed = await getManyBatched(
      kv,
      batch.map((c) => keys.byState(c.status, c.mode, c.updatedAt, c.id)),
    );
    const writes = new MergedWrites();
    let last = after, count = 0;
    for (const [i, c] of batch.entries()) {
      if (indexed[i].versionstamp === null) {
        if (!writes.add((w) => reindex(w, null, c), MAX_MUTATIONS) && count > 0) break;
        count++;
      }
      last = c.id;
    }
    const done = last === (records.at(-1)?.id ?? after) && records.length <= batchSize;
    const op = kv.atomic().check(progress);
    writes.apply(op);
    op.set(keys.migrationProgress(step), { after: last, done } satisfies Progress);
    if (!(await op.commit()).ok) continue; // another instance did this batch
    migrated += count;
    opts.onBatch?.(step, migrated);
    if (done) return migrated;
  }
}

/** Step 2: each record's dedupe window, from its last messages. */
async function foldClientIds(kv: Deno.Kv, step: number, opts: MigrateOptions): Promise<number> {
  const batchSize = Math.min(opts.batchSize ?? 200, MAX_MUTATIONS);
  let migrated = 0;
  for (;;) {
    const progress = await kv.get<Progress>(keys.migrationProgress(step));
    if (progress.value?.done) return migrated;
    const after = progress.value?.after ?? null;
    const selector = after
      ? { prefix: keys.conversationsPrefix(), start: keys.conversation(after) }
      : { prefix: keys.conversationsPrefix() };
    const records: Deno.KvEntry<StoredConversation>[] = [];
    // One more than a batch (and `after` itself, listed first): is there more after this batch?
    const limit = batchSize + (after ? 2 : 1);
    for await (const e of kv.list<StoredConversation>(selector, { limit })) {
      if (e.value.id !== after) records.push(e);
    }
    const batch = records.slice(0, batchSize);
    const op = kv.atomic().check(progress);
    let count = 0;
    for (const entry of batch) {
      const c = entry.value;
      if (c.recentClientIds) continue;
      const newest: Message[] = [];
      const iter = kv.list<Message>({
        start: keys.message(c.id, 1),
        end: keys.message(c.id, Number.MAX_SAFE_INTEGER),
      }, { reverse: true, limit: WINDOW_SOURCE });
      for await (const m of iter) newest.push(m.value);
      let window: StoredConversation = { ...c, recentClientIds: {} };
      for (const m of newest.reverse()) {
        if (!m.clientId) continue;
        window = {
          ...window,
          recentClientIds: withClientId(window, m.authorId, m.clientId, m.seq),
        };
      }
      op.set(keys.conversation(c.id), window); // nothing else writes during migrations
      count++;
    }
    const last = batch.at(-1)?.value.id ?? after;
    const done = records.length <= batchSize;
    op.set(keys.migrationProgress(step), { after: last, done } satisfies Progress);
    if (!(await op.commit()).ok) continue; // another instance did this batch
    migrated += count;
    opts.onBatch?.(step, migrated);
    if (done) return migrated;
  }
}

/** Step 3: deletes the old layout's dedupe keys. */
async function dropClientIdKeys(kv: Deno.Kv, opts: MigrateOptions): Promise<void> {
  for (;;) {
    const op = kv.atomic();
    let n = 0;
    for await (const e of kv.list({ prefix: keys.clientIdsPrefix() }, { limit: MAX_MUTATIONS })) {
      op.delete(e.key);
      n++;
    }
    if (!n) return;
    await op.commit();
    opts.onBatch?.(3, n);
  }
}

/** Writes of many conversations, with the counter sums of one key added up (fewer mutations). */
class MergedWrites {
  #sets = new Map<string, Deno.KvKey>();
  #sums = new Map<string, { key: Deno.KvKey; n: bigint }>();

  get size() {
    return this.#sets.size + this.#sums.size;
  }

  /**
   * Adds what `write` writes (sets and sums; the migration deletes nothing), unless that would
   * take the mutations past `limit`: then adds nothing and returns false.
   */
  add(write: (w: Writes) => void, limit: number): boolean {
    const sets: Deno.KvKey[] = [], sums: { key: Deno.KvKey; n: bigint }[] = [];
    write({
      set: (key) => WRITTEN_BEFORE.has(String(key[0])) || sets.push(key),
      delete: () => {
        throw new Error("the migration only adds");
      },
      sum: (key, n) => sums.push({ key, n }),
    });
    const setIds = sets.map((k) => JSON.stringify(k)),
      sumIds = sums.map((s) => JSON.stringify(s.key));
    const fresh = new Set([
      ...setIds.filter((id) => !this.#sets.has(id)),
      ...sumIds.filter((id) => !this.#sums.has(id)).map((id) => `+${id}`),
    ]);
    if (this.size + fresh.size > limit) return false;
    sets.forEach((key, i) => this.#sets.set(setIds[i], key));
    sums.forEach(({ key, n }, i) => {
      const known = this.#sums.get(sumIds[i]);
      this.#sums.set(sumIds[i], { key, n: ((known?.n ?? 0n) + n) % (1n << 64n) });
    });
    return true;
  }

  apply(op: Deno.AtomicOperation) {
    for (const key of this.#sets.values()) op.set(key, null);
    for (const { key, n } of this.#sums.values()) if (n !== 0n) op.sum(key, n);
  }
}
