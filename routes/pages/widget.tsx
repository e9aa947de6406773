/**
 * /widget/frame: the website widget's panel, the page the loader puts in its iframe
 * (islands/WidgetPanel.tsx). `?origin=` names the site around it, which must be an allowed origin
 * (the panel then talks to that origin only); `?color=` and `?locale=` are the loader's options.
 * The response's frame-ancestors come from routes/widget.ts. The page reads no cookie: the panel
 * signs in with its own token.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../lib/http/env.ts";
import { type IslandBuild, renderPage } from "../../lib/islands/render.ts";
import type { Services } from "../../lib/server/services.ts";
import { originAllowed } from "../../lib/http/origin.ts";
import { publicSettings, WIDGET_SETTINGS } from "../../lib/widget/settings.ts";
import { LOCALE_PATTERN, normalizeColor } from "../../lib/contract/widget_rules.ts";
import WidgetPanel from "../../islands/WidgetPanel.tsx";
import { pageNonce } from "./security.ts";

type WidgetPageDeps = Pick<Services, "config" | "store" | "origins">;

const asOrigin = (value: string | undefined) => {
  if (!value || !URL.canParse(value)) return null;
  const url = new URL(value);
  return /^https?:$/.test(url.protocol) && url.origin === value ? value : null;
};

export function widgetPages(islands: IslandBuild, { config, store, origins }: WidgetPageDeps) {
  const head = (
    <>
      {/* Links (help articles, URLs in messages) open in a new tab, never inside the panel. */}
      <base target="_blank" />
      <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
      <link rel="stylesheet" href="/static/widget.css" />
    </>
  );
  return new Hono<AppEnv>().get("/frame", async (c) => {
    const origin = asOrigin(c.req.query("origin"));
    const allowed = origin !== null &&
      originAllowed(origin, c.req.header("host") ?? null, await origins.list());
    if (!allowed) {
      return c.html(
        renderPage({
          title: "Not allowed · Parley",
          head,
          build: islands,
          nonce: pageNonce(c),
          body: (
            <main class="page narrow">
              <h1>This site can't show the chat</h1>
              <p>
                {origin ?? "This page"} is not one of the sites allowed to embed{" "}
                {config.businessName}{" "}
                chat. An admin can add it on the Admin page, under Website widget.
              </p>
            </main>
          ),
        }),
        403,
      );
    }
    const locale = c.req.query("locale");
    const settings = publicSettings(await store.settings.value(WIDGET_SETTINGS), config);
    return c.html(renderPage({
      title: `${config.businessName} chat`,
      head,
      build: islands,
      nonce: pageNonce(c),
      lang: locale && LOCALE_PATTERN.test(locale) ? locale : "en",
      body: (
        <WidgetPanel
          settings={settings}
          hostOrigin={origin}
          color={normalizeColor(c.req.query("color"))}
        />
      ),
    }));
  });
}
