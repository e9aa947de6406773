/**
 * The search index (GET /api/search), kept in KV (key shapes in ./keys.ts), so every instance
 * sees it:
 *
 * - each customer, agent or bot message's words, grouped by indexer batch: ["search_msg", term,
 *   batchKey] → {p: [conversationId, seq, …]}, one entry per word and batch, holding every message
 *   of the batch that has the word (oldest first). The group commit (./group_commit.ts) writes one
 *   ["search_pending", messageId] entry with the message, and the indexer (./search_indexer.ts, one
 *   instance at a time) turns a batch of them into these entries shortly after, off the message
 *   path. A batch key starts with the batch's newest message id (a ULID), so a word's entries
 *   listed backwards are newest first. A word shared by a batch's messages costs one entry, not one
 *   per message (issue 16). System messages and the greeting are not indexed. Entries of a single
 *   message, ["search_msg", term, messageId] → {c, s} (the backfill's, and those of indexers before
 *   issue 16), are read alike, so an existing index needs no migration;
 * - each conversation's customer's name and email words: ["search_customer", term, conversationId],
 *   set with the conversation (./conversations.ts `create`);
 * - conversations and messages written before the index: the resumable step of ./migrations.ts.
 *
 * Erasure (./erase.ts) finds an indexed message's batch by the ["search_done", messageId] marker
 * of its conversation's first message in that batch (./search_indexer.ts).
 *
 * A query's words must all be in the message (or the name and email); the rarest word (messages
 * counted up to PROBE) drives the scan, newest first, and the others are checked on the
 * candidates. Words are compared folded (lower case, accents removed); a message indexes its first
 * MAX_TERMS distinct words.
 */
import { keys } from "./keys.ts";
import type { Conversation, Message } from "../contract/types.ts";
import { getValues } from "./batch.ts";
import type { Writes } from "./queue.ts";

/** Distinct words indexed per message (a commit holds at most 1,000 mutations). */
export const MAX_TERMS = 100;
const MAX_TERM_LENGTH = 40;
/** Candidates (messages) a query looks at, at most, before it answers with what it found. */
const MAX_SCAN = 5000;
/** Messages counted per word to find the rarest one (the one whose scan drives a query). */
const PROBE = 200;
/** Conversations (newest started first) a name or email query looks at, at most. */
const MAX_CUSTOMER_SCAN = 500;

/** The folded words of a text, distinct, in order of appearance, at most `max`. */
export function searchTerms(text: string, max = MAX_TERMS): string[] {
  const folded = text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase();
  const out = new Set<string>();
  for (const word of folded.split(/[^\p{L}\p{N}]+/u)) {
    // One-letter words are noise in Latin scripts; one CJK character is a word.
    if (!word || (word.length < 2 && word.charCodeAt(0) < 0x80)) continue;
    out.add(word.slice(0, MAX_TERM_LENGTH));
    if (out.size >= max) break;
  }
  return [...out];
}

/** Whether a message is indexed at all (customers', agents' and the bot's replies, notes too). */
export const indexed = (m: Pick<Message, "sender">) => m.sender !== "system";

/**
 * Adds a message's own entries (one per word) to a commit; returns how many (`terms`: precomputed,
 * optional). The backfill's shape (./search_backfill.ts); the indexer groups words by batch.
 */
export function indexMessage(op: Writes, m: Message, terms = searchTerms(m.text)): number {
  if (!indexed(m)) return 0;
  for (const t of terms) op.set(keys.searchMessage(t, m.id), { c: m.conversationId, s: m.seq });
  return terms.length;
}

/** An index entry: a batch's messages with the word (flat pairs, oldest first), or one message. */
export type IndexEntry = { p: (string | number)[] } | Posting;

/** A message as an index entry names it. */
export interface Posting {
  c: string;
  s: number;
}

/** A batch's entry for one word: its messages, oldest first, as flat pairs (short in V8's form). */
export function batchEntry(postings: Posting[]): IndexEntry {
  return { p: postings.flatMap(({ c, s }) => [c, s]) };
}

/** The (conversationId, seq) pairs of an index entry, newest first. */
export function postingsOf(value: IndexEntry): Posting[] {
  if (!("p" in value)) return [value];
  const out: Posting[] = [];
  for (let i = value.p.length - 2; i >= 0; i -= 2) {
    out.push({ c: String(value.p[i]), s: Number(value.p[i + 1]) });
  }
  return out;
}

/** Adds a conversation's customer name and email entries to a commit; returns how many. */
export function indexCustomer(
  op: Writes,
  conversationId: string,
  name: string,
  email?: string,
): number {
  const terms = searchTerms(`${name} ${email ?? ""}`, 40);
  for (const t of terms) op.set(keys.searchCustomer(t, conversationId), null);
  return terms.length;
}

export interface SearchHit {
  conversation: Conversation;
  message?: Message;
  snippet: string;
}

/** A window of `text` around the first of `terms` it contains (at most ~160 characters). */
export function snippetOf(text: string, terms: string[]): string {
  const folded = text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase();
  const at = Math.min(...terms.map((t) => folded.indexOf(t)).filter((i) => i >= 0), Infinity);
  if (text.length <= 160) return text;
  // NFKD may shift offsets a little; the window is generous enough for that.
  const start = at === Infinity ? 0 : Math.max(0, at - 60);
  const piece = text.slice(start, start + 160);
  return `${start > 0 ? "…" : ""}${piece}${start + 160 < text.length ? "…" : ""}`;
}

