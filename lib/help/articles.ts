/**
 * Help-center articles: Markdown files with an optional front matter block of example questions
 * (`---\nquestions:\n  - How do I …\n---`), parsed with `yaml` and validated with `zod`. Articles
 * are split into sections (one per `##` heading) for retrieval. Never throws on bad input: broken
 * front matter is dropped with a warning, and oversized articles are cut with a warning.
 */
import { parse as parseYaml } from "yaml";
import { z } from "zod";

export const LIMITS = {
  /** Characters of Markdown kept per article. */
  articleChars: 200_000,
  /** Sections kept per article. */
  sections: 200,
  /** Characters of one section's body kept for indexing and quoting. */
  sectionChars: 20_000,
  /** Example questions kept per article, and characters per question. */
  questions: 50,
  questionChars: 300,
  /** Articles loaded from one folder. */
  articles: 2_000,
} as const;

/** An article's name in its file name and URL (`/help/<slug>`). */
export const SLUG = /^[a-z0-9][a-z0-9_-]{0,99}$/;

export interface Article {
  /** The file name without `.md`. */
  slug: string;
  title: string;
  /** The Markdown body without front matter (what /help/:slug renders). */
  markdown: string;
  /** The article as written, front matter included (what the admin edits). */
  source: string;
  /** Example questions from the front matter (admin-provided). */
  questions: string[];
}

export interface Section {
  slug: string;
  title: string;
  /** The `##` heading; "" for the text between the title and the first heading. */
  heading: string;
  /** Plain text of the section. */
  body: string;
}

export interface Loaded {
  articles: Article[];
  /** Problems found while loading, one line each ("slug: what"). */
  warnings: string[];
}

const FrontMatter = z.object({
  questions: z.array(z.string().trim().min(1).max(LIMITS.questionChars)).max(LIMITS.questions)
    .optional(),
}).loose();

/** Markdown inline marks removed; list markers removed; single spaces. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]{0,200}>/g, " ")
    .replace(/[*_`]+/g, "")
    .replace(/^\s*(?:[-*+]|\d+\.)\s+/gm, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Splits `---` front matter from the body. Returns the questions and any warning. */
export function parseFrontMatter(
  raw: string,
): { body: string; questions: string[]; warning?: string } {
  const match = raw.match(/^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/);
  if (!match) {
    return raw.startsWith("---\n") || raw.startsWith("---\r\n")
      ? { body: raw, questions: [], warning: "front matter is not closed; ignored" }
      : { body: raw, questions: [] };
  }
  const body = raw.slice(match[0].length);
  let data: unknown;
  try {
    data = parseYaml(match[1], { maxAliasCount: 10, uniqueKeys: false });
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { body, questions: [], warning: `front matter is not valid YAML (${why}); ignored` };
  }
  if (data === null || data === undefined) return { body, questions: [] };
  const parsed = FrontMatter.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      body,
      questions: [],
      warning: `front matter ignored: ${issue.path.join(".") || "root"}: ${issue.message}`,
    };
  }
  return { body, questions: parsed.data.questions ?? [] };
}

/** The first `# heading` as plain text, or the slug. */
function titleOf(markdown: string, slug: string): string {
  const match = markdown.match(/^#[ \t]+(.+?)[ \t]*#*[ \t]*$/m);
  return (match ? plainText(match[1]) : "").slice(0, 300) || slug;
}

/** Parses one article from raw file text; `warnings` receives what was wrong with it. */
export function parseArticle(slug: string, raw: string, warnings: string[] = []): Article {
  let text = String(raw ?? "");
  if (text.length > LIMITS.articleChars) {
    warnings.push(`${slug}: article longer than ${LIMITS.articleChars} characters; cut`);
    text = text.slice(0, LIMITS.articleChars);
  }
  text = text.replace(/\r\n?/g, "\n");
  const { body, questions, warning } = parseFrontMatter(text);
  if (warning) warnings.push(`${slug}: ${warning}`);
  return { slug, title: titleOf(body, slug), markdown: body, source: text, questions };
}

/** One section per `##`–`######` heading, plus the text before the first one (if any). */
export function splitSections(article: Article): Section[] {
  const sections: Section[] = [];
  let heading = "";
  let lines: string[] = [];
  let inCode = false;
  const flush = () => {
    const body = plainText(lines.join("\n")).slice(0, LIMITS.sectionChars);
    if ((body || heading) && sections.length < LIMITS.sections) {
      sections.push({ slug: article.slug, title: article.title, heading, body });
    }
    lines = [];
  };
  for (const line of article.markdown.split("\n")) {
    if (/^\s*```/.test(line)) inCode = !inCode;
    const section = inCode ? null : line.match(/^#{2,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/);
    if (section) {
      flush();
      heading = plainText(section[1]).slice(0, 300);
    } else if (inCode || !/^#[ \t]/.test(line)) {
      lines.push(line);
    }
  }
  flush();
  return sections;
}

/** Articles from raw texts in memory (slug → Markdown); bad slugs are skipped with a warning. */
export function loadFromTexts(files: Record<string, string>): Loaded {
  const warnings: string[] = [];
  const articles: Article[] = [];
  for (const slug of Object.keys(files).sort()) {
    if (!SLUG.test(slug)) {
      warnings.push(`${slug.slice(0, 100)}: not a valid slug; skipped`);
      continue;
    }
    if (articles.length >= LIMITS.articles) {
      warnings.push(`${slug}: more than ${LIMITS.articles} articles; skipped`);
      continue;
    }
    articles.push(parseArticle(slug, files[slug], warnings));
  }
  return { articles, warnings };
}

/** Reads every `*.md` file of `dir` (not recursive). */
export async function loadDir(dir: string): Promise<Loaded> {
  const files: Record<string, string> = {};
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".md")) continue;
    files[entry.name.slice(0, -3)] = await Deno.readTextFile(
      `${dir.replace(/\/+$/, "")}/${entry.name}`,
    );
  }
  return loadFromTexts(files);
}
