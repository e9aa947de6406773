/**
 * Text as people see it, shared by the server (schemas, the conversation service) and the browser
 * (the composer, names in the pages): lengths counted in grapheme clusters (what a reader counts
 * as one character: an emoji, a letter with its accents, a flag), text made only of invisible
 * characters, and names isolated from the text around them so that bidi controls in a name can't
 * reorder what surrounds it.
 */

/** Messages are at most this many characters (grapheme clusters). */
export const MAX_MESSAGE_LENGTH = 4000;
/**
 * And at most this many UTF-16 code units, what the 16 KiB frame carries (4,000 astral emoji are
 * 8,000 units). It keeps a message far below Deno KV's 64 KiB value limit whatever its script.
 */
export const MAX_MESSAGE_UNITS = 16_000;
/** Names are at most this many characters (grapheme clusters)… */
export const MAX_NAME_LENGTH = 80;
/** …and this many UTF-16 code units (80 family emoji of 11 units each fit). */
export const MAX_NAME_UNITS = 1000;

let segmenter: Intl.Segmenter | undefined;

/**
 * The number of grapheme clusters in `text`, counting no further than `stopAfter` (a check
 * against a limit needs to know only whether the text is over it). A cluster is at least one
 * UTF-16 unit, so text no longer in units than the limit is never segmented.
 */
export function graphemeCount(text: string, stopAfter = Infinity): number {
  if (text.length <= stopAfter && /^[\t\n\x20-\x7e]*$/.test(text)) return text.length;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  let n = 0;
  for (const _ of segmenter.segment(text)) {
    if (++n > stopAfter) break;
  }
  return n;
}

/** Whether `text` has more than `max` characters (grapheme clusters). */
export function longerThan(text: string, max: number): boolean {
  return text.length > max && graphemeCount(text, max) > max;
}

/**
 * Characters that show nothing: white space, control and format characters (zero-width spaces
 * and joiners, bidi controls, the BOM, tag characters), everything Unicode marks as ignorable by
 * default (Hangul fillers, variation selectors, the combining grapheme joiner), and the blank
 * Braille pattern.
 */
const INVISIBLE = /^[\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

/** Whether `text` is empty or made only of characters that show nothing. */
export function isInvisible(text: string): boolean {
  return INVISIBLE.test(text);
}

/** Explicit bidi controls: embeddings, overrides, isolates, and the marks (LRM, RLM, ALM). */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** Letters of right-to-left scripts: a name starting with one would turn a sentence around. */
const RTL = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

const OPENS_EMBEDDING = /[\u202a-\u202e]/; // LRE RLE PDF… (PDF itself excluded below)
const OPENS_ISOLATE = /[\u2066-\u2068]/; // LRI RLI FSI
const PDF = "\u202c", PDI = "\u2069";

/**
 * `name` with its explicit bidi controls balanced: a closer without its opener is dropped and
 * openers left open are closed at the end. Inside an isolate (`<bdi>`, or FSI…PDI) such a name
 * can then neither close the isolate early nor leak an override past it.
 */
export function balanceBidi(name: string): string {
  if (!BIDI_CONTROL.test(name)) return name;
  const open: string[] = [];
  let out = "";
  for (const ch of name) {
    if (ch === PDF) {
      // Closes the innermost embedding, only within the innermost isolate.
      if (open.at(-1) === PDF) out += open.pop();
      continue;
    }
    if (ch === PDI) {
      const i = open.lastIndexOf(PDI);
      if (i < 0) continue;
      // A PDI also closes the embeddings opened inside its isolate.
      while (open.length > i) out += open.pop();
      continue;
    }
    if (OPENS_EMBEDDING.test(ch)) open.push(PDF);
    else if (OPENS_ISOLATE.test(ch)) open.push(PDI);
    out += ch;
  }
  while (open.length) out += open.pop();
  return out;
}

/**
 * A name to put in running text (system messages, notices, option labels): unchanged when it
 * holds no bidi control and no right-to-left letter, else balanced and wrapped in FSI…PDI so that
 * it can't reorder the sentence around it. In markup, prefer `<bdi>` (components/Name.tsx).
 */
export function isolateName(name: string): string {
  if (!BIDI_CONTROL.test(name) && !RTL.test(name)) return name;
  return `\u2068${balanceBidi(name)}\u2069`;
}
