/**
 * Bundles island modules and the hydration client for the browser with esbuild, in one pass, in
 * memory (./build.ts registers them first; ./render.ts renders pages).
 *
 * npm resolution: deno.json sets `"nodeModulesDir": "auto"`, so Deno keeps a `node_modules/` in
 * the project root (created by `deno install` or by the first `deno run`/`deno test`). esbuild
 * resolves from there. The `deno-imports` plugin below maps bare specifiers through deno.json
 * "imports" (and plain `npm:` specifiers) to package names resolved from the project root, so an
 * island sees the same aliases as the server does, wherever the island's file lives.
 */
import * as esbuild from "esbuild";
import { relative, resolve } from "node:path";

/** One output file of a build, kept in memory. */
export interface IslandFile {
  contents: Uint8Array<ArrayBuffer>;
  contentType: string;
}

export interface BundleOptions {
  /** Absolute paths of the island modules, one entry point each. */
  entries: string[];
  /**
   * Those of `entries` bundled on their own, each with its own copy of the client and of what it
   * imports: a page that shows only that island loads only what it needs, never a chunk it shares
   * with the other islands (the website widget's panel, whose size is budgeted).
   */
  standalone?: string[];
  /** Classic scripts (IIFE, one file each, no chunks): output name → entry path. */
  scripts?: Record<string, string>;
  /** Absolute path of the hydration client module. */
  client: string;
  /** Project root: where deno.json and node_modules/ are. */
  root: string;
  /** Development: no minification, linked source maps. */
  dev: boolean;
}

export interface Bundle {
  /** Output file name (e.g. `Counter-5XK2QF3A.js`) → contents. */
  files: Map<string, IslandFile>;
  /** Absolute entry path → its output file name. */
  outputs: Map<string, string>;
  /** Standalone entry path → the file name of its own client. */
  clients: Map<string, string>;
  /** Script name → its file name (`widget` → `widget.js`). */
  scripts: Record<string, string>;
}

const CONTENT_TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  map: "application/json; charset=utf-8",
};

/** esbuild runs as one child process per build; builds are queued so `stop()` never cuts one off. */
let queue: Promise<unknown> = Promise.resolve();

/** Bundle islands and client; the esbuild process is stopped afterwards so nothing lingers. */
export function bundleIslands(options: BundleOptions): Promise<Bundle> {
  const run = queue.then(() => bundleOnce(options)).finally(() => esbuild.stop());
  queue = run.catch(() => undefined);
  return run;
}

async function bundleOnce(options: BundleOptions): Promise<Bundle> {
  const { entries, client, root, dev, standalone = [], scripts = {} } = options;
  await requireNodeModules(root);
  const outdir = resolve(root, "_build/islands");
  const common: esbuild.BuildOptions = {
    absWorkingDir: root,
    outdir,
    write: false,
    bundle: true,
    platform: "browser",
    target: "es2022",
    minify: !dev,
    sourcemap: dev ? "linked" : false,
    jsx: "automatic",
    jsxImportSource: "preact",
    define: { "process.env.NODE_ENV": JSON.stringify(dev ? "development" : "production") },
    metafile: true,
    logLevel: "silent",
    plugins: [denoImportsPlugin(root, await readImportMap(root))],
  };
  const modules = (points: string[]): esbuild.BuildOptions => ({
    ...common,
    entryPoints: [...points, { in: client, out: "islands_client" }],
    splitting: true,
    format: "esm",
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
  });
  const bundle: Bundle = { files: new Map(), outputs: new Map(), clients: new Map(), scripts: {} };
  const add = (result: esbuild.BuildResult & { metafile: esbuild.Metafile }) => {
    for (const file of result.outputFiles ?? []) {
      const name = relative(outdir, file.path);
      const ext = name.slice(name.lastIndexOf(".") + 1);
      const known = bundle.files.get(name);
      if (known && !equalBytes(known.contents, file.contents)) {
        throw new Error(`Two builds wrote different ${name}`);
      }
      bundle.files.set(name, {
        contents: file.contents as Uint8Array<ArrayBuffer>,
        contentType: CONTENT_TYPES[ext] ?? "application/octet-stream",
      });
    }
    const outputs = new Map<string, string>();
    for (const [path, meta] of Object.entries(result.metafile.outputs)) {
      if (meta.entryPoint) {
        outputs.set(resolve(root, meta.entryPoint), relative(outdir, resolve(root, path)));
      }
    }
    return outputs;
  };
  const shared = entries.filter((entry) => !standalone.includes(entry));
  for (const [path, file] of add(await build(modules(shared)))) bundle.outputs.set(path, file);
  for (const entry of standalone) {
    const outputs = add(await build(modules([entry])));
    bundle.outputs.set(entry, outputs.get(entry)!);
    bundle.clients.set(entry, outputs.get(client)!);
  }
  for (const [name, entry] of Object.entries(scripts)) {
    const outputs = add(
      await build({
        ...common,
        entryPoints: [{ in: entry, out: name }],
        format: "iife",
        entryNames: "[name]",
      }),
    );
    bundle.scripts[name] = outputs.get(entry)!;
  }
  return bundle;
}

