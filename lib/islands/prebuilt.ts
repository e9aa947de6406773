/**
 * Prebuilt island bundles, for servers that should not run esbuild at start (Deno Deploy):
 * `deno task build` (lib/server/build_task.ts) writes a build to a folder, and a server with ISLANDS=prebuilt
 * reads it back, registers the islands for server rendering and serves the files as built. Nothing
 * here loads esbuild unless the settings ask for a build.
 *
 * The folder holds the bundles and `manifest.json`: `{"version": 1, "client": file,
 * "islands": {name: {file, export, client?}}, "scripts": {name: file}, "files": {file:
 * contentType}}`.
 */
import { z } from "zod";
import { resolve } from "node:path";
import { ConfigError, type IslandsSettings } from "../config.ts";
import type { IslandBuild, IslandFile } from "./render.ts";
import { buildIslands, SCRIPTS } from "./build.ts";
import { registerIslands } from "./registry.ts";

export const MANIFEST = "manifest.json";

/** A plain file name in the folder: no separators, no leading dot, so no `..`. */
const fileName = z.string().regex(/^[\w-]+(\.[\w-]+)+$/, "not a plain file name");

const manifestSchema = z.object({
  version: z.literal(1),
  client: fileName,
  islands: z.record(
    z.string().min(1),
    z.object({ file: fileName, export: z.string().min(1), client: fileName.optional() }),
  ),
  scripts: z.record(z.string().min(1), fileName).default({}),
  files: z.record(fileName, z.string().min(1)),
}).superRefine((m, ctx) => {
  const listed = (file: string, path: string[]) => {
    if (!(file in m.files)) ctx.addIssue({ code: "custom", path, message: `${file} not in files` });
  };
  listed(m.client, ["client"]);
  for (const [name, island] of Object.entries(m.islands)) {
    listed(island.file, ["islands", name]);
    if (island.client) listed(island.client, ["islands", name, "client"]);
  }
  for (const [name, file] of Object.entries(m.scripts)) listed(file, ["scripts", name]);
});

export type IslandManifest = z.infer<typeof manifestSchema>;

/** Write `build` to `dir`: its files, then the manifest; files of the previous build are removed. */
export async function writeIslandBuild(build: IslandBuild, dir: string): Promise<IslandManifest> {
  const previous = await readManifest(dir).catch(() => null);
  const files: Record<string, string> = {};
  for (const [name, file] of build.files) files[name] = file.contentType;
  const manifest = manifestSchema.parse({
    version: 1,
    client: build.client,
    islands: build.manifest,
    scripts: build.scripts,
    files,
  });
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, file] of build.files) await Deno.writeFile(resolve(dir, name), file.contents);
  await Deno.writeTextFile(resolve(dir, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
  for (const name of Object.keys(previous?.files ?? {})) {
    if (!(name in files)) await Deno.remove(resolve(dir, name)).catch(() => undefined);
  }
  return manifest;
}

/** Read a build written by `writeIslandBuild`. Throws an Error saying what is wrong, in one line. */
export async function readIslandBuild(dir: string): Promise<IslandBuild> {
  const started = performance.now();
  const manifest = await readManifest(dir);
  const files = new Map<string, IslandFile>();
  for (const [name, contentType] of Object.entries(manifest.files)) {
    const path = resolve(dir, name);
    const contents = await Deno.readFile(path).catch((error) => {
      throw error instanceof Deno.errors.NotFound
        ? new Error(`${path}, listed in ${MANIFEST}, is missing`)
        : error;
    });
    files.set(name, { contents, contentType });
  }
  return {
    files,
    manifest: manifest.islands,
    client: manifest.client,
    scripts: manifest.scripts,
    ms: performance.now() - started,
  };
}

async function readManifest(dir: string): Promise<IslandManifest> {
  const path = resolve(dir, MANIFEST);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new Error(`${path} is missing`);
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not JSON`);
  }
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`${path} is invalid at "${issue.path.join(".")}": ${issue.message}`);
  }
  return result.data;
}

/**
 * The islands for a server: built now (esbuild), or read from `dir` and checked against the
 * islands this server registers. A missing, bad or stale prebuilt build is a ConfigError.
 */
export async function loadIslands({ mode, dir }: IslandsSettings): Promise<IslandBuild> {
  const prebuilt = mode === "prebuilt" ||
    (mode === "auto" && await Deno.stat(resolve(dir, MANIFEST)).then(() => true, () => false));
  if (!prebuilt) return buildIslands();
  try {
    const build = await readIslandBuild(dir);
    const registered = await registerIslands();
    const names = registered.map((island) => island.name).sort();
    const built = Object.keys(build.manifest).sort();
    const stale = registered.some((island) =>
      build.manifest[island.name]?.export !== island.export ||
      !!build.manifest[island.name]?.client !== island.standalone
    );
    const missing = Object.keys(SCRIPTS).filter((name) => !(name in build.scripts));
    if (missing.length > 0) {
      throw new Error(`${resolve(dir, MANIFEST)} lacks the scripts ${missing.join(", ")}`);
    }
    if (stale || names.join() !== built.join()) {
      throw new Error(
        `${resolve(dir, MANIFEST)} has islands ${built.join(", ")} but islands/ has ${
          names.join(", ")
        }`,
      );
    }
    return build;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `Invalid setting ISLANDS: prebuilt bundles unusable: ${reason}; ` +
        "run `deno task build` (or point ISLANDS_DIR at its output)",
    );
  }
}
