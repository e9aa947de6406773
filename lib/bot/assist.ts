/**
 * Help for the agent who takes over: a suggested reply ("Suggest reply" in the console) and the
 * handoff summary (./summary.ts). Without a key, the suggestion is the best help-center passage
 * for the customer's latest question plus the canned replies that match it; with Gemini
 * (./gemini_assist.ts) it is a drafted reply, falling back to this one. A suggestion only fills
 * the agent's composer: nothing here sends anything.
 *
 * Canned replies belong to the agents' workspace: `CannedReplies` is the seam they plug into
 * (lib/chat/canned.ts `suggest`, wired in lib/server/services.ts): the team's replies sharing the
 * most words with the question.
 */
import type { Message, User } from "../contract/types.ts";
import type { SuggestedCannedReply, Suggestion } from "../contract/bot.ts";
import type { Knowledge } from "../help/knowledge.ts";
import { citation, trimPassage } from "./engine.ts";
import { type HandoffSummary, handoffSummary, isRequest } from "./summary.ts";
import { isFollowUp } from "./followup.ts";
import type { CustomerFacts } from "./types.ts";

/** Canned replies matching a text, best first (the workspace's canned replies plug in here). */
export type CannedReplies = (text: string, limit: number) => Promise<SuggestedCannedReply[]>;

export const noCannedReplies: CannedReplies = () => Promise.resolve([]);

export interface AssistContext {
  /** Recent messages, oldest first (private notes excluded by the caller). */
  history: Message[];
  customer: User;
  facts: CustomerFacts | null;
  /** The agent asking (their name may open the draft). */
  agent: User;
  signal?: AbortSignal;
}

export interface Assistant {
  suggest(ctx: AssistContext): Promise<Suggestion>;
  summarize(ctx: AssistContext): Promise<HandoffSummary>;
}

/**
 * The customer's question to answer: their latest request (not "hi" or "a person please"), with
 * the one before if it follows up.
 */
export function questionToAnswer(history: Message[]): string {
  const asked = history.filter((m) => m.sender === "customer").map((m) => m.text.trim())
    .filter(isRequest);
  const last = asked.at(-1) ?? "";
  const before = asked.at(-2);
  return before && isFollowUp(last) ? `${before} ${last}` : last;
}

export class HelpCenterAssistant implements Assistant {
  constructor(private knowledge: Knowledge, private canned: CannedReplies = noCannedReplies) {}

  async suggest(ctx: AssistContext): Promise<Suggestion> {
    const question = questionToAnswer(ctx.history).slice(0, 1000);
    const cannedReplies = question ? await this.canned(question, 3).catch(() => []) : [];
    const result = question ? this.knowledge.query(question) : null;
    // An agent reviews the draft: a passage that covers the question fairly well is worth showing
    // even where the bot itself would not have answered with it.
    const best = result?.answer ??
      (result?.hits[0] && result.hits[0].coverage >= 0.4 && !result.vetoed ? result.hits[0] : null);
    if (!best) return { text: "", source: "none", article: null, cannedReplies };
    const text = `${trimPassage(best.body || best.heading, 4, 600)}\n\n${
      citation(best.title, best.slug)
    }`;
    return {
      text,
      source: "help_center",
      article: {
        slug: best.slug,
        title: best.title,
        ...(best.heading ? { heading: best.heading } : {}),
      },
      cannedReplies,
    };
  }

  summarize(ctx: AssistContext): Promise<HandoffSummary> {
    return Promise.resolve(handoffSummary(ctx.history, ctx.facts, this.knowledge));
  }
}
