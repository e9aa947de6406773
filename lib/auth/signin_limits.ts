/**
 * Sign-in limits kept in KV, so they hold across isolates and instances (./../store/throttle.ts):
 *
 * - per address: `RATE_AUTH_PER_MIN` sign-in requests (login, register, guest) a minute;
 * - per account (email): a progressive lockout. Every attempt counts as a failure until it
 *   succeeds (so parallel guesses can't slip past the count); after `lockAfter` failures in a row
 *   the email is locked for `lockMs`, each further lockout twice as long up to `lockMaxMs`; a
 *   success resets it. Unknown emails are counted and locked exactly like real ones, so the
 *   answers never tell whether an account exists.
 *
 * Refusals are 429 `rate_limited` with `Retry-After` and a message saying when to retry.
 */
import type { Clock } from "../clock.ts";
import type { SignInSettings } from "../config.ts";
import { rateLimited } from "../errors.ts";
import { sha256Hex } from "../ids.ts";
import type { AccountFailures, Throttles } from "../store/throttle.ts";

/** How long an account's failures are remembered after the last one (or the lockout's end). */
const MEMORY_MS = 3600_000;

export interface SignInLimitSettings extends SignInSettings {
  /** Sign-in requests per address and minute (also the burst). */
  authPerMinute: number;
}

export class SignInLimits {
  constructor(
    private throttles: Throttles,
    private settings: SignInLimitSettings,
    private clock: Clock,
  ) {}

  /** One sign-in request from `address`; throws 429 over the address's budget. */
  async spendAddress(address: string): Promise<void> {
    const perMinute = this.settings.authPerMinute;
    const wait = await this.throttles.spend(address, 60_000 / perMinute, perMinute);
    if (wait > 0) throw rateLimited("Too many sign-in attempts from your address.", wait);
  }

  /** Before a password is checked: throws 429 while the email is locked, else counts a failure. */
  async attempt(email: string): Promise<void> {
    const { lockAfter } = this.settings;
    const wait = await this.throttles.account(await emailKey(email), (current) => {
      const now = this.clock.now();
      const was: AccountFailures = current ?? { failures: 0, lockouts: 0, lockedUntil: 0 };
      if (was.lockedUntil > now) return { next: current, result: was.lockedUntil - now };
      const next: AccountFailures = was.failures + 1 >= lockAfter
        ? { failures: 0, lockouts: was.lockouts + 1, lockedUntil: now + this.#lockMs(was.lockouts) }
        : { ...was, failures: was.failures + 1 };
      return { next, expireInMs: Math.max(0, next.lockedUntil - now) + MEMORY_MS, result: 0 };
    });
    if (wait > 0) throw rateLimited("Too many failed sign-ins for this email.", wait);
  }

  /** The password was right: the email's count starts again. */
  async succeeded(email: string): Promise<void> {
    await this.throttles.account(await emailKey(email), () => ({ next: null, result: null }));
  }

  /** The lockout after `earlier` ones: lockMs, doubling, capped. */
  #lockMs(earlier: number): number {
    const { lockMs, lockMaxMs } = this.settings;
    return Math.min(lockMaxMs, lockMs * 2 ** Math.min(earlier, 30));
  }
}

/** Accounts are keyed by a hash of the normalized email (fixed size; no address stored). */
function emailKey(email: string): Promise<string> {
  return sha256Hex(email.trim().toLowerCase());
}
