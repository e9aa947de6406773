/**
 * The pages: server-rendered Preact, interactive parts as islands (lib/islands.ts). Every page
 * gets the CSP of ./security.ts; the principal comes from the session cookie.
 */
import { Hono } from "hono";
import type { ComponentChildren } from "preact";
import { type AppEnv, authenticate, type Ctx } from "../../lib/http/mod.ts";
import { type IslandBuild, renderPage } from "../../lib/islands/render.ts";
import type { KnowledgeBase } from "../../lib/help/knowledge.ts";
import { pageNonce } from "./security.ts";
import { customerPages } from "./customer.tsx";
import { staffPages } from "./staff.tsx";
import { helpPages } from "./help.tsx";
import { staticFiles } from "./static.ts";

export interface PageDeps {
  islands: IslandBuild;
  knowledge: KnowledgeBase;
}

/** Renders a full page with this response's CSP nonce. */
export type Render = (
  c: Ctx,
  title: string,
  body: ComponentChildren,
  status?: 200 | 403 | 404,
) => Response;

export function pageRoutes(deps: PageDeps): Hono<AppEnv> {
  const render: Render = (c, title, body, status = 200) =>
    c.html(
      renderPage({
        title,
        body,
        build: deps.islands,
        nonce: pageNonce(c),
        head: <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />,
      }),
      status,
    );
  return new Hono<AppEnv>()
    .route("/static", staticFiles())
    .use(authenticate())
    .route("/", customerPages(render))
    .route("/", staffPages(render))
    .route("/help", helpPages(render, deps.knowledge));
}
