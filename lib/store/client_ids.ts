/**
 * The clientId dedupe window, kept inside the conversation record (issue 16) instead of one
 * ["client_ids", …] key per message: the record is rewritten by every message anyway, so the
 * dedupe costs no B-tree page and no check of its own, and the record's versionstamp check (which
 * every append makes) covers it.
 *
 * Shape: `recentClientIds` maps each author to a flat list `[hash, seq, hash, seq, …]`, oldest
 * first, of that author's last `PER_AUTHOR` clientIds (hash: 30-bit FNV-1a, a small integer that
 * V8 serializes in a few bytes), for at most `AUTHORS` authors (the least recent author goes
 * first). A hash that matches is verified against the message at that seq (its clientId), so a
 * collision is never taken for a repeat. About 150 bytes per author: the record stays under the
 * size at which SQLite moves a row to overflow pages.
 *
 * Past the window: a clientId older than the author's last `PER_AUTHOR` is taken as new. That is
 * safe for how clients retry: a send is repeated only when its ack was lost with the socket, and
 * the client (lib/client/chat_socket.ts) then repeats its unacknowledged sends first and in order,
 * so when a repeat arrives the same author committed at most the sends that were in flight on the
 * socket that dropped — a handful for a person typing, far under 16. Messages of other authors
 * (the agent, the bot, system) do not push an author's ids out.
 *
 * The field is the store's own: `publicRecord` strips it from everything the store hands out.
 */
import type { Conversation } from "../contract/types.ts";

export const PER_AUTHOR = 16;
export const AUTHORS = 8;

/** A conversation as stored: the public record and the dedupe window. */
export type StoredConversation = Conversation & {
  recentClientIds?: Record<string, number[]>;
};

/** 30-bit FNV-1a of a clientId (a small integer: short in V8's serialization). */
export function clientIdHash(clientId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < clientId.length; i++) {
    h ^= clientId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 2;
}

/** Seqs (newest first) whose clientId hash matches: candidates, to verify against the message. */
export function candidates(c: StoredConversation, authorId: string, clientId: string): number[] {
  const list = c.recentClientIds?.[authorId];
  if (!list) return [];
  const h = clientIdHash(clientId);
  const out: number[] = [];
  for (let i = list.length - 2; i >= 0; i -= 2) if (list[i] === h) out.push(list[i + 1]);
  return out;
}

/** `c`'s window with `clientId` of `authorId` at `seq` added (a new object; `c` is not changed). */
export function withClientId(
  c: StoredConversation,
  authorId: string,
  clientId: string,
  seq: number,
): Record<string, number[]> {
  const prev = c.recentClientIds ?? {};
  const own = prev[authorId];
  const list = own ? (own.length >= PER_AUTHOR * 2 ? own.slice(2) : own.slice()) : [];
  list.push(clientIdHash(clientId), seq);
  // Authors stay in order of their latest id (the least recent goes first past AUTHORS). Built
  // afresh rather than with `delete`, which would turn the object into a slow dictionary.
  const authors = Object.keys(prev);
  if (authors[authors.length - 1] === authorId) return { ...prev, [authorId]: list };
  const others = authors.filter((a) => a !== authorId);
  const next: Record<string, number[]> = {};
  for (const a of others.slice(Math.max(0, others.length - (AUTHORS - 1)))) next[a] = prev[a];
  next[authorId] = list;
  return next;
}

/** The record without the dedupe window: what leaves the store. */
export function publicRecord<T extends Conversation | null>(c: T): T {
  if (!c || !("recentClientIds" in c)) return c;
  const { recentClientIds: _, ...rest } = c as StoredConversation;
  return rest as T;
}