const build = (options: esbuild.BuildOptions) =>
  esbuild.build({ ...options, metafile: true }) as Promise<
    esbuild.BuildResult & { metafile: esbuild.Metafile }
  >;

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

async function requireNodeModules(root: string): Promise<void> {
  try {
    await Deno.stat(resolve(root, "node_modules"));
  } catch {
    throw new Error(
      `Building islands needs ${
        resolve(root, "node_modules")
      }, which is missing: run \`deno install\` ` +
        `in ${root} (deno.json sets "nodeModulesDir": "auto").`,
    );
  }
}

async function readImportMap(root: string): Promise<Record<string, string>> {
  const config = JSON.parse(await Deno.readTextFile(resolve(root, "deno.json")));
  return config.imports ?? {};
}

/** `npm:preact@10.29.8/hooks` or `npm:/preact@10.29.8/hooks` → `preact/hooks` (node_modules has one version). */
export function npmToPackagePath(specifier: string): string {
  const match = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)(?:@[^/]*)?(\/.*)?$/.exec(specifier);
  if (!match) throw new Error(`Cannot read npm specifier "${specifier}"`);
  return match[1] + (match[2] ?? "");
}

/** Apply a Deno import map to a bare specifier: exact key first, then the longest "prefix/" key. */
export function mapSpecifier(
  specifier: string,
  imports: Record<string, string>,
): string | undefined {
  if (specifier in imports) return imports[specifier];
  let best: string | undefined;
  for (const key of Object.keys(imports)) {
    if (key.endsWith("/") && specifier.startsWith(key) && key.length > (best?.length ?? 0)) {
      best = key;
    }
  }
  return best === undefined ? undefined : imports[best] + specifier.slice(best.length);
}

const MAPPED = Symbol("deno-imports");

function denoImportsPlugin(root: string, imports: Record<string, string>): esbuild.Plugin {
  return {
    name: "deno-imports",
    setup(build) {
      // Bare and `npm:`/`jsr:` specifiers from our own code; npm packages resolve their own imports.
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === MAPPED || args.importer.includes("/node_modules/")) {
          return undefined;
        }
        const target = args.path.startsWith("npm:") ? args.path : mapSpecifier(args.path, imports);
        if (target === undefined) return undefined;
        if (target.startsWith("jsr:")) {
          return {
            errors: [{ text: `"${args.path}" maps to ${target}; JSR is not reachable here` }],
          };
        }
        const path = target.startsWith("npm:") ? npmToPackagePath(target) : target;
        const resolved = await build.resolve(path, {
          kind: args.kind,
          resolveDir: root,
          importer: args.importer,
          pluginData: MAPPED,
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        return {
          path: resolved.path,
          namespace: resolved.namespace,
          sideEffects: resolved.sideEffects,
        };
      });
    },
  };
}
