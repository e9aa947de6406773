/**
 * Turns what the store committed into events, in one place for every writer: the conversation
 * service (lib/chat/), assignment (lib/assignment/) and the bot runner (lib/bot/runner.ts) all
 * commit through the store and then hand the result here. A result is published only after its
 * commit, never before.
 */
import type { Appended, Changed } from "../store/conversations.ts";
import type { Relay } from "./relay.ts";
import type { AgentFrames } from "./agent_frames.ts";
import type { QueueFrames } from "./queue_frames.ts";

export class Publisher {
  constructor(
    private relay: Relay,
    private agentFrames: AgentFrames,
    private queueFrames: QueueFrames,
  ) {}

  /** A committed message and the conversation's new state (inbox only: reason "message"). */
  appended({ message, conversation }: Appended): void {
    this.relay.publish({ type: "message", message });
    this.relay.publish({ type: "conversation", conversation, reason: "message" });
  }

  /**
   * A committed state change and its messages (the one said with it, then the system message),
   * then the agents whose load it moved and,
   * if the queue moved, the waiting customers' new positions.
   */
  changed = (result: Changed): void => {
    if (!result.changed) return;
    if (result.said) this.relay.publish({ type: "message", message: result.said });
    if (result.message) this.relay.publish({ type: "message", message: result.message });
    this.relay.publish({
      type: "conversation",
      conversation: result.conversation,
      reason: "state",
    });
    if (result.agents?.length) this.agentFrames.publish(result.agents);
    if (result.queueMoved) void this.queueFrames.moved();
  };

  /** Agents' status or capacity changed outside a conversation commit: publish their state. */
  agentsChanged(agentIds: string[]): Promise<void> {
    return this.agentFrames.publishCurrent(agentIds);
  }
}
