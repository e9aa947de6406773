/**
 * Our small islands runtime: Fresh's model on Hono.
 *
 * - Every component exported from a module in `islands/` is an island: the default export is named
 *   after the file (`islands/ChatApp.tsx` → `ChatApp`), a capitalised named export `X` is named
 *   `File_X` (or just `File` when `X` is the file's name).
 * - `registerIslands` imports them on the server and registers them; `buildIslands` does that and
 *   bundles them for the browser (see `islands_build.ts`, loaded only then); `deno task build`
 *   writes a build to disk for servers that can't bundle (see `islands_prebuilt.ts`). From then
 *   on, page code just renders an island component (`<ChatApp conversationId={id} />`): a Preact
 *   `options.vnode` hook swaps it for a boundary that, inside `renderPage`, wraps it in
 *   `<div data-island="ChatApp" data-props="0" style="display:contents">` and records its props.
 *   Outside `renderPage`, and inside another island, an island renders as a plain component.
 * - Island props must be JSON values or signals (sent as their value, revived as signals).
 *   Functions and JSX (including children) can't cross to the browser and throw at render.
 * - The props of all islands on a page go, escaped, into `<script type="application/json"
 *   id="__ISLAND_PROPS">`; one module script imports the hydration client (`islands_client.ts`)
 *   and the bundles of the islands used. A page without islands ships no JavaScript.
 * - Rendering is synchronous and keeps its state in a Preact context, so concurrent requests
 *   share nothing but the registry, which `registerIslands` writes once at start-up.
 */
import {
  type ComponentChildren,
  type ComponentType,
  createContext,
  Fragment,
  h,
  options,
  type VNode,
} from "preact";
import { useContext } from "preact/hooks";
import { renderToString } from "preact-render-to-string";
import { Hono } from "hono";
import { basename, extname, resolve } from "node:path";
import { fileURLToPath as fromFileUrl, pathToFileURL } from "node:url";
import type { IslandFile } from "./bundle.ts";

export type { IslandFile } from "./bundle.ts";

/** Where the bundles are served. */
export const ISLANDS_PATH = "/_islands/";
const ROOT = resolve(fromFileUrl(new URL("../..", import.meta.url)));
const CLIENT = fromFileUrl(new URL("./client.ts", import.meta.url));
const SOURCE_DIR = resolve(ROOT, "islands");

// deno-lint-ignore no-explicit-any
type AnyComponent = ComponentType<any>;

export interface IslandBuild {
  /** Output file name → contents, served at `/_islands/<name>`. */
  files: Map<string, IslandFile>;
  /** Island name → its bundle and export. */
  manifest: Record<string, { file: string; export: string }>;
  /** File name of the hydration client bundle. */
  client: string;
  /** How long the build took, in milliseconds. */
  ms: number;
}

/** One registered island: its name, module and export. */
export interface IslandEntry {
  name: string;
  /** Absolute path of the island's module. */
  path: string;
  export: string;
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
    for (const [exportName, component] of Object.entries(module)) {
      if (typeof component !== "function") continue;
      if (exportName !== "default" && !/^[A-Z]/.test(exportName)) continue;
      const name = exportName === "default" || exportName === stem ? stem : `${stem}_${exportName}`;
      const known = registry.get(component);
      if (islands.has(name) && known !== name) {
        throw new Error(`Two islands are named "${name}" (${path})`);
      }
      islands.set(name, { name, path, export: exportName });
      registry.set(component, name);
    }
  }
  installHook();
  return [...islands.values()];
}

/** Build and register the islands of `dir` (default `islands/`). Call once at start-up. */
export async function buildIslands(
  { dir = SOURCE_DIR, dev = false }: { dir?: string; dev?: boolean } = {},
): Promise<IslandBuild> {
  const started = performance.now();
  const islands = await registerIslands({ dir });
  // Loaded here, not at the top: serving prebuilt bundles must not load esbuild (Deno Deploy).
  const { bundleIslands } = await import("./bundle.ts");
  const entries = await islandModules(dir);
  const bundle = await bundleIslands({ entries, client: CLIENT, root: ROOT, dev });
  const manifest: IslandBuild["manifest"] = {};
  for (const island of islands) {
    manifest[island.name] = { file: bundle.outputs.get(island.path)!, export: island.export };
  }
  const client = bundle.outputs.get(CLIENT)!;
  return { files: bundle.files, manifest, client, ms: performance.now() - started };
}

