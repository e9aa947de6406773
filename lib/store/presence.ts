/**
 * Where agents are connected, in Deno KV (key shapes in ./keys.ts), so that every instance sees
 * every instance's sockets. One record per socket (refreshed by its instance's heartbeat, marked
 * closed when it closes) plus one "activity" record per agent for HTTP signs of life. Records
 * expire a while after they stop mattering; liveness is judged from `seenAt`, not from expiry.
 */
import { keys } from "./keys.ts";

export interface PresenceRecord {
  /** Last heartbeat, or when the socket closed (ms since the epoch, from the injected clock). */
  seenAt: number;
  closed: boolean;
}

export interface PresenceSummary {
  /** Some socket is open and its heartbeat is fresh. */
  live: boolean;
  /** The latest sign of life (heartbeat, close, activity), or null if none is recorded. */
  lastSeen: number | null;
}

export class PresenceRecords {
  constructor(private kv: Deno.Kv, private expireInMs: number) {}

  /** Writes records for many sockets or activities in as few commits as possible. */
  async put(entries: { agentId: string; presenceId: string; record: PresenceRecord }[]) {
    for (let i = 0; i < entries.length; i += 500) {
      const op = this.kv.atomic();
      for (const { agentId, presenceId, record } of entries.slice(i, i + 500)) {
        op.set(keys.presence(agentId, presenceId), record, { expireIn: this.expireInMs });
      }
      await op.commit();
    }
  }

  /** An agent's presence at `now`: an open record counts as live while seen within `liveMs`. */
  async summary(agentId: string, now: number, liveMs: number): Promise<PresenceSummary> {
    let live = false, lastSeen: number | null = null;
    for await (const e of this.kv.list<PresenceRecord>({ prefix: keys.presencePrefix(agentId) })) {
      const { seenAt, closed } = e.value;
      if (!closed && now - seenAt <= liveMs) live = true;
      lastSeen = Math.max(lastSeen ?? seenAt, seenAt);
    }
    return { live, lastSeen };
  }
}
