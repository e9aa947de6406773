/**
 * Tells the watch wake-ups caused only by this instance's own commits — already delivered to its
 * sockets by `Relay.publish` — from those that carry another instance's commits. Signal keys are
 * counters (every commit adds 1 to each shard it touches) and each commit's versionstamp is known,
 * so between two readings of a shard: other instances' commits = the counter's growth − our own
 * commits with a versionstamp in between. A reading is judged only once every own commit that was
 * in flight when it arrived has settled (the watch can report a commit before its caller hears
 * back); later commits cannot be in it, so nothing waits for long. Readings may come from the
 * watch and from the poll of a local file (./signal_poll.ts), in any order.
 */
import type { CommitObserver } from "../store/signals.ts";

const MAX_OWN = 100_000;

interface Reading {
  shard: number;
  entry: Deno.KvEntryMaybe<unknown>;
  waitFor: Set<number>;
  onForeign: () => void;
}

export class OwnSignals implements CommitObserver {
  #seen = new Map<number, { count: bigint; versionstamp: string }>();
  #own = new Map<number, string[]>();
  #inFlight = new Set<number>();
  #nextToken = 0;
  #readings: Reading[] = [];
  #watching = false;

  start(): (versionstamp: string | null, shards: number[]) => void {
    const token = this.#nextToken++;
    this.#inFlight.add(token);
    return (versionstamp, shards) => {
      if (!this.#inFlight.delete(token)) return;
      if (versionstamp && this.#watching) {
        for (const shard of shards) {
          const list = this.#own.get(shard) ?? [];
          if (list.length >= MAX_OWN) list.shift();
          list.push(versionstamp);
          this.#own.set(shard, list);
        }
      }
      this.#drain();
    };
  }

  /** A new reading of a shard's signal key; `onForeign` runs if another instance moved it. */
  reading(shard: number, entry: Deno.KvEntryMaybe<unknown>, onForeign: () => void): void {
    this.#watching = true;
    this.#readings.push({ shard, entry, waitFor: new Set(this.#inFlight), onForeign });
    this.#drain();
  }

  #drain() {
    while (this.#readings.length) {
      const r = this.#readings[0];
      for (const token of r.waitFor) if (!this.#inFlight.has(token)) r.waitFor.delete(token);
      if (r.waitFor.size) return;
      this.#readings.shift();
      if (this.#foreign(r.shard, r.entry)) r.onForeign();
    }
  }

  /** The first reading of a shard only sets the baseline. */
  #foreign(shard: number, entry: Deno.KvEntryMaybe<unknown>): boolean {
    const count = entry.value instanceof Deno.KvU64 ? entry.value.value : 0n;
    const versionstamp = entry.versionstamp ?? "";
    const prev = this.#seen.get(shard);
    // The same reading again, or an older one: the watch and the poll (./signal_poll.ts) read the
    // same keys and may report out of order; what an older reading holds was judged already.
    if (prev && versionstamp <= prev.versionstamp) return false;
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
