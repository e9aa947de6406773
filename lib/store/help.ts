/**
 * Help-center articles in KV, so admins can edit them and every instance follows (key shapes in
 * ./keys.ts). An article's Markdown source is stored in chunks (KV values are at most 64 KiB) and
 * written in one commit with its record and a new help-center version, which the instances poll
 * (lib/help/help_center.ts). `importOnce` copies `KNOWLEDGE_DIR` on the first start only: every
 * article's commit checks that the import marker is still absent and the article too, so two
 * instances starting at once import each article exactly once, and nothing is re-imported after.
 */
import { keys } from "./keys.ts";
import { addAudit } from "./audit.ts";
import type { Clock } from "../clock.ts";

/** Characters per chunk: at most 60 KiB even if every character takes 3 bytes in UTF-8. */
const CHUNK_CHARS = 20_000;
/** Longest source stored (lib/help/articles.ts cuts longer articles to this too). */
export const MAX_SOURCE_CHARS = 200_000;

export interface HelpArticleRecord {
  slug: string;
  chunks: number;
  chars: number;
  updatedAt: string;
  /** The admin who last saved it; null for the import. */
  updatedBy: string | null;
}

export interface StoredArticle {
  record: HelpArticleRecord;
  source: string;
}

function chunk(source: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < source.length) {
    let end = Math.min(source.length, i + CHUNK_CHARS);
    // Never split a surrogate pair: a lone half would not survive storage as text.
    const code = source.charCodeAt(end - 1);
    if (end < source.length && code >= 0xd800 && code <= 0xdbff) end--;
    parts.push(source.slice(i, end));
    i = end;
  }
  return parts.length ? parts : [""];
}

export class HelpArticles {
  constructor(private kv: Deno.Kv, private clock: Clock, private newId: () => string) {}

  /** The help center's version: its versionstamp changes with every article change. */
  async version(): Promise<string | null> {
    return (await this.kv.get(keys.helpVersion())).versionstamp;
  }

  /** Every article with its source, by slug. */
  async all(): Promise<StoredArticle[]> {
    const records: HelpArticleRecord[] = [];
    for await (const e of this.kv.list<HelpArticleRecord>({ prefix: keys.helpArticlesPrefix() })) {
      records.push(e.value);
    }
    return (await Promise.all(records.map((r) => this.#withSource(r))))
      .filter((a): a is StoredArticle => a !== null);
  }

  async get(slug: string): Promise<StoredArticle | null> {
    const record = (await this.kv.get<HelpArticleRecord>(keys.helpArticle(slug))).value;
    return record ? await this.#withSource(record) : null;
  }

  async #withSource(record: HelpArticleRecord): Promise<StoredArticle | null> {
    const parts: string[] = [];
    for await (const e of this.kv.list<string>({ prefix: keys.helpChunksPrefix(record.slug) })) {
      if (Number(e.key[2]) < record.chunks) parts.push(e.value);
    }
    // A record whose chunks are not all there (never: they are written together) is skipped.
    return parts.length === record.chunks ? { record, source: parts.join("") } : null;
  }

  /** Adds the writes of an article (record, chunks, version) to `op`. */
  #write(op: Deno.AtomicOperation, slug: string, source: string, by: string | null, old = 0) {
    const parts = chunk(source.slice(0, MAX_SOURCE_CHARS));
    const record: HelpArticleRecord = {
      slug,
      chunks: parts.length,
      chars: source.length,
      updatedAt: new Date(this.clock.now()).toISOString(),
      updatedBy: by,
    };
    op.set(keys.helpArticle(slug), record);
    parts.forEach((part, i) => op.set(keys.helpChunk(slug, i), part));
    for (let i = parts.length; i < old; i++) op.delete(keys.helpChunk(slug, i));
    op.set(keys.helpVersion(), this.newId());
    return record;
  }

  /** Creates or replaces an article (the last save wins); an admin's save is audited with it. */
  async put(slug: string, source: string, by: string | null): Promise<HelpArticleRecord> {
    for (;;) {
      const entry = await this.kv.get<HelpArticleRecord>(keys.helpArticle(slug));
      const op = this.kv.atomic().check(entry);
      const record = this.#write(op, slug, source, by, entry.value?.chunks ?? 0);
      if (by) {
        addAudit(op, {
          actorId: by,
          action: entry.value ? "article.replaced" : "article.created",
          target: slug,
          details: {},
        });
      }
      if ((await op.commit()).ok) return record;
    }
  }

  /** Deletes an article; false if there was none. `by`: the admin (audited in the commit). */
  async remove(slug: string, by?: string): Promise<boolean> {
    for (;;) {
      const entry = await this.kv.get<HelpArticleRecord>(keys.helpArticle(slug));
      if (!entry.value) return false;
      const op = this.kv.atomic().check(entry).delete(keys.helpArticle(slug))
        .set(keys.helpVersion(), this.newId());
      if (by) addAudit(op, { actorId: by, action: "article.deleted", target: slug, details: {} });
      for (let i = 0; i < entry.value.chunks; i++) op.delete(keys.helpChunk(slug, i));
      if ((await op.commit()).ok) return true;
    }
  }

  /**
   * Imports `files` (slug → source) unless an import already happened. Returns how many articles
   * this call wrote (0 when another instance did it, or it was done before).
   */
  async importOnce(files: Record<string, string>): Promise<number> {
    const marker = await this.kv.get(keys.helpImported());
    if (marker.versionstamp !== null) return 0;
    let imported = 0;
    for (const [slug, source] of Object.entries(files)) {
      const op = this.kv.atomic()
        .check({ key: keys.helpImported(), versionstamp: null })
        .check({ key: keys.helpArticle(slug), versionstamp: null });
      this.#write(op, slug, source, null);
      if ((await op.commit()).ok) imported++;
    }
    await this.kv.atomic()
      .check({ key: keys.helpImported(), versionstamp: null })
      .set(keys.helpImported(), {
        at: new Date(this.clock.now()).toISOString(),
        articles: Object.keys(files).length,
      })
      .set(keys.helpVersion(), this.newId())
      .commit();
    return imported;
  }
}
