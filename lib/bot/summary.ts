/**
 * The handoff summary for the agent who takes over, extractive (no key needed): what the customer
 * wants (their questions, without greetings and "get me a person"), what the bot already answered
 * (each answer's article, with the question it answered), and the facts gathered about them. Pure:
 * history and facts in, summary out. ./gemini_assist.ts writes the same shape with Gemini, and
 * falls back to this. (Posting it as a private note waits for the workspace's private notes.)
 */
import type { Message } from "../contract/types.ts";
import type { Knowledge } from "../help/knowledge.ts";
import { keyWords, render } from "./account.ts";
import { smallTalk, wantsPerson } from "./intents.ts";
import { citedSlug } from "./metrics.ts";
import type { CustomerFacts } from "./types.ts";

export interface HandoffSummary {
  /** The customer's questions, oldest first (at most 5, each cut to 300 characters). */
  wants: string[];
  /** What the bot answered: the question and the article it cited. */
  answered: { question: string; slug: string; title: string }[];
  /** Facts about the customer as "label: value" lines (at most 12). */
  facts: string[];
  /** All of it as plain text for the agent. */
  text: string;
}

const cut = (
  text: string,
  max: number,
) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A customer message that says what they want (not a greeting, thanks or bare "a person"). */
export function isRequest(text: string): boolean {
  const t = text.trim();
  if (!t || smallTalk(t)) return false;
  return !(wantsPerson(t) && t.split(/\s+/).length <= 8);
}

export function handoffSummary(
  history: Message[],
  facts: CustomerFacts | null,
  knowledge?: Pick<Knowledge, "article">,
): HandoffSummary {
  const wants: string[] = [];
  const answered: HandoffSummary["answered"] = [];
  let lastQuestion: string | null = null;
  for (const m of history) {
    if (m.sender === "customer" && isRequest(m.text)) {
      lastQuestion = cut(m.text.trim().replace(/\s+/g, " "), 300);
      if (!wants.includes(lastQuestion)) wants.push(lastQuestion);
    }
    if (m.sender === "bot") {
      const slug = citedSlug(m.text);
      if (slug && lastQuestion) {
        answered.push({
          question: lastQuestion,
          slug,
          title: knowledge?.article(slug)?.title ?? slug,
        });
      }
    }
  }
  const factLines = Object.entries(facts ?? {})
    .filter(([key, value]) => key !== "role" && value !== null && value !== undefined)
    .slice(0, 12)
    .map(([key, value]) => cut(`${keyWords(key).join(" ")}: ${render(value)}`, 200));
  const recent = wants.slice(-5);
  const lines = [
    recent.length
      ? `Customer wants: ${recent.map((w) => `“${w}”`).join("; ")}`
      : "Customer wants: (no question yet; they asked for a person)",
    answered.length
      ? `Bot already answered: ${
        answered.map((a) => `“${a.question}” with “${a.title}” (/help/${a.slug})`).join("; ")
      }`
      : "Bot already answered: nothing from the help center",
    factLines.length ? `Facts: ${factLines.join("; ")}` : "Facts: none (a guest, or nothing known)",
  ];
  return { wants: recent, answered, facts: factLines, text: lines.join("\n") };
}
