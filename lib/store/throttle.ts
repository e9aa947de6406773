/**
 * Throttling records in KV, shared by every isolate and instance on one store (the sign-in limits
 * of lib/auth/signin_limits.ts). Each record is one small key, updated with a checked commit and
 * retried on conflict; updates of one key inside this isolate run one after another, so a burst
 * on one key costs a commit each, not a storm of conflicts. Records expire on their own.
 */
import type { Clock } from "../clock.ts";
import { keys } from "./keys.ts";

/** An account's sign-in failures (key: sha256 of the email, see ./keys.ts). */
export interface AccountFailures {
  /** Failures in a row since the last lockout (or success). */
  failures: number;
  /** Lockouts in a row: the next lasts twice as long as the last, up to the cap. */
  lockouts: number;
  /** Epoch ms; sign-ins are refused before it. */
  lockedUntil: number;
}

/** How an update leaves a record: the new value (null: delete), its lifetime, and a result. */
export interface Update<T, R> {
  next: T | null;
  expireInMs?: number;
  result: R;
}

const MAX_ATTEMPTS = 50;

export class Throttles {
  #chains = new Map<string, Promise<unknown>>();

  constructor(private kv: Deno.Kv, private clock: Clock) {}

  /**
   * Spends one from the budget at `key` (GCRA, a token bucket kept as one time): `burst` at once,
   * refilled at one per `intervalMs`. Returns 0 when spent, else the ms until one is back.
   */
  spend(address: string, intervalMs: number, burst: number): Promise<number> {
    return this.update<number, number>(keys.signInAddress(address), (tat) => {
      const now = this.clock.now();
      const next = Math.max(tat ?? 0, now) + intervalMs;
      const over = next - now - burst * intervalMs;
      if (over > 0) return { next: tat, expireInMs: Math.max(1, (tat ?? now) - now), result: over };
      return { next, expireInMs: next - now, result: 0 };
    });
  }

  /** Reads and rewrites an account's failures (see lib/auth/signin_limits.ts). */
  account<R>(
    emailHash: string,
    fn: (current: AccountFailures | null) => Update<AccountFailures, R>,
  ): Promise<R> {
    return this.update(keys.signInAccount(emailHash), fn);
  }

  /** `fn` over the value at `key`, committed with a check; one at a time per key here. */
  update<T, R>(key: Deno.KvKey, fn: (current: T | null) => Update<T, R>): Promise<R> {
    const id = JSON.stringify(key);
    const previous = this.#chains.get(id) ?? Promise.resolve();
    const run = previous.catch(() => {}).then(() => this.#commit(key, fn));
    this.#chains.set(id, run);
    run.finally(() => {
      if (this.#chains.get(id) === run) this.#chains.delete(id);
    }).catch(() => {});
    return run;
  }

  async #commit<T, R>(key: Deno.KvKey, fn: (current: T | null) => Update<T, R>): Promise<R> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await this.kv.get<T>(key);
      const { next, expireInMs, result } = fn(entry.value);
      if (next === entry.value) return result; // nothing to write
      const op = this.kv.atomic().check(entry);
      if (next === null) op.delete(key);
      else op.set(key, next, expireInMs ? { expireIn: Math.ceil(expireInMs) } : undefined);
      if ((await op.commit()).ok) return result;
    }
    throw new Error(`throttle record ${JSON.stringify(key)}: too many conflicting updates`);
  }
}
