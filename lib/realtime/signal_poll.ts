/**
 * Polls the signal keys (lib/store/signals.ts) of a KV kept in a local SQLite file. Deno's
 * `kv.watch` on such a file hears only the commits of its own process, so another process on the
 * same file — the overlap of a rolling restart, two processes behind one proxy — would never wake
 * the relay. Every `intervalMs` one `getMany` reads all the shards, and each shard whose
 * versionstamp moved is reported. The relay (./relay.ts) feeds these readings to the same
 * OwnSignals judgement as the watch's, so this process's own commits stay skipped and a commit
 * seen both ways wakes listeners once. Off for `:memory:` and remote KV (config `kv.pollMs`).
 *
 * With nobody listening (no open socket) a wake-up would tell no one, so the poll sleeps — no
 * timer, no read — until `resume()` (the relay calls it when a listener arrives), which reads at
 * once: whatever moved meanwhile then wakes the newcomers, who read from KV anyway.
 */
export interface SignalPollOptions {
  intervalMs: number;
  /** A shard's signal key has a versionstamp not reported before (the first poll reports all). */
  onChange: (shard: number, entry: Deno.KvEntryMaybe<unknown>) => void;
  /** A failed read; told once per run of failures, polling goes on. */
  onError: (err: unknown) => void;
  /** Whether anyone listens; while not, the poll sleeps until `resume()`. Default: always. */
  active?: () => boolean;
}

export class SignalPoller {
  #last = new Map<number, string | null>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #sleeping = false;
  #failing = false;

  constructor(
    private kv: Deno.Kv,
    private keys: Deno.KvKey[],
    private opts: SignalPollOptions,
  ) {}

  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** True while nobody listens: no timer, no reads. */
  get sleeping(): boolean {
    return this.#sleeping;
  }

  /** Someone listens again: a sleeping poll reads at once and goes on. */
  resume(): void {
    if (!this.#sleeping || this.#stopped) return;
    this.#sleeping = false;
    this.#schedule(0);
  }

  /** One reading of every shard; reports those that moved since the last one. */
  async poll(): Promise<void> {
    const entries = await this.kv.getMany(this.keys);
    if (this.#stopped) return;
    entries.forEach((entry, shard) => {
      if (this.#last.has(shard) && this.#last.get(shard) === entry.versionstamp) return;
      this.#last.set(shard, entry.versionstamp);
      this.opts.onChange(shard, entry);
    });
  }

  /** A chain of timeouts, not an interval: a slow read never overlaps the next. */
  #schedule(delayMs = this.opts.intervalMs): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(async () => {
      if (this.opts.active && !this.opts.active()) {
        this.#sleeping = true;
        return;
      }
      try {
        await this.poll();
        this.#failing = false;
      } catch (err) {
        if (!this.#stopped && !this.#failing) this.opts.onError(err);
        this.#failing = true;
      }
      this.#schedule();
    }, delayMs);
  }
}
