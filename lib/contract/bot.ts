/**
 * The bodies and answers of the bot's and help center's endpoints, shared by the server and the
 * islands: articles (admins edit them), previews, "did that answer your question?" votes, the
 * bot test bench, and the agent's suggested reply.
 */
import { z } from "zod";

/** An article's name in its URL (`/help/<slug>`) and file name. */
export const articleSlug = z.string().regex(
  /^[a-z0-9][a-z0-9_-]{0,99}$/,
  "use lower-case letters, digits, - and _ (at most 100)",
);
/** Markdown with optional front matter; the API's 64 KiB body limit bounds it first. */
export const articleBody = z.strictObject({ source: z.string().max(64_000) });
export const previewBody = z.strictObject({ source: z.string().max(64_000) });
export const feedbackBody = z.strictObject({ helpful: z.boolean() });
export const seqParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** A question set in any format lib/bot/eval.ts reads (JSON or "question | expected" lines). */
export const evalBody = z.strictObject({ questions: z.string().min(1).max(64_000) });
export const botMetricsQuery = z.object({ since: z.iso.datetime({ offset: true }).optional() });

/** An article as the admin's list shows it. */
export interface ArticleSummary {
  slug: string;
  title: string;
  /** Example questions in its front matter. */
  questions: number;
  chars: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface ArticlePreview {
  title: string;
  /** Rendered by lib/help/markdown.ts: raw HTML off, links checked; safe to insert as is. */
  html: string;
  sections: string[];
  questions: string[];
  warnings: string[];
}

/** A canned reply that matches the conversation (the workspace's canned replies). */
export interface SuggestedCannedReply {
  id: string;
  shortcut: string;
  title: string;
  text: string;
}

/** A draft for the agent: it fills the composer, it is never sent by itself. */
export interface Suggestion {
  text: string;
  /** Gemini's draft, the best help-center passage, or nothing found. */
  source: "gemini" | "help_center" | "none";
  article: { slug: string; title: string; heading?: string } | null;
  cannedReplies: SuggestedCannedReply[];
}
