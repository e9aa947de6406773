/**
 * The website widget's browser tests run a real third-party setup: Parley on 127.0.0.1:PORT and
 * the website embedding it on localhost:PORT2 — another site, so the panel is a cross-site frame
 * with no cookies shared. `startHostSite` serves that website: plain HTML pages with the snippet.
 */
import type { Frame, FrameLocator, Page } from "playwright-core";

export interface HostSite {
  /** `http://localhost:PORT` (an origin: no trailing slash). */
  origin: string;
  /** A page's URL; `script` runs before the snippet (e.g. queued `Parley(...)` calls). */
  page(options?: { script?: string; attributes?: string; title?: string }): string;
  close(): Promise<void>;
}

const SNIPPET_STUB =
  "window.Parley=window.Parley||function(){(window.Parley.q=window.Parley.q||[]).push(arguments)};";

/** A website on localhost whose pages load `parleyUrl`'s widget.js. */
export function startHostSite(parleyUrl: string): Promise<HostSite> {
  const scripts = new Map<string, { script: string; attributes: string; title: string }>();
  const ac = new AbortController();
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      signal: ac.signal,
      onListen: ({ port }) => {
        const origin = `http://localhost:${port}`;
        let n = 0;
        resolve({
          origin,
          page(options = {}) {
            const id = String(++n);
            scripts.set(id, {
              script: options.script ?? "",
              attributes: options.attributes ?? "",
              title: options.title ?? "Acme shop",
            });
            return `${origin}/shop/${id}`;
          },
          close: async () => {
            ac.abort();
            await server.finished;
          },
        });
      },
    }, (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/favicon.ico") return new Response(null, { status: 204 });
      const id = path.split("/").pop() ?? "";
      const page = scripts.get(id);
      if (!page) return new Response("not found", { status: 404 });
      const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${page.title}</title>
</head><body><h1>Acme shop</h1><p><a href="#top">Our products</a></p>
<script>${SNIPPET_STUB}${page.script}</script>
<script src="${parleyUrl}widget.js" async ${page.attributes}></script>
</body></html>`;
      return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
    });
  });
}

/** The widget's launcher on the host page. */
export const launcher = (page: Page, name: "Open chat" | "Close chat" = "Open chat") =>
  page.getByRole("button", { name, exact: true });

/** The panel's iframe (titled "Chat"), as a frame locator. */
export const panel = (page: Page): FrameLocator => page.frameLocator('iframe[title="Chat"]');

/** The panel's frame once loaded (for evaluate calls). */
export async function panelFrame(page: Page): Promise<Frame> {
  const element = await page.locator('iframe[title="Chat"]').elementHandle();
  const frame = await element?.contentFrame();
  if (!frame) throw new Error("the panel's frame is not there");
  return frame;
}
