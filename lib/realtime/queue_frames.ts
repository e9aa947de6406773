/**
 * `queue` frames: a waiting customer's place in line, sent to the sockets that follow a waiting
 * conversation when it enters the queue and whenever its place changes. Positions are never
 * stored; each instance computes them for its own sockets.
 *
 * Whenever the queue may have moved — a change committed here (./publisher.ts), a "queue" feed entry
 * from another instance (./feed.ts), or a socket subscribing to a waiting conversation — this
 * lists the ["waiting", since, id] index once (keys only) and hands the positions to the sockets,
 * which send only what changed (./subscriber.ts). Recomputations run one at a time in order, and
 * triggers that arrive during one coalesce into one more, so a later list is never overtaken by an
 * earlier one.
 */
import { coalesced } from "../coalesce.ts";
import type { Relay } from "./relay.ts";
import type { Conversations } from "../store/conversations.ts";
import type { Logger } from "../log.ts";

export class QueueFrames {
  constructor(
    private conversations: Conversations,
    private relay: Relay,
    private log: Logger,
  ) {}

  /** The queue moved: recompute positions soon. Resolves when they have been handed out. */
  readonly moved: () => Promise<void> = coalesced(async () => {
    // Nobody here to tell (a socket that subscribes later asks for its position itself).
    if (this.relay.size === 0) return;
    try {
      const ids = await this.conversations.waitingIds();
      const positions = new Map(ids.map((id, i) => [id, i + 1]));
      this.relay.deliverHere({ type: "queue", positions });
    } catch (err) {
      this.log.warn("queue positions failed", { err: String(err) });
    }
  });
}
