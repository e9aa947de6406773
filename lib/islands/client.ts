/**
 * The hydration client, bundled for the browser by `buildIslands` and imported by the one module
 * script `renderPage` writes at the end of `<body>` (see ./render.ts for the server side).
 *
 * Each island was rendered inside `<div data-island="Name" data-props="i" style="display:contents">`;
 * `<script type="application/json" id="__ISLAND_PROPS">` holds `[{props, signals?}, …]`, where
 * `signals` lists the paths of props that were signals on the server.
 */
import { type ComponentType, h, hydrate } from "preact";
import { signal } from "@preact/signals";

type Path = (string | number)[];

interface WireIsland {
  props: Record<string, unknown>;
  signals?: Path[];
}

// deno-lint-ignore no-explicit-any
export function hydrateIslands(components: Record<string, ComponentType<any>>): void {
  const data = document.getElementById("__ISLAND_PROPS");
  const islands: WireIsland[] = JSON.parse(data?.textContent ?? "[]");
  for (const element of document.querySelectorAll<HTMLElement>("[data-island]")) {
    const name = element.dataset.island ?? "";
    const component = components[name];
    const wire = islands[Number(element.dataset.props)];
    if (!component || !wire) {
      console.error(`Island "${name}" can't hydrate: its component or props are missing.`);
      continue;
    }
    hydrate(h(component, reviveSignals(wire)), element);
  }
}

/** The props, with each listed path turned back into a signal of its value. */
function reviveSignals({ props, signals = [] }: WireIsland): Record<string, unknown> {
  for (const path of signals) {
    let parent = props as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    parent[last] = signal(parent[last]);
  }
  return props;
}
