/**
 * The built-in bot's understanding, without an LLM: one synchronous `reply()` that decides, in
 * order, whether a message is small talk, a request for a person, frustration, a question in a
 * language the English help center cannot answer, a question about the customer's own account,
 * or a help-center question (with the previous turn as context for follow-ups). When no section
 * clearly answers (the index's calibrated abstention, lib/help/retrieval.ts) it says so and offers
 * a person instead of guessing; a second miss in a row hands off. ./builtin.ts wraps it as a Bot.
 */
import { z } from "zod";
import type { Knowledge, SearchResult } from "../help/knowledge.ts";
import { MAX_TEXT } from "../help/text.ts";
import { answerAccount, type Facts, NOT_KNOWN } from "./account.ts";
import {
  isFollowUp,
  lastBotWasUnsure,
  previousArticle,
  previousQuestion,
  type Turn,
} from "./followup.ts";
import {
  detectLanguage,
  frustration,
  smallTalk,
  smallTalkLanguage,
  stripGreeting,
  wantsPerson,
} from "./intents.ts";
import { type Lang, LANGS, PHRASES } from "./phrases.ts";
import type { ReplyMeta } from "./types.ts";

export type Outcome = "answered" | "smalltalk" | "unsure" | "handoff";

export interface EngineInput {
  text: string;
  /** Earlier messages, oldest first (the current message may be the last one). */
  history?: Turn[];
  /** The signed-in customer's facts; null or absent for guests. */
  facts?: Facts | null;
  /** Consecutive earlier replies that were `unsure` (as the runner counts them). */
  consecutiveMisses?: number;
  /** Signed in (false: a guest), for the "what can you do" answer. */
  signedIn?: boolean;
}

export interface EngineReply {
  text: string;
  outcome: Outcome;
  /** For agents and logs, never shown as is. */
  reason?: string;
  meta: ReplyMeta & { lang: Lang };
}

const Input = z.object({
  text: z.string().transform((t) => t.slice(0, MAX_TEXT)),
  history: z.array(z.object({ sender: z.string().max(20), text: z.string() })).optional()
    .transform((h) => (h ?? []).slice(-20).map((m) => ({ ...m, text: m.text.slice(0, MAX_TEXT) }))),
  facts: z.record(z.string(), z.unknown()).nullable().optional(),
  consecutiveMisses: z.number().int().min(0).optional(),
  signedIn: z.boolean().optional(),
});

