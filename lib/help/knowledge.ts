/**
 * The help center as the bots and pages see it: a snapshot of articles (./articles.ts: front
 * matter, sections, limits) with their section index (./retrieval.ts: stemming, synonyms, typo
 * tolerance, calibrated abstention). `KnowledgeBase` is one immutable snapshot; the live help
 * center that follows admins' edits in KV (./help_center.ts) implements the same `Knowledge`.
 */
import { type Article, loadDir, type Loaded, loadFromTexts } from "./articles.ts";
import { HelpIndex, type SearchOptions, type SearchResult } from "./retrieval.ts";

export type { Article } from "./articles.ts";
export type { RankedSection, SearchResult } from "./retrieval.ts";

/** One passage for a query (the Gemini tool `search_help_center`, the agent's suggestion). */
export interface Hit {
  slug: string;
  title: string;
  /** The section's text as plain text (Markdown marks removed). */
  passage: string;
  /** The section's `##` heading; absent for the text before the first section. */
  heading?: string;
  /** Ranking score (higher is better; not normalized). */
  score: number;
}

/** What readers of the help center use; a snapshot or the live help center. */
export interface Knowledge {
  /** All articles, by slug. */
  articles(): Article[];
  article(slug: string): Article | undefined;
  /** The best passages for `query`, best first; at most one per article. */
  search(query: string, limit?: number): Hit[];
  /** Ranked sections and whether the best one answers `question` (or the index abstains). */
  query(question: string, options?: SearchOptions): SearchResult;
  /** The slug of the article titled `title`, if any (follow-ups quoting "More in “Title”"). */
  slugOfTitle(title: string): string | undefined;
}

export class KnowledgeBase implements Knowledge {
  readonly index: HelpIndex;
  /** Problems found while loading (broken front matter, cut articles, bad slugs), one line each. */
  readonly warnings: readonly string[];
  readonly #articles: Map<string, Article>;
  readonly #titles: Map<string, string>;

  constructor(loaded: Loaded) {
    this.#articles = new Map(loaded.articles.map((a) => [a.slug, a]));
    this.#titles = new Map(loaded.articles.map((a) => [a.title, a.slug]));
    this.index = new HelpIndex(loaded.articles);
    this.warnings = loaded.warnings;
  }

  /** Reads every `*.md` file of `dir` (not recursive); a file named like `Bad Name.md` is skipped. */
  static async load(dir: string): Promise<KnowledgeBase> {
    return new KnowledgeBase(await loadDir(dir));
  }

  /** A snapshot of articles in memory: slug → Markdown source (front matter allowed). */
  static fromTexts(files: Record<string, string>): KnowledgeBase {
    return new KnowledgeBase(loadFromTexts(files));
  }

  articles(): Article[] {
    return [...this.#articles.values()];
  }

  article(slug: string): Article | undefined {
    return this.#articles.get(slug);
  }

  slugOfTitle(title: string): string | undefined {
    return this.#titles.get(title);
  }

  query(question: string, options?: SearchOptions): SearchResult {
    return this.index.search(question, options);
  }

  search(query: string, limit = 3): Hit[] {
    const hits: Hit[] = [];
    const seen = new Set<string>();
    for (const section of this.index.search(query, { limit: 50 }).hits) {
      if (seen.has(section.slug)) continue;
      seen.add(section.slug);
      hits.push({
        slug: section.slug,
        title: section.title,
        passage: section.body,
        ...(section.heading ? { heading: section.heading } : {}),
        score: section.score,
      });
      if (hits.length >= limit) break;
    }
    return hits;
  }
}
