/**
 * /api/help (admins): the help-center articles stored in KV, to list, read, write and delete, and
 * a preview of Markdown as /help/:slug will show it. Every instance follows an edit within a few
 * seconds (lib/help/help_center.ts).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { principal } from "../../lib/http/authenticate.ts";
import { readBody } from "../../lib/http/parse.ts";
import {
  articleBody,
  type ArticlePreview,
  articleSlug,
  type ArticleSummary,
  previewBody,
} from "../../lib/contract/bot.ts";
import { describeIssues } from "../../lib/contract/schemas.ts";
import { parseArticle, splitSections } from "../../lib/help/articles.ts";
import { renderMarkdown } from "../../lib/help/markdown.ts";
import { badRequest, notFound } from "../../lib/errors.ts";
import type { Services } from "../../lib/server/services.ts";

function slugParam(raw: string): string {
  const parsed = articleSlug.safeParse(raw);
  if (!parsed.success) {
    throw badRequest(`slug: ${describeIssues(parsed.error).replace(/^body: /, "")}`);
  }
  return parsed.data;
}

export function preview(source: string, slug = "preview"): ArticlePreview {
  const warnings: string[] = [];
  const article = parseArticle(slug, source, warnings);
  return {
    title: article.title,
    html: renderMarkdown(article.markdown),
    sections: splitSections(article).map((s) => s.heading).filter(Boolean),
    questions: article.questions,
    warnings: warnings.map((w) => w.replace(`${slug}: `, "")),
  };
}

export function helpRoutes({ help }: Pick<Services, "help">) {
  return new Hono<AppEnv>()
    .get("/articles", (c) => {
      principal(c, ["admin"]);
      const articles: ArticleSummary[] = help.summaries();
      return c.json({ articles });
    })
    .get("/articles/:slug", (c) => {
      principal(c, ["admin"]);
      const article = help.article(slugParam(c.req.param("slug")));
      if (!article) throw notFound("Article");
      return c.json({
        article: { slug: article.slug, title: article.title, source: article.source },
      });
    })
    .put("/articles/:slug", async (c) => {
      const { user } = principal(c, ["admin"]);
      const slug = slugParam(c.req.param("slug"));
      const { source } = await readBody(c, articleBody);
      if (!source.trim()) throw badRequest("source: must not be empty");
      const created = !help.article(slug);
      const saved = await help.save(slug, source, user.id);
      return c.json({
        article: { slug, title: saved.article.title, source: saved.article.source },
        warnings: saved.warnings,
      }, created ? 201 : 200);
    })
    .delete("/articles/:slug", async (c) => {
      const { user } = principal(c, ["admin"]);
      if (!(await help.remove(slugParam(c.req.param("slug")), user.id))) throw notFound("Article");
      return c.body(null, 204);
    })
    .post("/preview", async (c) => {
      principal(c, ["admin"]);
      const { source } = await readBody(c, previewBody);
      return c.json(preview(source));
    });
}
