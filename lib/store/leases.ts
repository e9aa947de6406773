/**
 * Leases for periodic work that one instance at a time should do (key shapes in ./keys.ts): a
 * checked write of `{owner, until}`; whoever wins the check holds it until `until`. A crashed
 * holder's lease simply runs out. The work itself must stay correct without it (checked commits):
 * the lease only saves two instances from doing the same work twice.
 */
import { keys } from "./keys.ts";
import type { Clock } from "../clock.ts";

export interface Lease {
  owner: string;
  until: number;
}

export class Leases {
  constructor(private kv: Deno.Kv, private clock: Clock) {}

  /** Takes or renews `name` for `owner` for `ttlMs`; false when another owner holds it. */
  async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const key = keys.lease(name);
    const entry = await this.kv.get<Lease>(key);
    const now = this.clock.now();
    if (entry.value && entry.value.owner !== owner && entry.value.until > now) return false;
    const res = await this.kv.atomic().check(entry).set(key, { owner, until: now + ttlMs })
      .commit();
    return res.ok;
  }

  /** Gives `name` up if `owner` holds it. */
  async release(name: string, owner: string): Promise<void> {
    const key = keys.lease(name);
    const entry = await this.kv.get<Lease>(key);
    if (entry.value?.owner === owner) await this.kv.atomic().check(entry).delete(key).commit();
  }
}
