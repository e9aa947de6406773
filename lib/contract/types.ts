/** The contract's objects (see docs/contract.md). Times are ISO-8601 strings. */

export type Role = "guest" | "customer" | "agent" | "admin";
export type AgentStatus = "available" | "busy" | "offline";
export type ConversationStatus = "open" | "resolved";
export type ConversationMode = "bot" | "waiting" | "human";
export type Sender = "customer" | "bot" | "agent" | "system";

export interface User {
  id: string;
  name: string;
  email?: string;
  role: Role;
  createdAt: string;
  /** Customers the website widget verified: the site's own user id (docs/widget.md). */
  externalId?: string;
  /** Extension: the customer's time zone as their browser reported it (validated), if known. */
  timeZone?: string;
  /** Agents and admins only. */
  status?: AgentStatus;
  /** Agents and admins only: open conversations assigned to them. */
  activeConversations?: number;
  /**
   * Extensions, agents and admins only. `status` above is the effective status: "busy" while an
   * agent who chose "available" is at capacity; `chosenStatus` is what they chose themselves.
   */
  chosenStatus?: AgentStatus;
  capacity?: number;
  atCapacity?: boolean;
}

export interface Conversation {
  id: string;
  customerId: string;
  customerName: string;
  status: ConversationStatus;
  mode: ConversationMode;
  assigneeId: string | null;
  createdAt: string;
  updatedAt: string;
  lastSeq: number;
  /** Extensions: the name of the assignee, a preview of the last message, and queue bookkeeping. */
  assigneeName: string | null;
  lastMessage: { sender: Sender; authorName: string; text: string; createdAt: string } | null;
  /** When the conversation entered the waiting queue (mode `waiting`), else null. */
  waitingSince: string | null;
  /** Consecutive bot replies that did not answer the question (for self-escalation). */
  botMisses: number;
  /**
   * Milestones for metrics (stamped by the store, first occurrence only): when a human was first
   * asked for (handoff, bot handoff or takeover), first assigned, first answered by an agent, and
   * when the conversation was resolved.
   */
  humanRequestedAt?: string | null;
  firstAssignedAt?: string | null;
  firstHumanResponseAt?: string | null;
  resolvedAt?: string | null;
  /**
   * The last time the conversation was taken from an agent (extension): a takeover by another
   * agent, or a transfer. `seq` is the system message that said so. The previous holder's console
   * tells them when it sees a new one.
   */
  handover?: Handover | null;
  /**
   * Labels (v2 contract). New conversations get `[]`; records written before labels existed have
   * none, which means `[]`. Lists filter on them (`?label=`) through their own index.
   */
  labels?: string[];
  /**
   * Snoozed (extension, v2): out of the open lists until this time or the customer's next
   * message, whichever comes first. `"reply"` means no time: only the customer's next message.
   */
  snoozedUntil?: string | null;
}

export interface Handover {
  kind: "takeover" | "transfer";
  fromId: string;
  fromName: string;
  byId: string;
  byName: string;
  seq: number;
}

/**
 * Filter counts (`counts` of GET /api/conversations for staff, GET /api/conversations/counts),
 * kept as counters in the commits that change them: open conversations by mode, resolved, and the
 * reader's own open ones; with an `assignee` or `label` filter, that agent's or label's too.
 */
export interface ConversationCounts {
  open: number;
  resolved: number;
  bot: number;
  waiting: number;
  human: number;
  mine: number;
  /** Extension: open conversations snoozed (not in `open` nor its modes until they wake). */
  snoozed?: number;
  assignee?: { open: number; resolved: number };
  label?: { open: number; resolved: number };
}

export interface Message {
  id: string;
  conversationId: string;
  seq: number;
  sender: Sender;
  authorId: string;
  authorName: string;
  text: string;
  createdAt: string;
  clientId?: string;
  /**
   * A private note (v2 contract): agents and admins only. Never sent to the customer by any path,
   * never in the bot's history, never in `lastMessage`, never in a customer's `unread`. Records
   * written before notes existed have none, which means false (the store fills it in on read).
   */
  private: boolean;
  /** Files sent with the message (v2 contract): `GET /api/attachments/:id` serves each. */
  attachments?: Attachment[];
}

/** A file uploaded to a conversation (lib/files/). `type` is the sniffed media type. */
export interface Attachment {
  id: string;
  name: string;
  type: string;
  size: number;
}

export { MAX_MESSAGE_LENGTH } from "./text.ts";

/** A CSAT rating (POST /api/conversations/:id/rating): once per resolved conversation. */
export interface Rating {
  conversationId: string;
  customerId: string;
  /** Who held the conversation when it was resolved (null: the bot alone). */
  agentId: string | null;
  score: number;
  comment: string | null;
  at: string;
}

export const MAX_RATING_COMMENT = 1000;
