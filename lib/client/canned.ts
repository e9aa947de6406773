/**
 * Canned replies in the composer (browser side, pure): which replies a "/query" shows, and the
 * placeholders filled in before sending: {{customer.name}}, {{customer.email}}, {{agent.name}}.
 * An unknown value (a guest without an email) becomes an empty string, never the raw placeholder.
 */
import type { CannedReply } from "../contract/canned.ts";

/** The "/query" being typed: the whole composer text is "/" and a word (else null). */
export function slashQuery(text: string): string | null {
  const m = /^\/([\p{L}\p{N}_-]*)$/u.exec(text);
  return m ? m[1].toLowerCase() : null;
}

/** Replies whose shortcut starts with the query first, then those whose title or shortcut holds it. */
export function filterReplies(replies: CannedReply[], query: string, max = 8): CannedReply[] {
  const q = query.toLowerCase();
  const starts = replies.filter((r) => r.shortcut.toLowerCase().startsWith(q));
  const holds = replies.filter((r) =>
    !starts.includes(r) &&
    (r.shortcut.toLowerCase().includes(q) || r.title.toLowerCase().includes(q))
  );
  return [...starts, ...holds].slice(0, max);
}

export interface PlaceholderValues {
  customer: { name: string; email?: string | null };
  agent: { name: string };
}

export function fillPlaceholders(text: string, v: PlaceholderValues): string {
  const values: Record<string, string> = {
    "customer.name": v.customer.name,
    "customer.email": v.customer.email ?? "",
    "agent.name": v.agent.name,
  };
  return text.replace(
    /\{\{\s*(customer\.name|customer\.email|agent\.name)\s*\}\}/g,
    (_, key: string) => values[key],
  );
}
