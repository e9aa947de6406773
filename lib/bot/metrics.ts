/**
 * Bot metrics for the admin, kept as events happen (lib/store/bot_stats.ts): conversations the bot
 * started and resolved alone, its answers and "I don't know"s, handoffs by reason (the runner's,
 * and the customer's own "Talk to a human"), the questions it could not answer (knowledge gaps)
 * and "did that answer your question?" votes per article. Recording never fails a caller: a KV
 * error is logged and the event is lost from the figures, nothing else.
 */
import type { Conversation } from "../contract/types.ts";
import type { Logger } from "../log.ts";
import type { BotStats, KnowledgeGap } from "../store/bot_stats.ts";
import type { Knowledge } from "../help/knowledge.ts";
import type { BotReply, HandoffKind } from "./types.ts";

export type HandoffReason = HandoffKind | "button";

export const HANDOFF_REASONS: Record<HandoffReason, string> = {
  asked: "Asked the bot for a person",
  button: "Pressed “Talk to a human”",
  frustrated: "Seemed frustrated",
  language: "Wrote in another language",
  unanswered: "The bot could not answer twice",
  model: "Gemini decided to hand off",
};

export interface ArticleFigures {
  slug: string;
  title: string;
  /** Answers the bot gave from it. */
  answers: number;
  yes: number;
  no: number;
  /** yes / (yes + no), or null without votes. */
  helpfulness: number | null;
}

export interface BotMetricsReport {
  window: { since: string; until: string };
  /** Conversations started (the bot greets every one). */
  conversations: number;
  /** Resolved without a person ever being asked for. */
  resolvedByBot: number;
  answers: number;
  unsure: number;
  handoffs: number;
  /** handoffs / conversations; null with no conversations. */
  handoffRate: number | null;
  handoffReasons: { reason: HandoffReason; label: string; count: number }[];
  feedback: { yes: number; no: number };
  articles: ArticleFigures[];
  /** Questions the bot could not answer, newest first: the articles to write. */
  gaps: KnowledgeGap[];
}

/** The article slug a bot message cites ("/help/slug"), if any. */
export function citedSlug(text: string): string | null {
  return text.match(/\/help\/([a-z0-9][a-z0-9_-]{0,99})/)?.[1] ?? null;
}

export class BotMetrics {
  constructor(private stats: BotStats, private log: Logger) {}

  #record(what: string, work: () => Promise<void>): void {
    work().catch((err) => this.log.warn("bot metrics lost", { event: what, err: String(err) }));
  }

  /** A conversation started (the bot greeted). */
  started(): void {
    this.#record("started", () => this.stats.count(["started"]));
  }

  /**
   * The bot's committed reply to `question` in `conversation` (as it was before the reply). A
   * handoff counts when the bot held the conversation (a second one while queued does not).
   */
  replied(conversation: Conversation, reply: BotReply, question: string): void {
    const counters: string[] = [];
    const meta = reply.meta ?? {};
    const slug = meta.slug ?? (reply.outcome === "answered" ? citedSlug(reply.text) : null);
    if (reply.outcome === "answered") {
      counters.push("answered");
      if (slug) counters.push(`article:${slug}:answers`);
    }
    if (reply.outcome === "unsure") counters.push("unsure");
    if (reply.outcome === "handoff" && conversation.mode === "bot") {
      counters.push("handoff", `handoff:${meta.handoff ?? "asked"}`);
    }
    const gap = reply.outcome === "unsure" ||
      (reply.outcome === "handoff" && meta.handoff === "unanswered");
    this.#record("reply", async () => {
      await this.stats.count(counters);
      if (gap && question.trim()) {
        await this.stats.addGap({
          question: question.trim(),
          conversationId: conversation.id,
          reason: reply.reason?.slice(0, 200) ?? null,
          lang: meta.lang ?? null,
        });
      }
    });
  }

  /** The customer pressed "Talk to a human" while the bot held the conversation. */
  customerHandoff(before: Conversation): void {
    if (before.mode !== "bot" || before.status !== "open") return;
    this.#record("handoff", () => this.stats.count(["handoff", "handoff:button"]));
  }

  /** A conversation was resolved; it counts for the bot if no person was ever asked for. */
  resolved(conversation: Conversation): void {
    if (conversation.humanRequestedAt) return;
    this.#record("resolved", () => this.stats.count(["resolved_by_bot"]));
  }

  async report(since: number, until: number, knowledge: Knowledge): Promise<BotMetricsReport> {
    const [totals, gaps] = await Promise.all([
      this.stats.totals(since, until),
      this.stats.gaps(since),
    ]);
    const n = (name: string) => totals.get(name) ?? 0;
    const conversations = n("started");
    const handoffs = n("handoff");
    const slugs = new Set<string>();
    for (const name of totals.keys()) {
      const match = name.match(/^article:(.+):(answers|yes|no)$/);
      if (match) slugs.add(match[1]);
    }
    const articles = [...slugs].map((slug) => {
      const [answers, yes, no] = ["answers", "yes", "no"].map((k) => n(`article:${slug}:${k}`));
      return {
        slug,
        title: knowledge.article(slug)?.title ?? slug,
        answers,
        yes,
        no,
        helpfulness: yes + no ? yes / (yes + no) : null,
      };
    }).sort((a, b) => b.answers - a.answers || a.slug.localeCompare(b.slug));
    return {
      window: { since: new Date(since).toISOString(), until: new Date(until).toISOString() },
      conversations,
      resolvedByBot: n("resolved_by_bot"),
      answers: n("answered"),
      unsure: n("unsure"),
      handoffs,
      handoffRate: conversations ? handoffs / conversations : null,
      handoffReasons: (Object.keys(HANDOFF_REASONS) as HandoffReason[])
        .map((reason) => ({
          reason,
          label: HANDOFF_REASONS[reason],
          count: n(`handoff:${reason}`),
        }))
        .filter((r) => r.count > 0),
      feedback: { yes: n("feedback:yes"), no: n("feedback:no") },
      articles,
      gaps,
    };
  }
}
