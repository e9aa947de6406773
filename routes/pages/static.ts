/**
 * /static/*: the files of `static/`, read once at start-up. Names are not content-hashed, so they
 * are cached briefly and revalidated by ETag.
 */
import { Hono } from "hono";
import { extname } from "node:path";

const DIR = new URL("../../static/", import.meta.url);
const TYPES: Record<string, string> = {
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".js": "text/javascript; charset=utf-8",
  ".png": "image/png",
};

interface StaticFile {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

function load(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const entry of Deno.readDirSync(DIR)) {
    const type = TYPES[extname(entry.name)];
    if (!entry.isFile || !type) continue;
    const body = Deno.readFileSync(new URL(entry.name, DIR));
    let hash = 5381;
    for (const byte of body) hash = ((hash * 33) ^ byte) >>> 0;
    files.set(entry.name, {
      body,
      type,
      etag: `"${body.length.toString(36)}-${hash.toString(36)}"`,
    });
  }
  return files;
}

export function staticFiles(): Hono {
  const files = load();
  return new Hono().get("/:name", (c) => {
    const file = files.get(c.req.param("name"));
    if (!file) return c.notFound();
    const headers = { "Cache-Control": "public, max-age=300", ETag: file.etag };
    if (c.req.header("if-none-match") === file.etag) return c.body(null, 304, headers);
    return c.body(file.body, 200, { ...headers, "Content-Type": file.type });
  });
}
