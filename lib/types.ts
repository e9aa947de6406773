/** The contract's objects (see ../shared/CONTRACT.md). Times are ISO-8601 strings. */

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
  /** Agents and admins only. */
  status?: AgentStatus;
  /** Agents and admins only: open conversations assigned to them. */
  activeConversations?: number;
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
}

export const MAX_MESSAGE_LENGTH = 4000;