/** The island modules of `dir`, sorted; none if `dir` doesn't exist. */
async function islandModules(dir: string): Promise<string[]> {
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

export interface PageOptions {
  title: string;
  /** Extra elements for `<head>` (after the stylesheet). */
  head?: ComponentChildren;
  body: ComponentChildren;
  build: IslandBuild;
  lang?: string;
  /** CSP nonce for the module script, if the page's policy uses one. */
  nonce?: string;
}

/** Render a full HTML document. */
export function renderPage({ title, head, body, build, lang = "en", nonce }: PageOptions): string {
  const state: RenderState = { islands: [] };
  const html = renderToString(h(RenderContext.Provider, { value: state }, body));
  return "<!doctype html>" + `<html lang="${escapeAttr(lang)}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    renderToString(h("title", null, title)) + '<link rel="stylesheet" href="/static/app.css">' +
    (head === undefined ? "" : renderToString(h(Fragment, null, head))) +
    `</head><body>${html}${islandScripts(state, build, nonce)}</body></html>`;
}

// ---- rendering internals ----

interface WireIsland {
  props: Record<string, unknown>;
  /** Paths of props that were signals. */
  signals?: (string | number)[][];
}

interface RenderState {
  islands: { name: string; wire: WireIsland }[];
}

const registry = new Map<unknown, string>();
const RenderContext = createContext<RenderState | null>(null);
const InsideIsland = createContext(false);
/** Set while a boundary creates its inner vnode, so the hook doesn't wrap it again (synchronous). */
let creatingInner = false;
let hookInstalled = false;

function installHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  const previous = options.vnode;
  options.vnode = (vnode: VNode) => {
    const name = creatingInner ? undefined : registry.get(vnode.type);
    if (name !== undefined) {
      const island: BoundaryProps = {
        name,
        component: vnode.type as AnyComponent,
        props: vnode.props,
      };
      (vnode as { type: unknown }).type = IslandBoundary;
      (vnode as { props: unknown }).props = island;
    }
    previous?.(vnode);
  };
}

interface BoundaryProps {
  name: string;
  component: AnyComponent;
  props: Record<string, unknown>;
}

function IslandBoundary({ name, component, props }: BoundaryProps) {
  const state = useContext(RenderContext);
  const inside = useContext(InsideIsland);
  creatingInner = true;
  let inner: VNode;
  try {
    inner = h(component, props);
  } finally {
    creatingInner = false;
  }
  if (!state || inside) return inner;
  const index = state.islands.push({ name, wire: toWire(name, props) }) - 1;
  return h(
    "div",
    { "data-island": name, "data-props": String(index), style: "display:contents" },
    h(InsideIsland.Provider, { value: true }, inner),
  );
}

function toWire(name: string, props: Record<string, unknown>): WireIsland {
  const signals: (string | number)[][] = [];
  const plain = toJson(name, props, [], signals) as Record<string, unknown>;
  return signals.length > 0 ? { props: plain, signals } : { props: plain };
}

const SIGNAL_BRAND = Symbol.for("preact-signals");

/** A JSON-safe copy of `value`; signals become their value and their path goes to `signals`. */
function toJson(
  island: string,
  value: unknown,
  path: (string | number)[],
  signals: (string | number)[][] | null,
): unknown {
  const fail = (what: string) => {
    throw new Error(
      `Island ${island}: prop "${
        path.join(".")
      }" is ${what}; island props must be JSON values or signals`,
    );
  };
  if (typeof value === "function") fail("a function");
  if (typeof value === "bigint" || typeof value === "symbol") fail(`a ${typeof value}`);
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string | symbol, unknown>;
  if (object.brand === SIGNAL_BRAND) {
    signals?.push(path);
    return toJson(island, (object as { peek(): unknown }).peek(), path, null);
  }
  if (object.constructor === undefined && "type" in object && "props" in object) fail("JSX");
  if (Array.isArray(value)) {
    return value.map((item, i) => toJson(island, item, [...path, i], signals));
  }
  if (typeof object.toJSON === "function") return (object as { toJSON(): unknown }).toJSON();
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(object)) {
    if (item !== undefined) out[key] = toJson(island, item, [...path, key], signals);
  }
  return out;
}

/** JSON or a JS string literal that is safe inside `<script>`: no `<`, `>`, `&`, U+2028/9. */
export function escapeScript(json: string): string {
  return json.replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function escapeAttr(value: string): string {
  return value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function islandScripts(state: RenderState, build: IslandBuild, nonce?: string): string {
  if (state.islands.length === 0) return "";
  const url = (file: string) => escapeScript(JSON.stringify(ISLANDS_PATH + file));
  const modules = new Map<string, string>(); // file → local binding
  const components: string[] = [];
  for (const name of new Set(state.islands.map((island) => island.name))) {
    const entry = build.manifest[name];
    if (!entry) {
      throw new Error(`Island "${name}" is not in this build; pass the build that registered it`);
    }
    if (!modules.has(entry.file)) modules.set(entry.file, `i${modules.size}`);
    components.push(
      `${escapeScript(JSON.stringify(name))}:${modules.get(entry.file)}[${
        JSON.stringify(entry.export)
      }]`,
    );
  }
  const imports = [...modules].map(([file, local]) => `import*as ${local} from${url(file)};`).join(
    "",
  );
  const props = escapeScript(JSON.stringify(state.islands.map((island) => island.wire)));
  const nonceAttr = nonce ? ` nonce="${escapeAttr(nonce)}"` : "";
  return `<script type="application/json" id="__ISLAND_PROPS">${props}</script>` +
    `<script type="module"${nonceAttr}>import{hydrateIslands}from${url(build.client)};${imports}` +
    `hydrateIslands({${components.join(",")}});</script>`;
}
