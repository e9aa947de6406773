/**
 * The admin's help-center editor on /admin: the articles (stored in KV; every instance follows an
 * edit), and an editor for one article's Markdown, with its front matter of example questions, a
 * preview rendered by the server exactly as /help/:slug will show it (raw HTML off), and the
 * problems found in it. "Write an article" links from the bot's knowledge gaps open it with the
 * customer's question as a first example question.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { ArticlePreview, ArticleSummary } from "../lib/contract/bot.ts";
import { api, ApiError } from "../lib/client/api.ts";

export interface HelpEditorProps {
  articles: ArticleSummary[];
  /** A customer's unanswered question to start a new article from (`/admin?question=…`). */
  question?: string | null;
}

const slugify = (text: string) =>
  text.toLowerCase().normalize("NFD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")
    .slice(0, 60) || "new-article";

const template = (question?: string | null) =>
  (question ? `---\nquestions:\n  - ${JSON.stringify(question)}\n---\n` : "") +
  "# Title of the article\n\nWhat this article is about, in a sentence or two.\n\n" +
  "## First section\n\nThe answer, in plain words.\n";

export default function HelpEditor(props: HelpEditorProps) {
  const articles = useSignal(props.articles);
  const slug = useSignal("");
  const source = useSignal("");
  /** The slug being edited as stored (null: a new article). */
  const editing = useSignal<string | null>(null);
  const open = useSignal(false);
  const preview = useSignal<ArticlePreview | null>(null);
  const notice = useSignal<string | null>(null);
  const failure = useSignal<string | null>(null);
  const busy = useSignal(false);

  const run = async (action: () => Promise<void>) => {
    busy.value = true;
    failure.value = notice.value = null;
    try {
      await action();
    } catch (e) {
      failure.value = e instanceof ApiError ? e.message : "That didn't work. Please try again.";
    } finally {
      busy.value = false;
    }
  };
  const refresh = async () => {
    articles.value = (await api<{ articles: ArticleSummary[] }>("GET", "/api/help/articles"))
      .articles;
  };
  const startNew = (question?: string | null) => {
    editing.value = null;
    slug.value = question ? slugify(question) : "";
    source.value = template(question);
    preview.value = null;
    open.value = true;
  };
  const edit = (which: string) =>
    run(async () => {
      const { article } = await api<{ article: { slug: string; source: string } }>(
        "GET",
        `/api/help/articles/${which}`,
      );
      editing.value = article.slug;
      slug.value = article.slug;
      source.value = article.source;
      preview.value = null;
      open.value = true;
    });
  const showPreview = () =>
    run(async () => {
      preview.value = await api<ArticlePreview>("POST", "/api/help/preview", {
        source: source.value,
      });
    });
  const save = () =>
    run(async () => {
      const saved = await api<{ warnings: string[]; article: { title: string } }>(
        "PUT",
        `/api/help/articles/${encodeURIComponent(slug.value.trim())}`,
        { source: source.value },
      );
      editing.value = slug.value.trim();
      notice.value = `Saved “${saved.article.title}”: /help/${editing.value}` +
        (saved.warnings.length ? ` (with problems: ${saved.warnings.join("; ")})` : "");
      await refresh();
    });
  const remove = () =>
    run(async () => {
      const which = editing.value;
      if (!which || !confirm(`Delete the article /help/${which}?`)) return;
      await api("DELETE", `/api/help/articles/${which}`);
      open.value = false;
      notice.value = `Deleted /help/${which}.`;
      await refresh();
    });

  useEffect(() => {
    if (props.question) startNew(props.question);
  }, []);

  return (
    <section class="card" id="help-editor" aria-labelledby="help-editor-title">
      <div class="card-head">
        <h2 id="help-editor-title">Help center</h2>
        <button type="button" class="small" onClick={() => startNew()}>New article</button>
      </div>
      <table>
        <thead>
          <tr>
            <th scope="col">Article</th>
            <th scope="col">Example questions</th>
            <th scope="col">Updated</th>
            <th scope="col"></th>
          </tr>
        </thead>
        <tbody>
          {articles.value.map((a) => (
            <tr key={a.slug}>
              <td>
                <a href={`/help/${a.slug}`}>{a.title}</a> <small class="muted">/{a.slug}</small>
              </td>
              <td>{a.questions}</td>
              <td>{a.updatedAt ? new Date(a.updatedAt).toLocaleString() : "—"}</td>
              <td>
                <button
                  type="button"
                  class="small"
                  aria-label={`Edit ${a.title}`}
                  onClick={() => edit(a.slug)}
                >
                  Edit
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open.value && (
        <form
          class="help-form"
          aria-label="Article editor"
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          <div class="field">
            <label for="h-slug">Slug</label>
            <input
              id="h-slug"
              value={slug.value}
              readOnly={editing.value !== null}
              onInput={(e) => slug.value = e.currentTarget.value}
              placeholder="e.g. refunds"
            />
          </div>
          <div class="field">
            <label for="h-source">Markdown</label>
            <textarea
              id="h-source"
              rows={16}
              value={source.value}
              onInput={(e) => source.value = e.currentTarget.value}
            />
            <small class="muted">
              First “# heading” is the title; each “## heading” is a section the bot can quote.
              Optional front matter: <code>questions:</code> with example questions.
            </small>
          </div>
          <div class="actions">
            <button type="button" class="secondary" disabled={busy.value} onClick={showPreview}>
              Preview
            </button>
            <button type="submit" class="primary" disabled={busy.value}>Save</button>
            {editing.value && (
              <button type="button" class="secondary" disabled={busy.value} onClick={remove}>
                Delete
              </button>
            )}
          </div>
        </form>
      )}
      {failure.value && <p class="form-error" role="alert">{failure.value}</p>}
      {notice.value && <p class="form-notice" role="status">{notice.value}</p>}
      {open.value && preview.value && (
        <section class="help-preview" aria-label="Preview">
          {preview.value.warnings.map((w) => <p key={w} class="form-error">{w}</p>)}
          <p class="muted">
            Sections: {preview.value.sections.join(" · ") || "none"}; example questions:{" "}
            {preview.value.questions.length}
          </p>
          {/* Rendered by lib/help/markdown.ts on the server: raw HTML off, links checked. */}
          <article class="prose" dangerouslySetInnerHTML={{ __html: preview.value.html }} />
        </section>
      )}
    </section>
  );
}
