/**
 * Is the store ephemeral? On Deno Deploy, an app with no KV database attached still gets a store
 * from `Deno.openKv()`: an in-memory one per instance, empty at every start, lost when the instance
 * stops and not shared with the others — with no error and no log (denoland/deploy_feedback#905,
 * denoland/deno#35671). Deploy sets no variable that says whether a database is attached, so
 * Parley goes by what it can know (checked once at start, by lib/server/server.ts):
 *
 * - `KV_ATTACHED=1`: the operator says one is attached (silences the warning); `0`: says none is.
 * - `DENO_KV_DEFAULT_PATH` is an http(s) URL: `Deno.openKv()` opens that remote database.
 * - The store held data at start: an ephemeral store never does, so this one persists.
 *
 * Otherwise it cannot rule out an ephemeral store, and says so: in the log at start (an error
 * line, shown at every LOG_LEVEL) and as a banner on /admin. Only for KV_PATH unset on Deploy
 * (`location` "deploy"); everywhere else KV_PATH says what the store is.
 */
import type { KvLocation } from "../config.ts";

export interface EphemeralKvWarning {
  /** What an admin should read: the risk and what to do. */
  message: string;
  /** `declared`: KV_ATTACHED=0; `not_ruled_out`: nothing showed the store to be durable. */
  reason: "declared" | "not_ruled_out";
  /** The store held nothing at start (as an ephemeral store always does). */
  emptyAtStart: boolean;
}

export interface DurabilitySettings {
  location: KvLocation;
  /** KV_ATTACHED, or an http(s) DENO_KV_DEFAULT_PATH (true); undefined: not said. */
  attached: boolean | undefined;
}

const ADVICE = "Attach a Deno KV database to this app in the Deno Deploy console (Databases, " +
  "then Assign), redeploy, and set KV_ATTACHED=1 to confirm it.";

/** The warning to give, or null when the store is known to be durable (or is not Deploy's). */
export async function ephemeralKvWarning(
  kv: Deno.Kv,
  settings: DurabilitySettings,
): Promise<EphemeralKvWarning | null> {
  if (settings.location !== "deploy" || settings.attached === true) return null;
  const emptyAtStart = await isEmpty(kv);
  if (settings.attached === false) {
    return {
      reason: "declared",
      emptyAtStart,
      message: "No Deno KV database is attached to this Deno Deploy app (KV_ATTACHED=0): " +
        "each instance keeps its data in memory, loses it when it stops and shares none of it " +
        `with the other instances. ${ADVICE}`,
    };
  }
  if (!emptyAtStart) return null;
  return {
    reason: "not_ruled_out",
    emptyAtStart,
    message: "Deno KV may be ephemeral: no KV database is known to be attached to this Deno " +
      "Deploy app, and the store was empty at start. Without one, each instance keeps its data " +
      "in memory, loses it when it stops and shares none of it with the other instances. " +
      ADVICE,
  };
}

async function isEmpty(kv: Deno.Kv): Promise<boolean> {
  for await (const _ of kv.list({ prefix: [] }, { limit: 1 })) return false;
  return true;
}
