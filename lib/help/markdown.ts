/**
 * Help-center articles as HTML, with markdown-it: raw HTML is off (an article's markup is shown as
 * text, never run), and links may go only to http(s) URLs, site-relative paths and fragments (no
 * `javascript:`, `data:` or protocol-relative `//host` links; such a link renders as its text).
 */
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

/** Links may go to http(s) URLs, site-relative paths and fragments only. */
export function safeHref(url: string): boolean {
  const trimmed = url.trim();
  if (/^https?:\/\//i.test(trimmed)) return true;
  return /^[^:]*$/.test(trimmed) && !trimmed.startsWith("//") && !trimmed.startsWith("\\");
}

md.validateLink = safeHref;

/** Renders an article's Markdown as HTML that is safe to put in a page as it is. */
export function renderMarkdown(markdown: string): string {
  return md.render(markdown).trim();
}
