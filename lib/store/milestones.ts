/**
 * Per-conversation milestones for metrics (lib/chat/metrics.ts), stamped inside the store's commits so
 * every path (handoff, bot handoff, takeover, transfer, resolve, messages) records them alike.
 * Each is the first occurrence and is never moved afterwards.
 */
import type { Conversation, Message } from "../contract/types.ts";

/** Stamps milestones reached by a state change from `prev` to `next` (mutates `next`). */
export function stampChange(prev: Conversation, next: Conversation, now: string): void {
  if (next.mode !== "bot" && !next.humanRequestedAt) next.humanRequestedAt = now;
  if (next.mode === "human" && next.assigneeId && !next.firstAssignedAt) {
    next.firstAssignedAt = now;
  }
  if (next.status === "resolved" && prev.status !== "resolved") next.resolvedAt = now;
}

/** Stamps the first agent message after a human was asked for (mutates `next`). */
export function stampMessage(next: Conversation, message: Message): void {
  if (message.sender === "agent" && next.humanRequestedAt && !next.firstHumanResponseAt) {
    next.firstHumanResponseAt = message.createdAt;
  }
}
