/**
 * The website widget's edges outside the pages: `GET /widget.js` (the loader, built with the
 * islands: lib/islands/build.ts) and the headers of the panel's pages under /widget/.
 *
 * - /widget.js is the same for every site: cached 5 minutes and revalidated by ETag (a deploy
 *   reaches every visitor within minutes; a revalidation costs a 304), `Cross-Origin-Resource-
 *   Policy: cross-origin` so any page may load it. Mounted before the pages' security headers.
 * - /widget/*: the pages' Content-Security-Policy, with `frame-ancestors` listing this host and
 *   the allowed origins instead of 'none' (and no X-Frame-Options), so the panel renders inside an
 *   allowed site's frame and nowhere else.
 */
import { Hono, type MiddlewareHandler } from "hono";
import type { IslandBuild } from "../lib/islands/render.ts";
import type { AllowedOrigins } from "../lib/widget/origins.ts";
import { encodeBase64Url } from "../lib/encoding.ts";

export const LOADER_CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=86400";

export function widgetLoader(build: IslandBuild): Hono {
  const file = build.files.get(build.scripts.widget ?? "");
  let etag: Promise<string> | undefined;
  return new Hono().get("/widget.js", async (c) => {
    if (!file) return c.text("The widget loader is not in this build: run `deno task build`.", 404);
    etag ??= crypto.subtle.digest("SHA-256", file.contents)
      .then((digest) => `"${encodeBase64Url(new Uint8Array(digest)).slice(0, 22)}"`);
    const tag = await etag;
    const headers = {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": LOADER_CACHE_CONTROL,
      "ETag": tag,
      "Cross-Origin-Resource-Policy": "cross-origin",
      "Access-Control-Allow-Origin": "*",
      "X-Content-Type-Options": "nosniff",
    };
    const presented = (c.req.header("if-none-match") ?? "").split(",")
      .map((t) => t.trim().replace(/^W\//, ""));
    if (presented.includes(tag)) return c.body(null, 304, headers);
    return c.body(file.contents, 200, headers);
  });
}

/** For /widget/*: frame-ancestors of the allowed origins (wraps the pages' security headers). */
export function widgetFrameHeaders(origins: Pick<AllowedOrigins, "list">): MiddlewareHandler {
  return async function widgetFrameHeaders(c, next) {
    await next();
    const csp = c.res.headers.get("content-security-policy");
    if (!csp) return;
    const ancestors = ["'self'", ...await origins.list()].join(" ");
    c.res.headers.set(
      "content-security-policy",
      csp.replace(/frame-ancestors [^;]*/, `frame-ancestors ${ancestors}`),
    );
    c.res.headers.delete("x-frame-options");
    c.res.headers.set("cross-origin-resource-policy", "cross-origin");
  };
}
