/** /help and /help/:slug: the help-center articles, rendered on the server; no JavaScript. */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import type { Knowledge } from "../../lib/help/knowledge.ts";
import { renderMarkdown } from "../../lib/help/markdown.ts";
import { Shell } from "./layout.tsx";
import type { Render } from "./mod.tsx";

const helpNav = (
  <>
    <a href="/help">Help center</a>
    <a class="button primary small" href="/">Chat with us</a>
  </>
);

export function helpPages(render: Render, knowledge: Knowledge) {
  return new Hono<AppEnv>()
    .get("/", (c) =>
      render(
        c,
        "Help center · Parley",
        <Shell nav={helpNav} layout="page narrow">
          <h1>Help center</h1>
          <ul class="article-list">
            {knowledge.articles().map((a) => (
              <li key={a.slug}>
                <a href={`/help/${a.slug}`}>{a.title}</a>
              </li>
            ))}
          </ul>
        </Shell>,
      ))
    .get("/:slug", (c) => {
      const article = knowledge.article(c.req.param("slug"));
      if (!article) {
        return render(
          c,
          "Not found · Parley",
          <Shell nav={helpNav} layout="page narrow">
            <h1>We couldn't find that article</h1>
            <p>
              It may have moved. Browse the <a href="/help">help center</a> or ask us in the{" "}
              <a href="/">chat</a>.
            </p>
          </Shell>,
          404,
        );
      }
      return render(
        c,
        `${article.title} · Parley help`,
        <Shell nav={helpNav} layout="page narrow">
          <p class="crumbs">
            <a href="/help">Help center</a> ›
          </p>
          {/* renderMarkdown: raw HTML off, links checked (lib/help/markdown.ts). */}
          <article
            class="prose"
            dangerouslySetInnerHTML={{ __html: renderMarkdown(article.markdown) }}
          />
          <aside class="card help-cta">
            <p>Still stuck? Our assistant and our team are one message away.</p>
            <a class="button primary" href="/">Start a chat</a>
          </aside>
        </Shell>,
      );
    });
}
