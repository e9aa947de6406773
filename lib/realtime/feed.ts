/**
 * Reads the cross-instance feed (lib/store/feed.ts) whenever the signal watch wakes, and delivers
 * here what other instances did: conversation changes (the agents' inbox and state frames), agents'
 * state (`agent` frames, re-read from KV), queue moves (this instance recomputes its sockets'
 * positions: lib/queue_frames.ts), typing, read receipts and sign-outs. Also writes this instance's typing, read and sign-out events to it,
 * and every SESSION_CHECK_MS re-validates the sessions of open sockets in one batched read, so a
 * sign-out or an expiry closes sockets everywhere even if a wake-up was missed.
 *
 * Entry keys are ULIDs taken before the commit, so across instances one can land slightly after a
 * later-numbered one. Each read therefore starts LOOKBACK_MS before the newest entry seen and skips
 * the ids it has already handled.
 */
import { coalesced } from "../coalesce.ts";
import type { EphemeralEvent, Relay } from "./relay.ts";
import type { Conversations } from "../store/conversations.ts";
import { signalShard } from "../store/conversations.ts";
import type { SessionRecord } from "../store/users.ts";
import { keys } from "../store/keys.ts";
import {
  addFeed,
  type FeedEntry,
  feedIdTime,
  feedKeyAt,
  INSTANCE_ID,
  newFeedId,
} from "../store/feed.ts";
import type { Logger } from "../log.ts";

export const LOOKBACK_MS = 2_000;
export const SESSION_CHECK_MS = 30_000;

export class Feed {
  #since = Date.now();
  #seen = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private kv: Deno.Kv,
    private relay: Relay,
    private conversations: Conversations,
    private log: Logger,
    private opts: {
      sessionCheckMs?: number;
      now?: () => number;
      /** Where agent and queue entries go (lib/agent_frames.ts, lib/queue_frames.ts). */
      live?: { agents(ids: string[]): Promise<void>; queueMoved(): void };
    } = {},
  ) {}

  start(): void {
    this.#since = this.#now();
    this.relay.setFeedWriter((event) => this.#write(event), newFeedId);
    this.relay.onWake(() => void this.poll());
    this.#timer = setInterval(
      () => void this.checkSessions(),
      this.opts.sessionCheckMs ?? SESSION_CHECK_MS,
    );
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #now() {
    return this.opts.now?.() ?? Date.now();
  }

  async #write(event: EphemeralEvent & { id: string }): Promise<void> {
    const origin = INSTANCE_ID;
    let entry: FeedEntry;
    let shard = 0;
    if (event.type === "session_revoked") {
      entry = { kind: "revoked", tokenHash: event.tokenHash, origin };
    } else if (event.type === "typing") {
      const { conversationId, userId, name, role, typing } = event;
      entry = { kind: "typing", conversationId, userId, name, role, typing, origin };
      shard = signalShard(conversationId);
    } else {
      const { conversationId, userId, seq } = event;
      entry = { kind: "read", conversationId, userId, seq, origin };
      shard = signalShard(conversationId);
    }
    try {
      const op = addFeed(this.kv.atomic(), entry, event.id).sum(keys.signal(shard), 1n);
      // Tracked as our own commit, so this instance's watch doesn't wake for it.
      const settled = this.relay.commits.start();
      let versionstamp: string | null = null;
      try {
        const res = await op.commit();
        if (res.ok) versionstamp = res.versionstamp;
      } finally {
        settled(versionstamp, [shard]);
      }
    } catch (err) {
      this.log.warn("feed write failed", { kind: entry.kind, err: String(err) });
    }
  }

  /** Reads the feed after what was already seen; concurrent calls coalesce into one more read. */
  readonly poll: () => Promise<void> = coalesced(async () => {
    try {
      await this.#read();
    } catch (err) {
      this.log.warn("feed read failed", { err: String(err) });
    }
  });

  async #read(): Promise<void> {
    if (this.relay.size === 0) {
      // Nobody to tell: move on. A socket that connects later reads current state itself.
      this.#since = this.#now();
      this.#seen.clear();
      return;
    }
    const changes = new Map<string, "message" | "state">();
    const agents = new Set<string>();
    let queueMoved = false;
    let newest = this.#since;
    const iter = this.kv.list<FeedEntry>({
      prefix: keys.feedPrefix(),
      start: feedKeyAt(this.#since - LOOKBACK_MS),
    });
    for await (const { key, value } of iter) {
      const id = String(key[1]);
      if (this.#seen.has(id)) continue;
      const time = feedIdTime(id);
      this.#seen.set(id, time);
      if (time > newest) newest = time;
      if (value.origin === INSTANCE_ID) continue;
      switch (value.kind) {
        case "change":
          if (changes.get(value.conversationId) !== "state") {
            changes.set(value.conversationId, value.reason);
          }
          break;
        case "messages":
          for (const id of value.conversationIds) {
            if (!changes.has(id)) changes.set(id, "message");
          }
          break;
        case "typing":
        case "read": {
          const { kind, origin: _origin, ...rest } = value;
          this.relay.deliverRemote({ type: kind, ...rest, id } as EphemeralEvent);
          break;
        }
        case "revoked":
          this.relay.deliverRemote({ type: "session_revoked", tokenHash: value.tokenHash, id });
          break;
        case "agent":
          for (const agentId of value.agentIds) agents.add(agentId);
          break;
        case "queue":
          queueMoved = true;
          break;
      }
    }
    this.#since = newest;
    for (const [id, time] of this.#seen) if (time < newest - LOOKBACK_MS) this.#seen.delete(id);
    if (changes.size > 0) {
      for (const conversation of await this.conversations.getMany([...changes.keys()])) {
        const reason = changes.get(conversation.id)!;
        this.relay.deliverRemote({ type: "conversation", conversation, reason });
      }
    }
    if (agents.size > 0) await this.opts.live?.agents([...agents]);
    // After the conversations' states: sockets take positions only for what they know is waiting.
    if (queueMoved) this.opts.live?.queueMoved();
  }

  /** Closes sockets whose session is gone (signed out elsewhere, or expired). */
  async checkSessions(): Promise<void> {
    const hashes = [...new Set([...this.relay.listeners()].map((l) => l.tokenHash))]
      .filter((h): h is string => h !== null);
    const now = this.#now();
    for (let i = 0; i < hashes.length; i += 10) {
      const batch = hashes.slice(i, i + 10);
      try {
        const entries = await this.kv.getMany<SessionRecord[]>(batch.map((h) => keys.session(h)));
        entries.forEach((e, j) => {
          if (!e.value || Date.parse(e.value.expiresAt) <= now) {
            this.relay.deliverRemote({ type: "session_revoked", tokenHash: batch[j] });
          }
        });
      } catch (err) {
        this.log.warn("session check failed", { err: String(err) });
      }
    }
  }
}
