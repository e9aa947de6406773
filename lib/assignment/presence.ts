/**
 * Presence that tells the truth across isolates and instances. Each agent socket is recorded in
 * KV and refreshed by its instance's heartbeat; the sweeper, which every instance runs, takes an
 * agent with no live socket (and no other sign of life) for longer than the grace period offline
 * and returns their conversations to the queue (Assigner.agentLeft: checked commits, so several
 * sweepers agree). An instance that dies stops its heartbeats, so its sockets go stale the same way.
 */
import type { Store } from "../store/mod.ts";
import type { Assigner } from "./assigner.ts";
import { PresenceRecords, type PresenceSummary } from "../store/presence.ts";
import { type Clock, systemClock } from "../clock.ts";

export interface PresenceOptions {
  /** An agent with no socket and no sign of life for this long goes offline. */
  graceMs: number;
  clock?: Clock;
  /** How often this instance refreshes its sockets' records. */
  heartbeatMs?: number;
  /** How often this instance sweeps. */
  sweepMs?: number;
  onError?: (err: unknown) => void;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export class Presence {
  readonly graceMs: number;
  readonly heartbeatMs: number;
  readonly sweepMs: number;
  /** An open record older than this is stale (its instance stopped beating). */
  readonly liveMs: number;
  readonly records: PresenceRecords;
  #clock: Clock;
  #local = new Map<string, string>();
  #activity = new Map<string, number>();
  #timers: ReturnType<typeof setInterval>[] = [];
  #sweeping: Promise<string[]> | null = null;
  #stopped = false;
  #onError: (err: unknown) => void;

  constructor(
    private store: Store,
    private assigner: Assigner,
    opts: PresenceOptions,
  ) {
    const grace = this.graceMs = opts.graceMs;
    this.#clock = opts.clock ?? systemClock;
    this.heartbeatMs = opts.heartbeatMs ?? clamp(grace / 3, 200, 15_000);
    this.sweepMs = opts.sweepMs ?? clamp(grace / 4, 100, 5_000);
    this.liveMs = 3 * this.heartbeatMs;
    this.records = new PresenceRecords(store.kv, grace + this.liveMs + 60_000);
    this.#onError = opts.onError ?? (() => {});
  }

  /**
   * Records an agent's socket as connected (the write lands soon; `heartbeat()` awaits it).
   * Call the returned function when the socket closes.
   */
  track(agentId: string): () => Promise<void> {
    const presenceId = crypto.randomUUID();
    this.#local.set(presenceId, agentId);
    this.#write([{ agentId, presenceId, closed: false }]);
    return async () => {
      if (this.#local.delete(presenceId)) {
        await this.#write([{ agentId, presenceId, closed: true }]);
      }
    };
  }

  /**
   * An HTTP sign of life (any authenticated request): counts as seen now. Written at most once
   * per heartbeat period per agent and instance.
   */
  noteActivity(agentId: string): Promise<void> {
    const now = this.#clock.now();
    const last = this.#activity.get(agentId);
    if (last !== undefined && now - last >= 0 && now - last < this.heartbeatMs) {
      return Promise.resolve();
    }
    this.#activity.set(agentId, now);
    return this.#write([{ agentId, presenceId: "activity", closed: true }]);
  }

  summary(agentId: string): Promise<PresenceSummary> {
    return this.records.summary(agentId, this.#clock.now(), this.liveMs);
  }

  /** Refreshes every socket of this instance. */
  heartbeat(): Promise<void> {
    return this.#write([...this.#local].map(([presenceId, agentId]) => ({
      agentId,
      presenceId,
      closed: false,
    })));
  }

  /**
   * Takes offline every agent absent past the grace period who is not offline yet or still holds
   * conversations, and requeues those. Returns the ids of the agents it acted on.
   */
  sweep(): Promise<string[]> {
    this.#sweeping ??= this.#sweep().finally(() => this.#sweeping = null);
    return this.#sweeping;
  }

  async #sweep(): Promise<string[]> {
    const left: string[] = [];
    for (const { record, state } of await this.store.users.listStaff()) {
      if (state.status === "offline" && state.load === 0) continue;
      const { live, lastSeen } = await this.summary(record.id);
      if (live) continue;
      if (lastSeen !== null && this.#clock.now() - lastSeen <= this.graceMs) {
        continue;
      }
      await this.assigner.agentLeft(record.id);
      left.push(record.id);
    }
    // A safety net: waiting conversations get another chance even if no event woke the assigner.
    await this.assigner.drainQueue();
    return left;
  }

  /** Starts this instance's heartbeat and sweeper. */
  start(): void {
    const guard = (task: () => Promise<unknown>) => () => {
      if (!this.#stopped) task().catch((err) => this.#stopped || this.#onError(err));
    };
    this.#timers.push(
      setInterval(guard(() => this.heartbeat()), this.heartbeatMs),
      setInterval(guard(() => this.sweep()), this.sweepMs),
    );
  }

  /** Stops the timers (shutdown); later closes of sockets write nothing. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers.splice(0)) clearInterval(t);
    await this.#sweeping?.catch(() => {});
  }

  async #write(items: { agentId: string; presenceId: string; closed: boolean }[]) {
    if (this.#stopped || !items.length) return;
    const seenAt = this.#clock.now();
    try {
      await this.records.put(items.map(({ agentId, presenceId, closed }) => ({
        agentId,
        presenceId,
        record: { seenAt, closed },
      })));
    } catch (err) {
      if (!this.#stopped) this.#onError(err);
    }
  }
}
