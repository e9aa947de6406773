/**
 * Island props across the wire: a JSON-safe copy with the paths of props that were signals (the
 * hydration client, ./client.ts, revives them as signals), and escaping for `<script>` and
 * attributes. Functions and JSX can't cross to the browser and throw at render.
 */

export interface WireIsland {
  props: Record<string, unknown>;
  /** Paths of props that were signals. */
  signals?: (string | number)[][];
}

export function toWire(name: string, props: Record<string, unknown>): WireIsland {
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

export function escapeAttr(value: string): string {
  return value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}
