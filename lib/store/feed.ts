/**
 * The cross-instance feed: a short-lived log under ["feed", ulid] (see ./keys.ts) that tells
 * other instances what happened, for what a conversation's messages alone can't carry: that a
 * conversation changed (the agents' inbox, state frames), that agents' state changed (`agent`
 * frames), that the waiting queue moved (`queue` frames), typing, read receipts and sign-outs.
 *
 * Entries are written in the same atomic commit as the change they describe (or, for typing and
 * reads, in a commit of their own that bumps the conversation's signal key) and expire after
 * FEED_TTL_MS. Readers (lib/realtime/feed.ts) list them after a watched signal key moves.
 */
import { decodeTime, encodeTime } from "ulid";
import { ulidFactory } from "../ids.ts";
import { keys } from "./keys.ts";
import type { Role } from "../contract/types.ts";

/** How long entries stay: a reader that slept longer re-reads state from KV instead. */
export const FEED_TTL_MS = 60_000;

/** This isolate's id: readers skip entries they wrote themselves (already delivered locally). */
export const INSTANCE_ID = crypto.randomUUID();

export type FeedEntry =
  | { kind: "change"; conversationId: string; reason: "message" | "state"; origin: string }
  /** New messages in these conversations (one entry per group commit). */
  | { kind: "messages"; conversationIds: string[]; origin: string }
  | {
    kind: "typing";
    conversationId: string;
    userId: string;
    name: string;
    role: Role | "bot";
    typing: boolean;
    origin: string;
  }
  | { kind: "read"; conversationId: string; userId: string; seq: number; origin: string }
  | {
    kind: "colleague";
    conversationId: string;
    userId: string;
    name: string;
    activity: "viewing" | "left" | "note" | "idle";
    origin: string;
  }
  | { kind: "revoked"; tokenHash: string; origin: string }
  /** A private note mentioned an agent (their console shows a notice). */
  | {
    kind: "mention";
    userId: string;
    conversationId: string;
    seq: number;
    byName: string;
    text: string;
    origin: string;
  }
  /** These agents' state (status, load, capacity) changed: readers re-read it. */
  | { kind: "agent"; agentIds: string[]; origin: string }
  /** A conversation joined or left the waiting queue: readers recompute positions. */
  | { kind: "queue"; origin: string };

const nextUlid = ulidFactory();

/** A new feed id (a ULID: time-ordered within this isolate, roughly across instances). */
export const newFeedId = (): string => nextUlid();

/** The smallest feed key at or after `ms` (a list start). */
export const feedKeyAt = (ms: number) => keys.feed(encodeTime(Math.max(0, ms), 10));

export const feedIdTime = (id: string): number => decodeTime(id);

/** Adds a feed entry to a commit. */
export function addFeed(op: Deno.AtomicOperation, entry: FeedEntry, id = newFeedId()) {
  return op.set(keys.feed(id), entry, { expireIn: FEED_TTL_MS });
}

/** Adds a "conversation changed" entry to a commit. */
export function addChange(
  op: Deno.AtomicOperation,
  conversationId: string,
  reason: "message" | "state",
) {
  return addFeed(op, { kind: "change", conversationId, reason, origin: INSTANCE_ID });
}

/** Adds one "new messages" entry for the conversations of a group commit. */
export function addMessages(op: Deno.AtomicOperation, conversationIds: string[]) {
  return addFeed(op, { kind: "messages", conversationIds, origin: INSTANCE_ID });
}

/** Adds a "these agents' state changed" entry to a commit. */
export function addAgents(op: Deno.AtomicOperation, agentIds: string[]) {
  return addFeed(op, { kind: "agent", agentIds, origin: INSTANCE_ID });
}

/** Adds a "the queue moved" entry to a commit. */
export function addQueueMoved(op: Deno.AtomicOperation) {
  return addFeed(op, { kind: "queue", origin: INSTANCE_ID });
}
