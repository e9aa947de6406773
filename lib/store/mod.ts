/** The store: opened once at start-up and passed in. Tests open ":memory:" or a temp file. */
import { Users } from "./users.ts";
import { Conversations } from "./conversations.ts";
import { Reads } from "./reads.ts";
import { type Clock, idGenerator, systemClock } from "../ids.ts";
import { retryWhenBusy } from "./busy.ts";

export interface Store {
  kv: Deno.Kv;
  users: Users;
  conversations: Conversations;
  /** Read positions (./reads.ts). */
  reads: Reads;
  close(): void;
}

/** Resolves KV_PATH: unset → ./data/parley.sqlite (folder created); else as given. */
export async function openKv(kvPath: string | undefined): Promise<Deno.Kv> {
  if (kvPath === undefined) {
    if (Deno.env.get("DENO_DEPLOYMENT_ID")) return await Deno.openKv();
    await Deno.mkdir("./data", { recursive: true });
    return retryWhenBusy(await Deno.openKv("./data/parley.sqlite"));
  }
  const kv = await Deno.openKv(kvPath);
  // Local files may be shared by several isolates of this process (WORKERS=N): see ./busy.ts.
  return kvPath === ":memory:" || /^https?:/.test(kvPath) ? kv : retryWhenBusy(kv);
}

/** `maxChecks`: checks per commit the KV allows (see checkLimitFor); 10 works everywhere. */
export function createStore(
  kv: Deno.Kv,
  clock: Clock = systemClock,
  opts: { maxChecks?: number } = {},
): Store {
  const newId = idGenerator(clock);
  return {
    kv,
    users: new Users(kv, clock, newId),
    conversations: new Conversations(kv, clock, newId, opts),
    reads: new Reads(kv),
    close: () => kv.close(),
  };
}
