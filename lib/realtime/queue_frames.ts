/**
 * `queue` frames: a waiting customer's place in line, sent to the sockets that follow a waiting
 * conversation when it enters the queue and whenever its place changes. Positions are never
 * stored; each instance computes them for its own sockets.
 *
 * Whenever the queue may have moved — a change committed here (./publisher.ts), a "queue" feed entry
 * from another instance (./feed.ts), or a socket subscribing to a waiting conversation — this
 * reads the places of the waiting conversations followed here (the listener index knows them)
 * from the queue's counters (lib/store/queue.ts): O(m log n) for m of them in a queue of n, never
 * the whole queue unless m is close to n. The sockets send only what changed (./subscriber.ts).
 * Recomputations run one at a time in order, and triggers that arrive during one coalesce into
 * one more, so a later computation is never overtaken by an earlier one.
 */
import { coalesced } from "../coalesce.ts";
import type { Relay } from "./relay.ts";
import type { Conversations } from "../store/conversations.ts";
import { queuedOf } from "../store/lists.ts";
import type { Logger } from "../log.ts";

export class QueueFrames {
  constructor(
    private conversations: Conversations,
    private relay: Relay,
    private log: Logger,
  ) {}

  /** The queue moved: recompute positions soon. Resolves when they have been handed out. */
  readonly moved: () => Promise<void> = coalesced(async () => {
    // Nobody here waiting to be told (a socket that subscribes later asks for its place itself).
    const ids = this.relay.waitingHere();
    if (ids.length === 0) return;
    try {
      const records = await this.conversations.getMany(ids);
      const entries = records.flatMap((c) => queuedOf(c) ?? []);
      const positions = await this.conversations.queue.positions(entries);
      this.relay.deliverHere({ type: "queue", positions });
    } catch (err) {
      this.log.warn("queue positions failed", { err: String(err) });
    }
  });
}
