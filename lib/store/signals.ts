/**
 * Signal keys: every commit that other instances must hear of adds 1 to the ["signal", shard]
 * counter of each conversation shard it touches, and every instance `kv.watch`es those keys
 * (lib/realtime/relay.ts). The store tells a `CommitObserver` about each such commit, so that an
 * instance can tell wake-ups caused by its own commits (already delivered) from others'.
 */
import { keys } from "./keys.ts";

export const SIGNAL_SHARDS = 8;

/** The shard an agent-state commit bumps when nothing else in it does (any shard wakes a reader). */
export const AGENT_SIGNAL_SHARD = 0;

/** Which signal key a conversation's commits bump (djb2 hash of the id). */
export function signalShard(conversationId: string): number {
  let h = 5381;
  for (let i = 0; i < conversationId.length; i++) {
    h = ((h * 33) ^ conversationId.charCodeAt(i)) >>> 0;
  }
  return h % SIGNAL_SHARDS;
}

/** Told of every commit that bumps signal keys: `start` before it, the returned function after. */
export interface CommitObserver {
  start(): (versionstamp: string | null, shards: number[]) => void;
}

/**
 * Commits `op` after adding 1 to the signal key of each of `shards`, telling `observer`. Returns
 * the commit's result (a failed check is `{ok: false}`, as from `commit()`).
 */
export async function commitSignalled(
  op: Deno.AtomicOperation,
  shards: number[],
  observer: CommitObserver | undefined,
): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
  for (const shard of shards) op.sum(keys.signal(shard), 1n);
  const done = observer?.start();
  let versionstamp: string | null = null;
  try {
    const res = await op.commit();
    if (res.ok) versionstamp = res.versionstamp;
    return res;
  } finally {
    done?.(versionstamp, shards);
  }
}