/** At most three sentences and about 400 characters of a passage, cut at a sentence end. */
export function trimPassage(passage: string, maxSentences = 3, maxChars = 400): string {
  const sentences = passage.match(/[^.!?]+(?:[.!?]+["')]?|$)\s*/g) ?? [passage];
  let out = "";
  for (const sentence of sentences.slice(0, maxSentences)) {
    if (out && out.length + sentence.length > maxChars) break;
    out += sentence;
  }
  return out.length > maxChars ? `${out.slice(0, maxChars - 1).trimEnd()}…` : out.trim();
}

/** "More in “Title”: /help/slug" — the citation every help-center answer ends with. */
export function citation(title: string, slug: string): string {
  return `More in “${title}”: /help/${slug}`;
}

const UNSURE_TEXTS = LANGS.map((l) => PHRASES[l].unsure);

export class Engine {
  constructor(private knowledge: Knowledge) {}

  reply(raw: EngineInput): EngineReply {
    const parsed = Input.safeParse(raw);
    if (!parsed.success) {
      return {
        text: PHRASES.en.unsure,
        outcome: "unsure",
        reason: "invalid input",
        meta: { lang: "en" },
      };
    }
    const { text, history, facts, consecutiveMisses, signedIn } = parsed.data;
    const detected = detectLanguage(text);
    const lang = detected.lang;
    const say = (l: Lang) => PHRASES[l];
    const handoff = (l: Lang, words: string, reason: string, kind: ReplyMeta["handoff"]) => ({
      text: words,
      outcome: "handoff" as const,
      reason,
      meta: { lang: l, handoff: kind },
    });
    if (!text.trim()) {
      return { text: say(lang).unsure, outcome: "unsure", reason: "empty", meta: { lang } };
    }

    const talk = smallTalk(text);
    if (talk === "greeting" || talk === "thanks") {
      const l = smallTalkLanguage(text) ?? lang;
      return { text: say(l)[talk], outcome: "smalltalk", meta: { lang: l } };
    }
    if (talk === "help") {
      return {
        text: this.#capabilities(signedIn ?? !!facts),
        outcome: "smalltalk",
        meta: { lang },
      };
    }
    const person = wantsPerson(text, lang);
    if (person) {
      const l = person !== "en" ? person : lang;
      return handoff(l, say(l).handoff, "The customer asked for a person.", "asked");
    }
    const upset = frustration(text, lang);
    if (upset) {
      const l = upset !== "any" && upset !== "en" ? upset : lang;
      return handoff(l, say(l).frustrated, "The customer seems frustrated.", "frustrated");
    }
    // Only a clear case: markup or a few odd words are no reason to hand a customer over.
    if (lang !== "en" && detected.confident) {
      const reason = `The customer writes in ${lang}; the help center is in English.`;
      return handoff(lang, say(lang).notInLanguage, reason, "language");
    }

    const question = stripGreeting(text);
    const account = answerAccount(question, facts ?? null);
    if (account?.known && account.factKey) {
      return {
        text: account.text,
        outcome: "answered",
        reason: "from the customer's facts",
        meta: { lang, factKey: account.factKey },
      };
    }
    // A guest asking about "my plan" must sign in first (the help center cannot know).
    if (account && !facts) {
      return { text: account.text, outcome: "answered", reason: "guest", meta: { lang } };
    }
    // "What plan am I on?" with no such fact: an article about plans would not be *their* plan.
    const namedFact = account?.asksForFact === true;

    const result = namedFact ? null : this.#search(question, history);
    if (result?.answer) {
      const { slug, title, heading, body } = result.answer;
      return {
        text: `${trimPassage(body || heading)}\n\n${citation(title, slug)}`,
        outcome: "answered",
        reason: result.reason,
        meta: { lang, slug, section: heading, confidence: result.confidence },
      };
    }
    const missedBefore = (consecutiveMisses ?? 0) >= 1 || lastBotWasUnsure(history, UNSURE_TEXTS);
    if (missedBefore) {
      return handoff(
        lang,
        say(lang).unsureAgain,
        "The bot could not answer twice in a row.",
        "unanswered",
      );
    }
    return {
      text: account ? NOT_KNOWN : say(lang).unsure,
      outcome: "unsure",
      reason: account ? "account fact not known" : result?.reason,
      meta: { lang, confidence: result?.confidence ?? 0 },
    };
  }

  /** "What can you do?": the help center's topics, and account answers for signed-in customers. */
  #capabilities(signedIn: boolean): string {
    const topics = this.knowledge.articles().slice(0, 30).map((a) => a.title).join("; ");
    const account = signedIn
      ? " I can also tell you about your account, such as when you registered or your plan."
      : "";
    return `I can answer questions about: ${topics}.${account} If you'd like a person, just say ` +
      '"talk to a human".';
  }

  /**
   * The question alone, or, for a follow-up, with the previous question as context: first within
   * the topic's article (the one the bot last answered from, else the previous question's best
   * article) when the new words themselves match a section there, else over all articles.
   */
  #search(question: string, history: Turn[]): SearchResult {
    const kb = this.knowledge;
    const previous = previousQuestion(history, question);
    if (!previous || !isFollowUp(question)) return kb.query(question);
    const topic = previousArticle(history, (title) => kb.slugOfTitle(title)) ??
      kb.query(previous).answer?.slug;
    if (topic) {
      const within = kb.query(question, { context: previous, onlySlug: topic });
      const top = within.hits[0];
      if (top && top.ownCoverage >= 0.75) {
        return {
          ...within,
          answer: top,
          confidence: top.ownCoverage,
          reason: "follow-up within the topic",
        };
      }
    }
    const all = kb.query(question, { context: previous, preferSlug: topic ?? undefined });
    const top = all.hits[0];
    // A follow-up is judged on its own words; the context only picks the topic.
    if (!all.answer && !all.vetoed && top && top.ownCoverage >= 0.6 && top.coverage >= 0.3) {
      return { ...all, answer: top, confidence: top.ownCoverage, reason: "follow-up" };
    }
    return all;
  }
}
