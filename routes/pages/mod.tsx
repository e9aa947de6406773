/**
 * The pages: server-rendered Preact, interactive parts as islands (lib/islands/). Every page
 * gets the CSP of ./security.ts; the principal comes from the session cookie.
 */
import { Hono, type MiddlewareHandler } from "hono";
import type { ComponentChildren } from "preact";
import type { AppEnv, Ctx } from "../../lib/http/env.ts";
import { type IslandBuild, renderPage } from "../../lib/islands/render.ts";
import type { Knowledge } from "../../lib/help/knowledge.ts";
import type { Services } from "../../lib/server/services.ts";
import { pageNonce } from "./security.ts";
import { customerPages } from "./customer.tsx";
import { staffPages } from "./staff.tsx";
import { helpPages } from "./help.tsx";
import { staticFiles } from "./static.ts";

export interface PageDeps {
  islands: IslandBuild;
  knowledge: Knowledge;
}

/** Renders a full page with this response's CSP nonce. */
export type Render = (
  c: Ctx,
  title: string,
  body: ComponentChildren,
  status?: 200 | 403 | 404,
) => Response;

/** `authenticated`: the authenticate middleware (the principal comes from the session cookie). */
export function pageRoutes(
  services: Services,
  deps: PageDeps,
  authenticated: MiddlewareHandler<AppEnv>,
): Hono<AppEnv> {
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
    .use(authenticated)
    .route("/", customerPages(render, services))
    .route("/", staffPages(render, services))
    .route("/help", helpPages(render, deps.knowledge));
}
