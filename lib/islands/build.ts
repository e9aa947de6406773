/**
 * Builds the islands at start-up (ISLANDS=build, the default) or for `deno task build`: registers
 * them for server rendering (./registry.ts), then bundles them and the hydration client for the
 * browser (./bundle.ts, which loads esbuild: never imported when serving prebuilt bundles).
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import type { IslandBuild } from "./render.ts";
import { islandModules, registerIslands, ROOT, SOURCE_DIR } from "./registry.ts";

const CLIENT = fromFileUrl(new URL("./client.ts", import.meta.url));

/**
 * Classic scripts built with the islands and served at fixed paths (name → entry): the website
 * widget's loader, `GET /widget.js` (routes/widget.ts).
 */
export const SCRIPTS: Record<string, string> = {
  widget: fromFileUrl(new URL("../client/widget/loader.ts", import.meta.url)),
};

/** Build and register the islands of `dir` (default `islands/`). Call once at start-up. */
export async function buildIslands(
  { dir = SOURCE_DIR, dev = false }: { dir?: string; dev?: boolean } = {},
): Promise<IslandBuild> {
  const started = performance.now();
  const islands = await registerIslands({ dir });
  // Loaded here, not at the top: serving prebuilt bundles must not load esbuild (Deno Deploy).
  const { bundleIslands } = await import("./bundle.ts");
  const entries = await islandModules(dir);
  const standalone = [...new Set(islands.filter((i) => i.standalone).map((i) => i.path))];
  const bundle = await bundleIslands({
    entries,
    standalone,
    scripts: SCRIPTS,
    client: CLIENT,
    root: ROOT,
    dev,
  });
  const manifest: IslandBuild["manifest"] = {};
  for (const island of islands) {
    manifest[island.name] = { file: bundle.outputs.get(island.path)!, export: island.export };
    const own = bundle.clients.get(island.path);
    if (own) manifest[island.name].client = own;
  }
  const client = bundle.outputs.get(CLIENT)!;
  return {
    files: bundle.files,
    manifest,
    client,
    scripts: bundle.scripts,
    ms: performance.now() - started,
  };
}
