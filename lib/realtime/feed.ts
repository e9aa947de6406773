/**
 * The cross-instance feed (entries and keys: lib/store/feed.ts), both ways.
 *
 * `FeedWriter` writes this instance's typing, read and sign-out events, each in a commit of its
 * own that bumps the conversation's signal key. `FeedReader` reads the feed whenever the signal
 * watch wakes and delivers here what other instances did: conversation changes (the agents' inbox
 * and state frames), agents' state (`agent` frames, re-read from KV), queue moves (this instance
 * recomputes its sockets' positions: ./queue_frames.ts), typing, read receipts and sign-outs.
 *
 * Entry keys are ULIDs taken before the commit, so across instances one can land slightly after a
 * later-numbered one. Each read therefore starts LOOKBACK_MS before the newest entry seen and skips
 * the ids it has already handled.
 */
import { coalesced } from "../coalesce.ts";
import type { EphemeralEvent } from "./events.ts";
import type { Relay } from "./relay.ts";
import type { Conversations } from "../store/conversations.ts";
import { type CommitObserver, commitSignalled, signalShard } from "../store/signals.ts";
import { keys } from "../store/keys.ts";
import { addFeed, type FeedEntry, feedIdTime, feedKeyAt, INSTANCE_ID } from "../store/feed.ts";
import type { Logger } from "../log.ts";

export const LOOKBACK_MS = 2_000;

/** Writes typing, read and sign-out events to the feed (the relay calls it: ./relay.ts). */
export class FeedWriter {
  constructor(private kv: Deno.Kv, private ownCommits: CommitObserver, private log: Logger) {}

  readonly write = async (event: EphemeralEvent & { id: string }): Promise<void> => {
    const origin = INSTANCE_ID;
    let entry: FeedEntry;
    let shard = 0;
    if (event.type === "session_revoked") {
      entry = { kind: "revoked", tokenHash: event.tokenHash, origin };
    } else if (event.type === "mention") {
      const { userId, conversationId, seq, byName, text } = event;
      entry = { kind: "mention", userId, conversationId, seq, byName, text, origin };
      shard = signalShard(conversationId);
    } else if (event.type === "typing") {
      const { conversationId, userId, name, role, typing } = event;
      entry = { kind: "typing", conversationId, userId, name, role, typing, origin };
      shard = signalShard(conversationId);
    } else if (event.type === "colleague") {
      const { conversationId, userId, name, activity } = event;
      entry = { kind: "colleague", conversationId, userId, name, activity, origin };
      shard = signalShard(conversationId);
    } else {
      const { conversationId, userId, seq } = event;
      entry = { kind: "read", conversationId, userId, seq, origin };
      shard = signalShard(conversationId);
    }
    try {
      // Tracked as our own commit, so this instance's watch doesn't wake for it.
      await commitSignalled(addFeed(this.kv.atomic(), entry, event.id), [shard], this.ownCommits);
    } catch (err) {
      this.log.warn("feed write failed", { kind: entry.kind, err: String(err) });
    }
  };
}

/** Where agent and queue entries go (./agent_frames.ts, ./queue_frames.ts). */
export interface FeedTargets {
  agents(ids: string[]): Promise<void>;
  queueMoved(): void;
}

export class FeedReader {
  #since: number;
  #seen = new Map<string, number>();

  constructor(
    private kv: Deno.Kv,
    private relay: Relay,
    private conversations: Conversations,
    private targets: FeedTargets,
    private log: Logger,
    private now: () => number = Date.now,
  ) {
    this.#since = now();
  }

  /** Reads the feed on every foreign wake-up of the relay's watch. */
  start(): void {
    this.#since = this.now();
    this.relay.onWake(() => void this.poll());
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
      this.#since = this.now();
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
        case "read":
        case "colleague": {
          const { kind, origin: _origin, ...rest } = value;
          this.relay.deliverRemote({ type: kind, ...rest, id } as EphemeralEvent);
          break;
        }
        case "mention": {
          const { kind: _kind, origin: _origin, ...rest } = value;
          this.relay.deliverRemote({ type: "mention", ...rest, id });
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
    if (agents.size > 0) await this.targets.agents([...agents]);
    // After the conversations' states: sockets take positions only for what they know is waiting.
    if (queueMoved) this.targets.queueMoved();
  }
}
