/**
 * GET /healthz: KV answers a read, and the write path works — a small record that expires
 * (`store.probeWrite`), so a full disk or a store gone read-only shows as 503 even while reads
 * still answer. Anyone may call it, so one probe serves every call within a second (per isolate).
 */
import type { Clock } from "../clock.ts";
import type { Store } from "../store/mod.ts";
import { keys } from "../store/keys.ts";

export type Health =
  | { ok: true }
  | { ok: false; kv: "unreachable" | "write_failed" };

const FRESH_MS = 1_000;

export function healthCheck(store: Pick<Store, "kv" | "probeWrite">, clock: Clock) {
  let last: { at: number; health: Promise<Health> } | null = null;
  const probe = async (): Promise<Health> => {
    try {
      await store.kv.get(keys.health());
    } catch {
      return { ok: false, kv: "unreachable" };
    }
    try {
      await store.probeWrite();
      return { ok: true };
    } catch {
      return { ok: false, kv: "write_failed" };
    }
  };
  return function health(): Promise<Health> {
    const now = clock.now();
    if (!last || now - last.at >= FRESH_MS) last = { at: now, health: probe() };
    return last.health;
  };
}
