/**
 * Tells the watch wake-ups caused only by this instance's own commits — already delivered to its
 * sockets by `Relay.publish` — from those that carry another instance's commits. Signal keys are
 * counters (every commit adds 1 to each shard it touches), and each commit's versionstamp is known,
 * so between two readings of a shard: other instances' commits = the counter's growth − our own
 * commits with a versionstamp in between. An own commit learned of only after the wake-up simply
 * counts as foreign once (one extra re-read, never a missed one).
 */
const MAX_PENDING = 100_000;

export class OwnSignals {
  #seen = new Map<number, { count: bigint; versionstamp: string }>();
  #own = new Map<number, string[]>();
  #active = false;

  /** Records a commit of this instance (ignored until the watch has started). */
  note(versionstamp: string, shards: number[]): void {
    if (!this.#active) return;
    for (const shard of shards) {
      const list = this.#own.get(shard) ?? [];
      if (list.length >= MAX_PENDING) list.shift();
      list.push(versionstamp);
      this.#own.set(shard, list);
    }
  }

  /**
   * A new reading of a shard's signal key: true when it moved because of another instance. The
   * first reading only sets the baseline.
   */
  foreign(shard: number, entry: Deno.KvEntryMaybe<unknown>): boolean {
    this.#active = true;
    const count = entry.value instanceof Deno.KvU64 ? entry.value.value : 0n;
    const versionstamp = entry.versionstamp ?? "";
    const prev = this.#seen.get(shard);
    if (prev?.versionstamp === versionstamp) return false;
    this.#seen.set(shard, { count, versionstamp });
    const list = this.#own.get(shard) ?? [];
    let own = 0n, keep = 0;
    for (const v of list) {
      if (v > versionstamp) list[keep++] = v;
      else if (prev && v > prev.versionstamp) own++;
    }
    list.length = keep;
    return prev !== undefined && count - prev.count > own;
  }
}
