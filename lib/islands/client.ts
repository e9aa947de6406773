/**
 * The hydration client, bundled for the browser by `buildIslands` and imported by the one module
 * script `renderPage` writes at the end of `<body>` (see ./render.ts for the server side).
 *
 * Each island was rendered inside `<div data-island="Name" data-props="i" style="display:contents">`;
 * `<script type="application/json" id="__ISLAND_PROPS">` holds `[{props, signals?}, …]`, where
 * `signals` lists the paths of props that were signals on the server. Text typed into an island's
 * fields before its script arrived is kept through hydration; a field changed meanwhile gets its
 * `change` event again, and a form submitted meanwhile is submitted again, once hydrated (both held
 * back by the page's guard, see ./render.ts).
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
    const typed = typedFields(element);
    hydrate(h(component, reviveSignals(wire)), element);
    keepTyped(typed);
  }
  document.documentElement.setAttribute("data-hydrated", "");
  changesHeld();
  submitHeld();
}

/**
 * The changes the page's guard noted before hydration (./render.ts `SUBMIT_GUARD`), dispatched
 * again now that the islands listen: each field (once, with its last value, in the order first
 * changed) gets that value back if hydration moved it, and a `change` event.
 */
function changesHeld(): void {
  const w = globalThis as { __heldChanges?: { field: unknown; value: unknown }[] };
  const held = w.__heldChanges ?? [];
  delete w.__heldChanges;
  const last = new Map<Changeable, string>();
  for (const { field, value } of held) {
    if (changeable(field) && typeof value === "string") last.set(field, value);
  }
  for (const [field, value] of last) replay(field, value, "change");
}

/**
 * Gives a field still on the page the value it had before hydration (if hydration moved it; a
 * file input's can't be set) and the event the island missed.
 */
function replay(field: Changeable, value: string, type: "input" | "change"): void {
  if (!field.isConnected) return;
  const file = field instanceof HTMLInputElement && field.type === "file";
  if (field.value !== value && !file) field.value = value;
  field.dispatchEvent(new Event(type, { bubbles: true }));
}

type Changeable = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

const changeable = (x: unknown): x is Changeable =>
  x instanceof HTMLInputElement || x instanceof HTMLSelectElement ||
  x instanceof HTMLTextAreaElement;

/**
 * The submit the page's guard held back before hydration (./render.ts `SUBMIT_GUARD`), made
 * again now that the island handles it: the click or Enter is not lost.
 */
function submitHeld(): void {
  const w = globalThis as { __heldSubmit?: { form: unknown; submitter: unknown } };
  const held = w.__heldSubmit;
  delete w.__heldSubmit;
  if (!held || !(held.form instanceof HTMLFormElement) || !held.form.isConnected) return;
  const submitter = held.submitter instanceof HTMLElement && held.submitter.isConnected &&
      (held.submitter as HTMLButtonElement).form === held.form
    ? held.submitter
    : undefined;
  held.form.requestSubmit(submitter);
}

type Field = HTMLInputElement | HTMLTextAreaElement;

/** Fields someone typed into before the script arrived (their value is no longer the page's). */
function typedFields(root: HTMLElement): [Field, string][] {
  const out: [Field, string][] = [];
  for (const field of root.querySelectorAll<Field>("input, textarea")) {
    if (field.value !== field.defaultValue) out.push([field, field.value]);
  }
  return out;
}

/**
 * Puts what was typed back if hydration emptied it, and tells the component with an `input`
 * event, as typing would have: its state then holds the text too.
 */
function keepTyped(typed: [Field, string][]): void {
  for (const [field, value] of typed) replay(field, value, "input");
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
