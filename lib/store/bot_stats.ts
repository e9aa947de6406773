/**
 * Bot metrics kept as events happen (key shapes in ./keys.ts): counters per UTC day (conversations
 * the bot started, its answers, unsure replies and handoffs by reason, conversations it resolved
 * alone, "did that answer your question?" votes, per article), the customers' votes themselves
 * (one per bot answer, checked in the same commit as their counters), and the questions the bot
 * could not answer (knowledge gaps, kept 30 days).
 */
import { keys } from "./keys.ts";
import type { Clock } from "../clock.ts";

export const GAP_TTL_MS = 30 * 24 * 3600_000;

export interface BotFeedback {
  conversationId: string;
  seq: number;
  helpful: boolean;
  /** The article the answer cited, if any. */
  slug: string | null;
  userId: string;
  at: string;
}

export interface KnowledgeGap {
  id: string;
  /** The customer's question as they wrote it (cut to 500 characters). */
  question: string;
  conversationId: string;
  at: string;
  /** Why the bot could not answer (its abstention reason), for the admin. */
  reason: string | null;
  lang: string | null;
}

/** UTC day of a time in milliseconds: "2026-07-30". */
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class BotStats {
  constructor(private kv: Deno.Kv, private clock: Clock, private newId: () => string) {}

  /** Adds 1 to each counter, for today, in one commit. */
  async count(counters: string[]): Promise<void> {
    if (!counters.length) return;
    const day = dayOf(this.clock.now());
    const op = this.kv.atomic();
    for (const c of counters) op.sum(keys.botStat(day, c), 1n);
    await op.commit();
  }

  /** Counter totals over the days from `since` to `until` (milliseconds, inclusive). */
  async totals(since: number, until: number): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    const iter = this.kv.list<Deno.KvU64>({
      start: keys.botStat(dayOf(since), ""),
      end: keys.botStat(`${dayOf(until)}~`, ""),
    });
    for await (const e of iter) {
      const name = String(e.key[2]);
      totals.set(name, (totals.get(name) ?? 0) + Number(e.value.value));
    }
    return totals;
  }

  /**
   * Stores a customer's vote on a bot answer with its counters, once: false (and nothing written)
   * when that answer already has a vote.
   */
  async vote(feedback: BotFeedback, counters: string[]): Promise<boolean> {
    const key = keys.botFeedback(feedback.conversationId, feedback.seq);
    const day = dayOf(this.clock.now());
    const op = this.kv.atomic().check({ key, versionstamp: null }).set(key, feedback);
    for (const c of counters) op.sum(keys.botStat(day, c), 1n);
    return (await op.commit()).ok;
  }

  /** The votes in a conversation, by seq. */
  async votes(conversationId: string): Promise<BotFeedback[]> {
    const out: BotFeedback[] = [];
    const iter = this.kv.list<BotFeedback>({ prefix: keys.botFeedbackPrefix(conversationId) });
    for await (const e of iter) out.push(e.value);
    return out;
  }

  async addGap(gap: Omit<KnowledgeGap, "id" | "at">): Promise<void> {
    const id = this.newId();
    const record: KnowledgeGap = {
      ...gap,
      id,
      question: gap.question.slice(0, 500),
      at: new Date(this.clock.now()).toISOString(),
    };
    await this.kv.set(keys.botGap(id), record, { expireIn: GAP_TTL_MS });
  }

  /** The newest unanswered questions since `since` (milliseconds), newest first. */
  async gaps(since: number, limit = 50): Promise<KnowledgeGap[]> {
    const out: KnowledgeGap[] = [];
    const iter = this.kv.list<KnowledgeGap>({ prefix: keys.botGapsPrefix() }, {
      reverse: true,
      limit: limit * 2,
    });
    for await (const e of iter) {
      if (Date.parse(e.value.at) < since) break;
      out.push(e.value);
      if (out.length >= limit) break;
    }
    return out;
  }
}
