/**
 * The Gemini bot's tools as it runs them for the model: the customer's own profile (no arguments:
 * never another customer's), help-center search (passages fenced as untrusted data). What they
 * return is recorded on the attempt, so the guard (./gemini_guard.ts) knows what the model was
 * given.
 */
import type { Knowledge } from "../help/knowledge.ts";
import { fence, profileArgsSchema, searchArgsSchema } from "./gemini_prompt.ts";
import type { Source } from "./gemini_guard.ts";
import type { BotContext } from "./types.ts";

/** One attempt with one model: what it was given, as the guard needs it. */
export interface Attempt {
  model: string;
  boundary: string;
  instruction: string;
  /** Help-center passages given (grounding and search results). */
  sources: Source[];
  /** Other text given that may hold addresses (the customer's facts). */
  otherText: string;
  /** The customer's profile was read (the answer is about their account). */
  profileUsed: boolean;
}

export async function runTool(
  ctx: BotContext,
  attempt: Attempt,
  knowledge: Knowledge,
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  switch (name) {
    case "get_customer_profile": {
      if (!profileArgsSchema.safeParse(args).success) {
        return {
          error: "get_customer_profile takes no arguments: it returns only the profile of the " +
            "customer in this chat. Other customers' data is never available.",
        };
      }
      const facts = await ctx.facts();
      if (!facts) return { error: "not signed in" };
      attempt.profileUsed = true;
      attempt.otherText += JSON.stringify(facts);
      return { profile: facts };
    }
    case "search_help_center": {
      const parsed = searchArgsSchema.safeParse(args);
      if (!parsed.success) return { error: "query must be a non-empty string" };
      const hits = knowledge.search(parsed.data.query, 3);
      attempt.sources.push(...hits.map((h) => ({ slug: h.slug, title: h.title, text: h.passage })));
      return {
        results: hits.map((h) => ({
          title: h.title,
          heading: h.heading,
          link: `/help/${h.slug}`,
          passage: fence(attempt.boundary, "help-center passage", h.passage),
        })),
      };
    }
    default:
      return { error: `unknown function ${name.slice(0, 100)}` };
  }
}
