/**
 * The WebSocket protocol, shared by the server (lib/ws/, lib/realtime/) and the browser
 * (lib/client/chat_socket.ts): the client frames as zod schemas (parsed at the edge), and every
 * frame the server sends as one discriminated union, `ServerFrame`.
 */
import { z } from "zod";
import { clientId, id, messageText } from "./schemas.ts";
import type { Conversation, Message, Role, User } from "./types.ts";
import type { ErrorCode } from "../errors.ts";

/** A frame over this many bytes closes the socket with 1009. */
export const MAX_FRAME_BYTES = 16 * 1024;
/** A socket that has not authenticated within this long is closed with 4401. */
export const AUTH_TIMEOUT_MS = 5000;

/**
 * Close codes beyond the standard ones: 1009 frame over 16 KiB; 1012 service restart (reconnect
 * at once, resume with `after`); 4401 not or no longer signed in; 4408 slow consumer (too much
 * unsent output; reconnect and resume); 4429 rate limit (kept flooding after rate_limited errors,
 * or too many sockets for one user).
 */
export const CLOSE = {
  tooBig: 1009,
  restart: 1012,
  unauthorized: 4401,
  slow: 4408,
  rateLimited: 4429,
} as const;

export const clientFrame = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("auth"), token: z.string().min(1).max(200) }),
  z.strictObject({
    type: z.literal("subscribe"),
    conversationId: id.optional(),
    after: z.number().int().min(0).optional(),
    inbox: z.literal(true).optional(),
  }).refine((f) => (f.conversationId === undefined) !== (f.inbox === undefined), {
    message: "give either conversationId or inbox: true",
    path: ["conversationId"],
  }),
  z.strictObject({ type: z.literal("unsubscribe"), conversationId: id }),
  z.strictObject({
    type: z.literal("send"),
    conversationId: id,
    text: messageText,
    clientId,
    /** A private note (agents and admins; v2). */
    private: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal("typing"), conversationId: id, typing: z.boolean() }),
  z.strictObject({ type: z.literal("read"), conversationId: id, seq: z.number().int().min(0) }),
  /** Staff only: what this agent is doing in a conversation, for colleagues only (never customers). */
  z.strictObject({
    type: z.literal("colleague"),
    conversationId: id,
    activity: z.enum(["viewing", "left", "note", "idle"]),
  }),
  z.strictObject({ type: z.literal("ping") }),
]);
export type ClientFrame = z.infer<typeof clientFrame>;

export interface TypingFrame {
  type: "typing";
  conversationId: string;
  userId: string;
  name: string;
  role: Role | "bot";
  typing: boolean;
  /** The event's id: the same on every copy of it (extension). */
  id?: string;
}

/**
 * A colleague's activity in a conversation (extension), to agents and admins following it only:
 * "viewing" (has it open; repeated while open), "left" (closed it), "note" (typing a private
 * note), "idle" (stopped typing one). Typing a reply uses `typing` frames, which the customer sees.
 */
export type ColleagueActivity = "viewing" | "left" | "note" | "idle";
export interface ColleagueFrame {
  type: "colleague";
  conversationId: string;
  userId: string;
  name: string;
  activity: ColleagueActivity;
  id?: string;
}

export interface ReadFrame {
  type: "read";
  conversationId: string;
  userId: string;
  seq: number;
  /** The event's id: the same on every copy of it (extension). */
  id?: string;
}

/**
 * A colleague mentioned the recipient (`@Name`) in a private note (v2): agents' sockets only,
 * the mentioned agent's own.
 */
export interface MentionFrame {
  type: "mention";
  /** The mentioned agent. */
  userId: string;
  conversationId: string;
  seq: number;
  byName: string;
  /** The note's text, at most 200 characters. */
  text: string;
  /** The event's id: the same on every copy of it (extension). */
  id?: string;
}

/** Every frame the server sends. */
export type ServerFrame =
  | { type: "ready"; user: User }
  | { type: "pong" }
  | { type: "message"; message: Message }
  | { type: "conversation"; conversation: Conversation }
  | { type: "ack"; clientId: string; message: Message }
  | { type: "error"; code: ErrorCode; message: string; clientId?: string }
  | TypingFrame
  | ReadFrame
  | ColleagueFrame
  | MentionFrame
  /** The bot's reply while it streams (never stored; the committed message follows). */
  | { type: "draft"; conversationId: string; text: string }
  /** Agents' inbox: an agent's status and load changed. */
  | { type: "agent"; user: User }
  /** A waiting conversation's place in line (1 = next). */
  | { type: "queue"; conversationId: string; position: number };
