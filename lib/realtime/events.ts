/**
 * What travels through the relay (./relay.ts): events committed in KV (messages, conversation
 * changes, agents' state), events that exist only in flight (typing, read receipts, sign-outs,
 * the bot's drafts), and queue positions computed per instance. Listeners (the sockets'
 * subscribers, ./subscriber.ts) receive the events they follow.
 */
import type { Conversation, Message, User } from "../contract/types.ts";
import type { ColleagueFrame, MentionFrame, ReadFrame, TypingFrame } from "../contract/frames.ts";

export type RelayEvent =
  | { type: "message"; message: Message }
  | {
    type: "conversation";
    conversation: Conversation;
    /** "message": only lastSeq/lastMessage moved (inbox only); "state": mode, assignee, status. */
    reason?: "message" | "state";
  }
  /** The bot's reply while it streams (never stored; the committed message follows). */
  | { type: "draft"; conversationId: string; text: string }
  /** `origin`: the socket that sent it (not echoed back to it). */
  | (TypingFrame & { origin?: string })
  | (ReadFrame & { origin?: string })
  /** Staff only (listeners with `staff`): never delivered to a customer's socket. */
  | (ColleagueFrame & { origin?: string })
  /** A private note mentioned an agent: their inbox sockets only. */
  | MentionFrame
  | { type: "session_revoked"; tokenHash: string; id?: string }
  /**
   * An agent's status and load changed (inbox sockets: ./agent_frames.ts). `version` is the
   * versionstamp of their agent_state: a socket never shows an older state after a newer one.
   */
  | { type: "agent"; user: User; version: string }
  /**
   * The waiting queue's positions, by conversation id (./queue_frames.ts): computed by each
   * instance for its own sockets, so only ever delivered here (`deliverHere`).
   */
  | { type: "queue"; positions: ReadonlyMap<string, number> };

/** Events that exist only in flight (not in KV): carried across instances by the feed. */
export type EphemeralEvent = Extract<
  RelayEvent,
  { type: "typing" | "read" | "session_revoked" | "colleague" | "mention" }
>;

export const isEphemeral = (e: RelayEvent): e is EphemeralEvent =>
  e.type === "typing" || e.type === "read" || e.type === "session_revoked" ||
  e.type === "colleague" || e.type === "mention";

export interface Listener {
  /** Conversation ids this listener follows. */
  follows(conversationId: string): boolean;
  /** Agents' inbox: every conversation change. */
  readonly inbox: boolean;
  /** An agent's or admin's socket: only these get `colleague` events. */
  readonly staff?: boolean;
  readonly tokenHash: string | null;
  /** The signed-in user (mentions reach their own sockets). */
  readonly userId: string | null;
  /**
   * Whether this listener may receive private notes (agents and admins). Message events reach every
   * follower; the subscriber (./subscriber.ts) drops notes for the others but counts their seq.
   */
  readonly seesNotes: boolean;
  onEvent(event: RelayEvent): void;
  /**
   * Another instance committed to a followed conversation: its `lastSeq` is now at least
   * `lastSeq` (null: unknown), so re-read from KV whatever after the last delivered seq is missing.
   */
  onCommitted(conversationId: string, lastSeq: number | null): void;
}

/** Whether `l` wants `e` (the listener index narrows the candidates first: ./listeners.ts). */
export function wants(l: Listener, e: RelayEvent): boolean {
  switch (e.type) {
    case "message":
      return l.follows(e.message.conversationId);
    case "conversation":
      return l.inbox || (e.reason !== "message" && l.follows(e.conversation.id));
    case "draft":
    case "typing":
    case "read":
      return l.follows(e.conversationId);
    case "colleague":
      return l.staff === true && l.follows(e.conversationId);
    case "session_revoked":
      return l.tokenHash === e.tokenHash;
    case "mention":
      return l.seesNotes && l.userId === e.userId;
    case "agent":
      return l.inbox;
    case "queue":
      return true;
  }
}
