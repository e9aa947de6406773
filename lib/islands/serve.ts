/** Serves the island bundles under content-hashed names, cached for a year (immutable). */
import { Hono } from "hono";
import type { IslandBuild } from "./render.ts";

/** Serves the bundles; mount with `app.route("/_islands", islandAssets(build))`. */
export function islandAssets(build: IslandBuild): Hono {
  const app = new Hono();
  app.get("/:file", (c) => {
    const file = build.files.get(c.req.param("file"));
    if (!file) return c.notFound();
    return c.body(file.contents, 200, {
      "Content-Type": file.contentType,
      "Cache-Control": "public, max-age=31536000, immutable",
    });
  });
  return app;
}
