/**
 * The live help center: articles stored in KV (lib/store/help.ts), editable by admins, and the
 * section index built from them (./knowledge.ts). `open` imports `KNOWLEDGE_DIR` on the very first
 * start only and loads the articles; `start` polls the help center's version key so that every
 * instance rebuilds its index after an edit made anywhere (a poll works across processes and
 * machines, where a local KV file's watch would not). Readers get the current snapshot through
 * the `Knowledge` methods. Every problem with an article (broken front matter, too long, a bad
 * name) is logged, one line each, and the article is kept as far as it makes sense.
 */
import { coalesced } from "../coalesce.ts";
import type { Logger } from "../log.ts";
import { type HelpArticleRecord, type HelpArticles, MAX_SOURCE_CHARS } from "../store/help.ts";
import { type Article, loadFromTexts, parseArticle, SLUG } from "./articles.ts";
import { type Hit, type Knowledge, KnowledgeBase, type SearchResult } from "./knowledge.ts";
import type { SearchOptions } from "./retrieval.ts";
import type { ArticleSummary } from "../contract/bot.ts";

export { MAX_SOURCE_CHARS } from "../store/help.ts";

export interface HelpCenterOptions {
  log: Logger;
  /** How often to look for edits made by other instances. */
  pollMs?: number;
}

export interface SavedArticle {
  record: HelpArticleRecord;
  article: Article;
  /** What is wrong with it (it is saved anyway): broken front matter and the like. */
  warnings: string[];
}

/** `*.md` files of `dir` as slug → source; files with a name that is no slug are logged. */
export async function readArticleDir(dir: string, log?: Logger): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".md")) continue;
    const slug = entry.name.slice(0, -3);
    if (!SLUG.test(slug)) {
      log?.warn("help article skipped", { file: entry.name.slice(0, 120), reason: "bad_name" });
      continue;
    }
    const source = await Deno.readTextFile(`${dir.replace(/\/+$/, "")}/${entry.name}`);
    if (source.length > MAX_SOURCE_CHARS) {
      log?.warn("help article problem", {
        problem: `${slug}: article longer than ${MAX_SOURCE_CHARS} characters; cut`,
      });
    }
    files[slug] = source.slice(0, MAX_SOURCE_CHARS);
  }
  return files;
}

export class HelpCenter implements Knowledge {
  #kb = KnowledgeBase.fromTexts({});
  #records = new Map<string, HelpArticleRecord>();
  #version: string | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #log: Logger;
  readonly #pollMs: number;
  /** One reload at a time; triggers meanwhile cost one more (lib/coalesce.ts). */
  readonly reload: () => Promise<void>;

  constructor(private store: HelpArticles, options: HelpCenterOptions) {
    this.#log = options.log;
    this.#pollMs = options.pollMs ?? 2_000;
    this.reload = coalesced(() => this.#reload());
  }

  /** Imports `importDir` if nothing was ever imported, then loads the articles from KV. */
  async open(importDir?: string): Promise<void> {
    if (importDir) {
      try {
        const files = await readArticleDir(importDir, this.#log);
        const imported = await this.store.importOnce(files);
        if (imported) {
          this.#log.info("help center imported", { dir: importDir, articles: imported });
        }
      } catch (error) {
        // Not marked as imported: a later start with a readable folder still imports it.
        this.#log.warn("help center import failed", { dir: importDir, err: String(error) });
      }
    }
    await this.reload();
  }

  async #reload(): Promise<void> {
    // The version first: an edit made while the articles are read shows as a newer version.
    const version = await this.store.version();
    const stored = await this.store.all();
    const loaded = loadFromTexts(Object.fromEntries(stored.map((a) => [a.record.slug, a.source])));
    for (const warning of loaded.warnings) {
      this.#log.warn("help article problem", { problem: warning.slice(0, 300) });
    }
    this.#kb = new KnowledgeBase(loaded);
    this.#records = new Map(stored.map((a) => [a.record.slug, a.record]));
    this.#version = version;
  }

  /** Polls for edits made elsewhere. */
  start(): void {
    this.#timer ??= setInterval(() => this.#poll(), this.#pollMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #poll(): Promise<void> {
    try {
      if ((await this.store.version()) !== this.#version) await this.reload();
    } catch (error) {
      this.#log.warn("help center reload failed", { err: String(error) });
    }
  }

  /** The articles as the admin's list shows them. */
  summaries(): ArticleSummary[] {
    return this.articles().map((a) => ({
      slug: a.slug,
      title: a.title,
      questions: a.questions.length,
      chars: a.source.length,
      updatedAt: this.#records.get(a.slug)?.updatedAt ?? null,
      updatedBy: this.#records.get(a.slug)?.updatedBy ?? null,
    }));
  }

  /** Saves an article (problems in it are returned as warnings), then rebuilds the index. */
  async save(slug: string, source: string, by: string): Promise<SavedArticle> {
    const warnings: string[] = [];
    const article = parseArticle(slug, source.slice(0, MAX_SOURCE_CHARS), warnings);
    const record = await this.store.put(slug, source.slice(0, MAX_SOURCE_CHARS), by);
    for (const warning of warnings) this.#log.warn("help article problem", { problem: warning });
    await this.reload();
    return { record, article, warnings: warnings.map((w) => w.replace(`${slug}: `, "")) };
  }

  async remove(slug: string, by?: string): Promise<boolean> {
    const removed = await this.store.remove(slug, by);
    if (removed) await this.reload();
    return removed;
  }

  /** The current snapshot (immutable; replaced after every edit). */
  current(): KnowledgeBase {
    return this.#kb;
  }

  articles(): Article[] {
    return this.#kb.articles();
  }

  article(slug: string): Article | undefined {
    return this.#kb.article(slug);
  }

  search(query: string, limit?: number): Hit[] {
    return this.#kb.search(query, limit);
  }

  query(question: string, options?: SearchOptions): SearchResult {
    return this.#kb.query(question, options);
  }

  slugOfTitle(title: string): string | undefined {
    return this.#kb.slugOfTitle(title);
  }
}
