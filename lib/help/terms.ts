/**
 * Term-level helpers for retrieval: phrase folding ("sign in" → "signin"), the tokenizer and
 * index-term function shared by indexing and questions, the stemmed synonym table, and small
 * judgements about single words (a unit after a number, a written name, a slip on a common word).
 */
import type { Section } from "./articles.ts";
import { PHRASES, SYNONYMS } from "./synonyms.ts";
import { editDistance, englishRank, stem, STOP_EN, topEnglish, words } from "./text.ts";

const PHRASE_MAP = new Map(PHRASES.map(([from, to]) => [from, to]));
const MAX_PHRASE = 4;

/** Folds multi-word expressions ("sign in" → "signin") in a normalized word list. */
export function foldPhrases(list: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    let folded = false;
    for (let n = Math.min(MAX_PHRASE, list.length - i); n >= 1 && !folded; n--) {
      const to = PHRASE_MAP.get(list.slice(i, i + n).join(" "));
      if (to !== undefined) {
        out.push(to);
        i += n - 1;
        folded = true;
      }
    }
    if (!folded) out.push(list[i]);
  }
  return out;
}

export const tokenize = (text: string) => foldPhrases(words(text));
export const indexTerm = (
  term: string,
) => (STOP_EN.has(term) || term.length < 2 ? null : stem(term));

/** Synonym keys by their stemmed form, so "bills" and "charging" find "bill" and "charge". */
export const SYNONYM_STEMS = new Map<string, string[][]>();
for (const [key, values] of Object.entries(SYNONYMS)) {
  const k = foldPhrases(key.split(" ")).map(stem).join(" ");
  const terms = values.map((v) =>
    foldPhrases(v.split(" ")).filter((w) => !STOP_EN.has(w)).map(stem)
  );
  SYNONYM_STEMS.set(k, [...(SYNONYM_STEMS.get(k) ?? []), ...terms]);
}
/** Units written after numbers ("45 min"): no more a topic than the number. */
export const UNITS = new Set([
  "min",
  "mins",
  "minute",
  "minutes",
  "hr",
  "hrs",
  "hour",
  "hours",
  "sec",
  "secs",
]);

/** Lower-case words written capitalized inside a sentence (not its first word, not "I"). */
export function namesIn(text: string): Set<string> {
  const names = new Set<string>();
  for (const sentence of text.slice(0, 4000).split(/[.!?\n]+/)) {
    const list = sentence.trim().split(/\s+/);
    for (const w of list.slice(1)) {
      const bare = w.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, "");
      if (/^\p{Lu}/u.test(bare) && bare !== "I" && !/^I'/.test(bare)) names.add(bare.toLowerCase());
    }
  }
  return names;
}

/** Whether `word`, which is no English word, is a slip on a stop word or a frequent word. */
export function nearCommonWord(word: string): boolean {
  if (englishRank(word) !== null || word.length > 14) return false; // a real word is no slip
  const max = word.length >= 8 ? 2 : 1;
  for (const common of COMMON) {
    if (common[0] === word[0] && editDistance(word, common, max) <= max) return true;
  }
  return false;
}

const COMMON = [...STOP_EN, ...topEnglish(3000)].filter((w) => w.length >= 3);

/** The section an example question belongs to: the one sharing most words with it. */
export function bestSectionFor(question: string, sections: Section[]): number {
  const q = new Set(tokenize(question).map(indexTerm).filter((t): t is string => !!t));
  let best = 0;
  let bestScore = -1;
  sections.forEach((s, i) => {
    const head = tokenize(s.heading).map(indexTerm).filter((t) => t && q.has(t)).length;
    const body = new Set(tokenize(s.body).map(indexTerm).filter((t) => t && q.has(t))).size;
    const score = head * 2 + body + (s.heading ? 0.1 : 0);
    if (score > bestScore) [best, bestScore] = [i, score];
  });
  return best;
}
