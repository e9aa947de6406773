/**
 * Our small islands runtime, server side: Fresh's model on Hono.
 *
 * - Islands are registered at start-up (./registry.ts). From then on, page code just renders an
 *   island component (`<ChatApp conversationId={id} />`): a Preact `options.vnode` hook swaps it
 *   for a boundary that, inside `renderPage`, wraps it in
 *   `<div data-island="ChatApp" data-props="0" style="display:contents">` and records its props.
 *   Outside `renderPage`, and inside another island, an island renders as a plain component.
 * - Island props must be JSON values or signals (./serialize.ts).
 * - The props of all islands on a page go, escaped, into `<script type="application/json"
 *   id="__ISLAND_PROPS">`; one module script imports the hydration client (./client.ts) and the
 *   bundles of the islands used. A page without islands ships no JavaScript.
 * - Rendering is synchronous and keeps its state in a Preact context, so concurrent requests
 *   share nothing but the registry, which registration writes once at start-up.
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
import type { IslandFile } from "./bundle.ts";
import { escapeAttr, escapeScript, toWire, type WireIsland } from "./serialize.ts";

export type { IslandFile } from "./bundle.ts";

/** Where the bundles are served. */
export const ISLANDS_PATH = "/_islands/";

// deno-lint-ignore no-explicit-any
type AnyComponent = ComponentType<any>;

export interface IslandBuild {
  /** Output file name → contents, served at `/_islands/<name>`. */
  files: Map<string, IslandFile>;
  /** Island name → its bundle and export (and its own client, if it is bundled on its own). */
  manifest: Record<string, { file: string; export: string; client?: string }>;
  /** File name of the hydration client bundle. */
  client: string;
  /** Classic scripts served at fixed paths: name → file name (`widget` → `widget.js`). */
  scripts: Record<string, string>;
  /** How long the build took, in milliseconds. */
  ms: number;
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

/**
 * Until the islands have hydrated, a form's submit would be the browser's own: a GET of the page
 * with the fields in the URL (a password, on the sign-in page) and a reload that loses what was
 * typed. This classic script, first in `<head>` of every page with islands, holds such a submit
 * back (capture phase, before anything else sees it) and keeps the last one; the hydration client
 * (./client.ts) marks the page hydrated and submits it again, now to the island's own handler.
 *
 * A field's `change` (Enter in a number box, a choice in a select) would be lost the same way, as
 * no handler listens yet: the script notes each changed field with its value, and the client
 * dispatches `change` on it again once hydrated.
 */
export const SUBMIT_GUARD = "addEventListener('submit',function(e){" +
  "if(document.documentElement.hasAttribute('data-hydrated'))return;" +
  "e.preventDefault();e.stopImmediatePropagation();" +
  "window.__heldSubmit={form:e.target,submitter:e.submitter}},true);" +
  "addEventListener('change',function(e){" +
  "if(document.documentElement.hasAttribute('data-hydrated'))return;" +
  "var h=window.__heldChanges||(window.__heldChanges=[]);" +
  "h.push({field:e.target,value:e.target.value})},true)";

/** Render a full HTML document. */
export function renderPage({ title, head, body, build, lang = "en", nonce }: PageOptions): string {
  const state: RenderState = { islands: [] };
  const html = renderToString(h(RenderContext.Provider, { value: state }, body));
  const nonceAttr = nonce ? ` nonce="${escapeAttr(nonce)}"` : "";
  const guard = state.islands.length ? `<script${nonceAttr}>${SUBMIT_GUARD}</script>` : "";
  return "<!doctype html>" + `<html lang="${escapeAttr(lang)}"><head><meta charset="utf-8">` +
    guard + '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    renderToString(h("title", null, title)) + '<link rel="stylesheet" href="/static/app.css">' +
    (head === undefined ? "" : renderToString(h(Fragment, null, head))) +
    `</head><body>${html}${islandScripts(state, build, nonceAttr)}</body></html>`;
}

// ---- rendering internals ----

interface RenderState {
  islands: { name: string; wire: WireIsland }[];
}

/** Component → island name (filled by ./registry.ts). */
export const registry = new Map<unknown, string>();
const RenderContext = createContext<RenderState | null>(null);
const InsideIsland = createContext(false);
/** Set while a boundary creates its inner vnode, so the hook doesn't wrap it again (synchronous). */
let creatingInner = false;
let hookInstalled = false;

export function installHook(): void {
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

/** `nonceAttr`: the page's ` nonce="…"` attribute, or "" (see `renderPage`). */
function islandScripts(state: RenderState, build: IslandBuild, nonceAttr: string): string {
  if (state.islands.length === 0) return "";
  const url = (file: string) => escapeScript(JSON.stringify(ISLANDS_PATH + file));
  const modules = new Map<string, string>(); // file → local binding
  const components: string[] = [];
  const clients = new Set<string>();
  for (const name of new Set(state.islands.map((island) => island.name))) {
    const entry = build.manifest[name];
    if (!entry) {
      throw new Error(`Island "${name}" is not in this build; pass the build that registered it`);
    }
    clients.add(entry.client ?? build.client);
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
  if (clients.size > 1) {
    throw new Error(
      "An island bundled on its own (standalone) must be the only island on its page",
    );
  }
  const props = escapeScript(JSON.stringify(state.islands.map((island) => island.wire)));
  return `<script type="application/json" id="__ISLAND_PROPS">${props}</script>` +
    `<script type="module"${nonceAttr}>import{hydrateIslands}from${
      url([...clients][0])
    };${imports}` +
    `hydrateIslands({${components.join(",")}});</script>`;
}