export class SearchIndex {
  constructor(private kv: Deno.Kv) {}

  /**
   * Conversations matching every word of `query`, by message text or by customer name or email,
   * newest first, one result per conversation (its newest matching message), at most `limit`.
   * `customerEmail` gives a conversation's customer's email (for multi-word checks).
   */
  async query(
    query: string,
    limit: number,
    customerEmail: (customerId: string) => Promise<string | undefined>,
  ): Promise<SearchHit[]> {
    const terms = searchTerms(query, 10);
    if (!terms.length) return [];
    const [byMessage, byCustomer] = await Promise.all([
      this.#rarest(terms, keys.searchMessagePrefix).then((drive) =>
        drive === null ? [] : this.#messages(terms, drive, limit)
      ),
      this.#rarest(terms, keys.searchCustomerPrefix).then((drive) =>
        drive === null ? [] : this.#customers(terms, drive, limit, customerEmail)
      ),
    ]);
    const seen = new Set<string>();
    const all = [...byMessage, ...byCustomer].sort((a, b) =>
      timeOf(b).localeCompare(timeOf(a)) || b.conversation.id.localeCompare(a.conversation.id)
    );
    const out: SearchHit[] = [];
    for (const hit of all) {
      if (seen.has(hit.conversation.id)) continue;
      seen.add(hit.conversation.id);
      out.push(hit);
      if (out.length >= limit) break;
    }
    return out;
  }

  /**
   * The word with the fewest entries under `prefix` (counted up to PROBE each, at once): the scan
   * that finds all of them soonest. Null when one has none (nothing can match).
   */
  async #rarest(
    terms: string[],
    prefix: (term: string) => Deno.KvKey,
  ): Promise<string | null> {
    const counts = await Promise.all(terms.map(async (t) => {
      let n = 0;
      // Small reads: a common word's batch entries hold up to a few hundred messages each.
      const iter = this.kv.list({ prefix: prefix(t) }, { limit: PROBE, batchSize: 10 });
      for await (const e of iter) {
        // A batch entry counts its messages; a customer's entry (null) or a message's own, one.
        const v = e.value as IndexEntry | null;
        n += v && "p" in v ? v.p.length / 2 : 1;
        if (n >= PROBE) break;
      }
      return n;
    }));
    if (counts.some((n) => n === 0)) return null;
    return terms[counts.indexOf(Math.min(...counts))];
  }

  async #messages(terms: string[], drive: string, limit: number): Promise<SearchHit[]> {
    const found = new Map<string, Message>();
    let scanned = 0;
    const iter = this.kv.list<IndexEntry>(
      { prefix: keys.searchMessagePrefix(drive) },
      { reverse: true, batchSize: 10 },
    );
    let pending: { c: string; s: number }[] = [];
    const flush = async () => {
      const messages = await getValues<Message>(
        this.kv,
        pending.map((p) => keys.message(p.c, p.s)),
      );
      pending = [];
      for (const m of messages) {
        if (found.has(m.conversationId) || found.size >= limit) continue;
        const words = new Set(searchTerms(m.text, Infinity));
        if (terms.every((t) => words.has(t))) found.set(m.conversationId, m);
      }
    };
    scan: for await (const e of iter) {
      for (const posting of postingsOf(e.value)) {
        if (found.has(posting.c)) continue;
        pending.push(posting);
        if (pending.length >= 100) await flush();
        if (found.size >= limit || ++scanned >= MAX_SCAN) break scan;
      }
    }
    if (pending.length && found.size < limit) await flush();
    const conversations = await getValues<Conversation>(
      this.kv,
      [...found.keys()].map((id) => keys.conversation(id)),
    );
    return conversations.map((conversation) => {
      const message = {
        ...found.get(conversation.id)!,
        private: !!found.get(conversation.id)!.private,
      };
      return { conversation, message, snippet: snippetOf(message.text, terms) };
    });
  }

  async #customers(
    terms: string[],
    drive: string,
    limit: number,
    customerEmail: (customerId: string) => Promise<string | undefined>,
  ): Promise<SearchHit[]> {
    const ids: string[] = [];
    const iter = this.kv.list({ prefix: keys.searchCustomerPrefix(drive) }, { reverse: true });
    for await (const e of iter) {
      ids.push(String(e.key[2]));
      if (ids.length >= MAX_CUSTOMER_SCAN) break;
    }
    const out: SearchHit[] = [];
    const conversations = await getValues<Conversation>(
      this.kv,
      ids.map((id) => keys.conversation(id)),
    );
    for (const conversation of conversations) {
      const email = await customerEmail(conversation.customerId);
      const text = `${conversation.customerName} ${email ?? ""}`;
      if (terms.length > 1) {
        const words = new Set(searchTerms(text, Infinity));
        if (!terms.every((t) => words.has(t))) continue;
      }
      out.push({
        conversation,
        snippet: email ? `${conversation.customerName} <${email}>` : conversation.customerName,
      });
      if (out.length >= limit) break;
    }
    return out;
  }
}

const timeOf = (hit: SearchHit) => hit.message?.createdAt ?? hit.conversation.updatedAt;
