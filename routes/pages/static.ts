/**
 * /static/*: the files of `static/`, served by Hono's `serveStatic` (Deno adapter) with an ETag
 * (Hono's `etag`). Names are not content-hashed, so they are cached briefly and revalidated.
 */
import { Hono } from "hono";
import { serveStatic } from "hono/deno";
import { etag } from "hono/etag";

const ROOT = new URL("../../static/", import.meta.url).pathname;

export function staticFiles(): Hono {
  return new Hono()
    .use(etag())
    .use(serveStatic({
      root: ROOT,
      rewriteRequestPath: (path) => path.replace(/^\/static/, ""),
      onFound: (_path, c) => {
        c.header("Cache-Control", "public, max-age=300");
      },
    }));
}
