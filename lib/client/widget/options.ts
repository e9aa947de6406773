/**
 * The loader's options, from the script tag's `data-*` attributes and `window.parleySettings`
 * (which wins), each checked by hand: a bad value is reported and ignored, never applied. Options
 * not given fall back to what the admin set on /admin (`GET /api/widget/settings`).
 */
import {
  LOCALE_PATTERN,
  normalizeColor,
  type Position,
  POSITIONS,
} from "../../contract/widget_rules.ts";

export interface LoaderOptions {
  position?: Position;
  /** `#rrggbb`. */
  color?: string;
  /** Start with the panel open. */
  open?: boolean;
  /** The panel's language tag (its `lang`, dates and times). */
  locale?: string;
  /** A short sound on a new agent or bot message while the panel is closed or the tab hidden. */
  sound?: boolean;
}

const NAMES = ["position", "color", "open", "locale", "sound"] as const;

const toBoolean = (value: unknown): boolean | null => {
  if (typeof value === "boolean") return value;
  if (value === "" || value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  return null;
};

function checked(name: typeof NAMES[number], value: unknown): LoaderOptions[typeof name] | null {
  switch (name) {
    case "position":
      return POSITIONS.includes(value as Position) ? value as Position : null;
    case "color":
      return normalizeColor(value);
    case "locale":
      return typeof value === "string" && LOCALE_PATTERN.test(value) ? value : null;
    case "open":
    case "sound":
      return toBoolean(value);
  }
}

/**
 * `attribute(name)` reads the script tag's `data-<name>`; `settings` is `window.parleySettings`.
 * Problems go to `warn`.
 */
export function readOptions(
  attribute: (name: string) => string | null,
  settings: unknown,
  warn: (message: string) => void,
): LoaderOptions {
  const options: Record<string, unknown> = {};
  const given = typeof settings === "object" && settings !== null
    ? settings as Record<string, unknown>
    : {};
  for (const name of NAMES) {
    const fromSettings = Object.hasOwn(given, name);
    const raw = fromSettings ? given[name] : attribute(name);
    if (raw === null || raw === undefined) continue;
    const value = checked(name, raw);
    if (value === null) {
      warn(
        `Parley: ignoring ${fromSettings ? "parleySettings." : "data-"}${name} = ` +
          `${JSON.stringify(raw)} (see docs/widget.md for the values it takes).`,
      );
    } else options[name] = value;
  }
  return options as LoaderOptions;
}
