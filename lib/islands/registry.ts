/**
 * The island registry: every component exported from a module in `islands/` is an island. The
 * default export is named after the file (`islands/ChatApp.tsx` → `ChatApp`); a capitalised named
 * export `X` is named `File_X` (or just `File` when `X` is the file's name). Registering also
 * installs the render hook (./render.ts) that marks islands in server-rendered pages.
 *
 * A module that says `export const standalone = true` is bundled on its own (./bundle.ts): its
 * page loads none of the chunks the other islands share. Such an island must be alone on its page.
 */
import { basename, extname, resolve } from "node:path";
import { fileURLToPath as fromFileUrl, pathToFileURL } from "node:url";
import { installHook, registry } from "./render.ts";

/** The project root (where deno.json is) and the islands' folder. */
export const ROOT = resolve(fromFileUrl(new URL("../..", import.meta.url)));
export const SOURCE_DIR = resolve(ROOT, "islands");

/** One registered island: its name, module and export. */
export interface IslandEntry {
  name: string;
  /** Absolute path of the island's module. */
  path: string;
  export: string;
  /** Bundled on its own, with its own client (the module exports `standalone = true`). */
  standalone: boolean;
}

/**
 * Import the island modules of `dir` (default `islands/`) and register their components for
 * server rendering. Needs no bundler: `buildIslands` and the prebuilt bundles both start here.
 */
export async function registerIslands(
  { dir = SOURCE_DIR }: { dir?: string } = {},
): Promise<IslandEntry[]> {
  const islands = new Map<string, IslandEntry>();
  for (const path of await islandModules(dir)) {
    const stem = basename(path, extname(path));
    const module = await import(pathToFileURL(path).href);
    const standalone = module.standalone === true;
    for (const [exportName, component] of Object.entries(module)) {
      if (typeof component !== "function") continue;
      if (exportName !== "default" && !/^[A-Z]/.test(exportName)) continue;
      const name = exportName === "default" || exportName === stem ? stem : `${stem}_${exportName}`;
      const known = registry.get(component);
      if (islands.has(name) && known !== name) {
        throw new Error(`Two islands are named "${name}" (${path})`);
      }
      islands.set(name, { name, path, export: exportName, standalone });
      registry.set(component, name);
    }
  }
  installHook();
  return [...islands.values()];
}

/** The island modules of `dir`, sorted; none if `dir` doesn't exist. */
export async function islandModules(dir: string): Promise<string[]> {
  const entries: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && /\.(tsx|jsx|ts|js)$/.test(entry.name) && !/_test\./.test(entry.name)) {
        entries.push(resolve(dir, entry.name));
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return entries.sort();
}
