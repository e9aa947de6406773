/**
 * The website widget's value rules, without dependencies: the loader (lib/client/widget/loader.ts)
 * checks its options by hand with these, and the zod schemas of ./widget.ts use the same ones.
 */

/** A colour the widget accepts: `#rgb` or `#rrggbb` (nothing else reaches a style). */
export const COLOR_PATTERN = /^#(?:[0-9a-fA-F]{3}){1,2}$/;

export const POSITIONS = ["right", "left"] as const;
export type Position = typeof POSITIONS[number];

/** A language tag for the panel's `lang` and date formatting (BCP 47, loosely). */
export const LOCALE_PATTERN = /^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8}){0,3}$/;

/** `userId` of identify: the website's own id of its user. */
export const MAX_EXTERNAL_ID_LENGTH = 200;

/** `userHash`: hex HMAC-SHA256, 64 hex digits. */
export const USER_HASH_PATTERN = /^[0-9a-fA-F]{64}$/;

/** `#abc` → `#aabbcc`, lower case; anything else → null. */
export function normalizeColor(value: unknown): string | null {
  if (typeof value !== "string" || !COLOR_PATTERN.test(value)) return null;
  const hex = value.slice(1).toLowerCase();
  return "#" + (hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex);
}

/** Black or white, whichever reads better on `color` (`#rrggbb`), by WCAG relative luminance. */
export function textOn(color: string): "#000000" | "#ffffff" {
  const channel = (i: number) => {
    const c = parseInt(color.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  // Contrast with white is 1.05 / (L + 0.05); with black (L + 0.05) / 0.05. Pick the larger.
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? "#ffffff" : "#000000";
}
