/**
 * THE registry of what belongs to a conversation and to a customer: retention (../chat/retention.ts),
 * GDPR export and erasure (./erase.ts, ./export.ts) all read this one list, so a feature that
 * stores something keyed by a conversation or naming a customer (attachments, search entries)
 * adds one line here and is then kept, exported and erased like everything else.
 *
 * - `conversationParts`: records of one conversation, under a key or prefix of their own.
 * - `scannedParts`: records under a shared prefix that may name the customer or one of their
 *   conversations; each such prefix is small or expires (sessions, the feed, unanswered questions,
 *   the outbox, deliveries), so a scan is bounded.
 * - `customerKeys`: the customer's own record and the unique indexes and limits derived from it.
 *
 * The conversation record itself, its list indexes, counters and queue place are not here: they
 * go in one checked commit (./erase.ts, through ./lists.ts `unindex`), so counters stay right.
 */
import { keys } from "./keys.ts";
import type { UserRecord } from "./users.ts";
import { sha256Hex } from "../ids.ts";

/** A key (that one record) or a prefix (every record under it). */
export type Place = { key: Deno.KvKey } | { prefix: Deno.KvKey };

export interface ConversationPart {
  name: string;
  of(conversationId: string): Place[];
}

export const conversationParts: ConversationPart[] = [
  { name: "messages", of: (id) => [{ prefix: keys.messagesPrefix(id) }] },
  // The old dedupe keys (before store version 3: now a window in the record), if any are left.
  { name: "clientIds", of: (id) => [{ prefix: keys.clientIdsOf(id) }] },
  { name: "reads", of: (id) => [{ prefix: keys.readsPrefix(id) }] },
  { name: "botFeedback", of: (id) => [{ prefix: keys.botFeedbackPrefix(id) }] },
  { name: "rating", of: (id) => [{ key: keys.rating(id) }] },
  // Which seqs are private notes (./reads.ts).
  { name: "notes", of: (id) => [{ prefix: keys.notesPrefix(id) }] },
  // Files themselves are deleted first through this index (./erase.ts, ./attachments.ts).
  { name: "attachments", of: (id) => [{ prefix: keys.attachmentsByConversationPrefix(id) }] },
];

/** Whom a scan looks for: the customer and their conversations. */
export interface Subject {
  /** null: conversations only (retention). */
  customerId: string | null;
  conversationIds: ReadonlySet<string>;
}

export interface ScannedPart {
  name: string;
  prefix: Deno.KvKey;
  /** Whether this record names the subject. */
  names(value: unknown, subject: Subject): boolean;
}

/** Any string in `value` (searched as JSON) that is the customer's id or one of their conversations'. */
function mentions(value: unknown, subject: Subject): boolean {
  const text = JSON.stringify(value ?? null);
  if (subject.customerId && text.includes(subject.customerId)) return true;
  for (const id of subject.conversationIds) if (text.includes(id)) return true;
  return false;
}

export const scannedParts: ScannedPart[] = [
  {
    name: "sessions",
    prefix: keys.sessionsPrefix(),
    names: (v, s) => !!s.customerId && (v as { userId?: string } | null)?.userId === s.customerId,
  },
  { name: "feed", prefix: keys.feedPrefix(), names: mentions },
  { name: "unansweredQuestions", prefix: keys.botGapsPrefix(), names: mentions },
  // Events not yet fanned out, and webhook deliveries and emails (kept 7 days once finished):
  // their bodies name the customer and their conversations. A due entry left without its
  // delivery is dropped by the sender (./deliveries.ts).
  { name: "outbox", prefix: keys.outboxPrefix(), names: mentions },
  { name: "deliveries", prefix: keys.deliveriesPrefix(), names: mentions },
  // Messages waiting for the search indexer (drained within seconds). The index entries
  // themselves are keyed by word: ./erase.ts deletes them from the texts they were made from.
  { name: "searchPending", prefix: keys.searchPendingPrefix(), names: mentions },
  { name: "searchPendingRun", prefix: keys.searchPendingRunPrefix(), names: mentions },
];

/** The customer's record, its unique indexes, and their sign-in limits record. */
export async function customerKeys(record: UserRecord): Promise<Deno.KvKey[]> {
  const out: Deno.KvKey[] = [keys.user(record.id)];
  if (record.email) {
    out.push(keys.userByEmail(record.email));
    out.push(keys.signInAccount(await sha256Hex(record.email.trim().toLowerCase())));
  }
  if (record.externalId) out.push(keys.userByExternalId(record.externalId));
  return out;
}

/** Prefixes of the customer's conversation indexes (empty once their conversations are gone). */
export const customerIndexPrefixes = (customerId: string): Deno.KvKey[] => [
  keys.byCustomerPrefix(customerId),
  keys.customerOpenPrefix(customerId),
  keys.customerResolvedPrefix(customerId),
];
