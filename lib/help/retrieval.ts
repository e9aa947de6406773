/**
 * Retrieval over help-center sections. Each `##` section is a MiniSearch document with four fields
 * scored apart (article title, section heading, section body, admin example questions). Questions
 * are analyzed into *concepts* (a customer's word or phrase, with its stem, synonyms from
 * `synonyms.ts` and, for misspellings, the nearest help-center words found with MiniSearch's fuzzy
 * search). A section's rank combines BM25 with how much of the question it covers; the answer is
 * given only when the best section covers the question's specific words and stands out (see
 * `decide`), otherwise the index abstains.
 */
import MiniSearch from "minisearch";
import { type Article, type Section, splitSections } from "./articles.ts";
import { editDistance, englishRank, specificity, stem, STOP_EN } from "./text.ts";
import {
  bestSectionFor,
  indexTerm,
  namesIn,
  nearCommonWord,
  SYNONYM_STEMS,
  tokenize,
  UNITS,
} from "./terms.ts";

export { foldPhrases } from "./terms.ts";

/** Field boosts, and the weights of a concept's alternative terms. */
export const TUNING = {
  boost: { title: 1.2, heading: 2, body: 1, questions: 1.6 },
  synonymWeight: 0.7,
  typoWeight: 0.8,
  /** Minimum confidence to answer. */
  minConfidence: 0.5,
  /** A concept unknown to the help center with at least this specificity vetoes an answer. */
  vetoSpecificity: 0.8,
  /** So do unknown concepts whose specificities add up to this much ("rooms or equipment"). */
  vetoUnknownMass: 0.85,
};

/** A customer's word or phrase and the index terms that stand for it. */
export interface Concept {
  text: string;
  /** From the previous question (follow-up context), not this one. */
  context?: boolean;
  /** Index term → weight multiplier (1: the customer's own word; less: synonym or correction). */
  terms: Map<string, number>;
  /** How much the concept tells sections apart, in (0, 1]. */
  weight: number;
  /** Whether any of its terms occurs in the help center. */
  known: boolean;
  /** Written as a name (capitalized inside a sentence: "Dynamics", "Lisbon"). */
  named?: boolean;
}

export interface RankedSection extends Section {
  score: number;
  /** Weighted share of the question's concepts found in this section, in [0, 1]. */
  coverage: number;
  /** The same, counting only the question's own concepts (not the follow-up context). */
  ownCoverage: number;
}

export interface SearchResult {
  /** Best first; at most `limit`. */
  hits: RankedSection[];
  /** The section to answer with, or null to abstain. */
  answer: RankedSection | null;
  /** In [0, 1]: coverage of the best section, lowered when a rival article scores close. */
  confidence: number;
  /** Why it answered or abstained (for logs and agents). */
  reason: string;
  /** Abstained because the question names something the help center never mentions. */
  vetoed?: boolean;
  concepts: Concept[];
}

export interface SearchOptions {
  limit?: number;
  context?: string;
  preferSlug?: string;
  /** Search this article only (a follow-up on the article the bot just answered from). */
  onlySlug?: string;
}

interface Doc extends Section {
  id: number;
  questions: string;
}

export class HelpIndex {
  readonly sections: readonly Section[];
  readonly #index: MiniSearch<Doc>;
  readonly #vocab: MiniSearch<{ id: number; word: string }>;
  /** Index term → number of sections that contain it. */
  readonly #df = new Map<string, number>();
  readonly #rawWords = new Set<string>();

  constructor(articles: readonly Article[]) {
    const docs: Doc[] = [];
    for (const article of articles) {
      const sections = splitSections(article);
      const questions = sections.map(() => [] as string[]);
      for (const q of article.questions) questions[bestSectionFor(q, sections)]?.push(q);
      sections.forEach((s, i) =>
        docs.push({ ...s, id: docs.length, questions: questions[i].join("\n") })
      );
    }
    this.sections = docs;
    this.#index = new MiniSearch<Doc>({
      fields: ["title", "heading", "body", "questions"],
      tokenize,
      processTerm: indexTerm,
    });
    this.#index.addAll(docs);
    for (const doc of docs) {
      const seen = new Set<string>();
      for (const w of tokenize(`${doc.title} ${doc.heading} ${doc.body} ${doc.questions}`)) {
        const t = indexTerm(w);
        if (!t) continue;
        if (/^[a-z]{3,}$/.test(w)) this.#rawWords.add(w);
        if (!seen.has(t)) this.#df.set(t, (this.#df.get(t) ?? 0) + 1), seen.add(t);
      }
    }
    this.#vocab = new MiniSearch({ fields: ["word"], storeFields: ["word"] });
    this.#vocab.addAll([...this.#rawWords].map((word, id) => ({ id, word })));
  }

  /**
   * Index terms for a word the help center lacks: a stem that differs only in its ending
   * ("notifi" for "notif"), else the nearest help-center words by spelling (MiniSearch fuzzy).
   */
  corrections(word: string): string[] {
    if (word.length < 5 || this.#rawWords.has(word)) return [];
    const own = stem(word);
    const related = [...this.#df.keys()].filter((t) =>
      t.length >= 5 && own.length >= 5 && t.slice(0, 5) === own.slice(0, 5) &&
      (t.startsWith(own) || own.startsWith(t)) && Math.abs(t.length - own.length) <= 2
    );
    if (related.length) return related.slice(0, 3);
    const rank = englishRank(word);
    if (rank !== null && rank < 8000) return []; // a real, common word is not a typo
    const max = word.length >= 8 ? 2 : 1;
    const found = this.#vocab.search(word, { fuzzy: max, prefix: false })
      .map((r) => ({ word: r.word as string, d: editDistance(word, r.word as string, max) }))
      .filter((c) => c.d <= max && (c.d === 1 || c.word[0] === word[0]));
    const best = Math.min(...found.map((c) => c.d));
    return [...new Set(found.filter((c) => c.d === best).map((c) => stem(c.word)))].slice(0, 3);
  }

  /** The question's concepts (phrases first, then words; stop words dropped). */
  analyze(question: string): Concept[] {
    const list = tokenize(question);
    const names = namesIn(question);
    const stems = list.map((w) => stem(w));
    const concepts: Concept[] = [];
    const n = Math.max(1, this.sections.length);
    const idfWeight = (term: string) => {
      const df = this.#df.get(term);
      return df ? Math.log(1 + n / df) / Math.log(1 + n) : 0;
    };
    for (let i = 0; i < list.length; i++) {
      let span = 1;
      let synonyms: string[][] = [];
      for (let len = Math.min(3, list.length - i); len >= 1; len--) {
        const found = SYNONYM_STEMS.get(stems.slice(i, i + len).join(" "));
        if (found) [span, synonyms] = [len, found];
        if (found) break;
      }
      const own = list.slice(i, i + span).filter((w) =>
        !STOP_EN.has(w) && w.length > 1 && !/^\d+(st|nd|rd|th|s|h|m|min|am|pm)?$/.test(w) &&
        !UNITS.has(w)
      );
      i += span - 1;
      if (!own.length && !synonyms.length) continue;
      // A phrase ("money back") means its synonym ("refund"); a single word means itself first.
      const phrase = span > 1 && synonyms.length > 0;
      const terms = new Map<string, number>();
      for (const w of own) terms.set(stem(w), phrase ? 0.5 : 1);
      for (const syn of synonyms) {
        for (const t of syn) {
          terms.set(t, Math.max(terms.get(t) ?? 0, phrase ? 1 : TUNING.synonymWeight));
        }
      }
      if (span === 1 && own.length === 1 && !this.#df.has(stem(own[0]))) {
        for (const t of this.corrections(own[0])) {
          if (!terms.has(t)) terms.set(t, TUNING.typoWeight);
        }
      }
      const known = [...terms.keys()].some((t) => this.#df.has(t));
      // "wher", "teh": a slip on a common word says nothing about the topic.
      if (!known && own.length === 1 && nearCommonWord(own[0])) continue;
      const text = list.slice(i - span + 1, i + 1).join(" ");
      // Rare in the help center *and* in English: "invoice" weighs more than "happens".
      const general = Math.max(0.15, ...own.map(specificity));
      const weight = known
        ? 0.5 * general + 0.5 * Math.max(...[...terms].map(([t, m]) => idfWeight(t) * m))
        : general;
      const named = !known && own.length === 1 && names.has(own[0]);
      concepts.push({ text, terms, weight, known, ...(named ? { named } : {}) });
    }
    return concepts;
  }

  /**
   * Ranked sections for `question`, and whether the best one answers it. `context` (the previous
   * question, for follow-ups) adds its concepts at half weight; `preferSlug` (the article the bot
   * last answered from) gets a small boost.
   */
  search(question: string, options: SearchOptions = {}): SearchResult {
    const limit = options.limit ?? 5;
    const concepts = this.analyze(question);
    if (options.context) {
      const own = new Set(concepts.flatMap((c) => [...c.terms.keys()]));
      for (const c of this.analyze(options.context)) {
        if ([...c.terms.keys()].some((t) => own.has(t))) continue;
        const terms = new Map([...c.terms].map(([t, m]) => [t, m * 0.3] as [string, number]));
        concepts.push({ ...c, terms, weight: c.weight * 0.5, context: true });
      }
    }
    const termWeight = new Map<string, number>();
    for (const c of concepts) {
      for (const [t, m] of c.terms) termWeight.set(t, Math.max(termWeight.get(t) ?? 0, m));
    }
    if (!termWeight.size) {
      return { hits: [], answer: null, confidence: 0, reason: "no content words", concepts };
    }
    const results = this.#index.search([...termWeight.keys()].join(" "), {
      tokenize: (q) => q.split(" "),
      processTerm: (t) => t,
      boost: TUNING.boost,
      boostTerm: (t) => termWeight.get(t) ?? 1,
      combineWith: "OR",
      boostDocument: (id) => (this.sections[id as number]?.slug === options.preferSlug ? 1.15 : 1),
      ...(options.onlySlug
        ? { filter: (r) => this.sections[r.id as number]?.slug === options.onlySlug }
        : {}),
    });
    const total = concepts.reduce((s, c) => s + c.weight, 0);
    const ownTotal = concepts.reduce((s, c) => s + (c.context ? 0 : c.weight), 0);
    // Terms found anywhere in an article: a section gets some credit for its neighbours' words.
    const inArticle = new Map<string, Set<string>>();
    for (const r of results) {
      const slug = this.sections[r.id as number].slug;
      const set = inArticle.get(slug) ?? new Set<string>();
      for (const t of r.queryTerms) set.add(t);
      inArticle.set(slug, set);
    }
    const ranked = results.slice(0, 50).map((r) => {
      const matched = new Set(r.queryTerms);
      const article = inArticle.get(this.sections[r.id as number].slug)!;
      let covered = 0;
      let ownCovered = 0;
      for (const c of concepts) {
        let best = 0;
        for (const [t, m] of c.terms) {
          if (article.has(t)) best = Math.max(best, m * 0.5);
          if (!matched.has(t)) continue;
          // A word found only in the article's title says less about *this* section.
          const fields = r.match[t] ?? [];
          const place = fields.some((f) => f !== "title") ? 1 : 0.6;
          best = Math.max(best, m * place);
        }
        covered += c.weight * best;
        if (!c.context) ownCovered += c.weight * best;
      }
      const coverage = total ? covered / total : 0;
      const ownCoverage = ownTotal ? ownCovered / ownTotal : 0;
      const doc = this.sections[r.id as number];
      return { ...doc, score: r.score * (0.25 + coverage), coverage, ownCoverage };
    }).sort((a, b) => b.score - a.score);
    const hits = ranked.slice(0, limit).map((
      { slug, title, heading, body, score, coverage, ownCoverage },
    ) => ({
      slug,
      title,
      heading,
      body,
      score,
      coverage,
      ownCoverage,
    }));
    return { hits, concepts, ...decide(ranked, concepts) };
  }
}

/** The abstention rule: answer only with a clear, well-covered best section. */
function decide(
  ranked: RankedSection[],
  concepts: Concept[],
): { answer: RankedSection | null; confidence: number; reason: string; vetoed?: boolean } {
  const top = ranked[0];
  if (!top) return { answer: null, confidence: 0, reason: "no section matches" };
  const rival = ranked.find((r) => r.slug !== top.slug);
  const margin = rival ? 1 - rival.score / top.score : 1;
  const confidence = top.coverage * (0.75 + 0.25 * Math.min(1, margin * 2));
  const unknown = concepts.filter((c) => !c.known && !c.context);
  const mass = unknown.reduce((sum, c) => sum + c.weight, 0);
  const veto = unknown.find((c) => c.named || c.weight >= TUNING.vetoSpecificity) ??
    (mass >= TUNING.vetoUnknownMass ? unknown[0] : undefined);
  const score = (n: number) => n.toFixed(2);
  if (veto) {
    return {
      answer: null,
      confidence: Math.min(confidence, 0.3),
      reason: `the help center never mentions "${veto.text}"`,
      vetoed: true,
    };
  }
  if (confidence < TUNING.minConfidence) {
    return {
      answer: null,
      confidence,
      reason: `best section covers too little (coverage ${score(top.coverage)}, margin ${
        score(margin)
      })`,
    };
  }
  return {
    answer: top,
    confidence,
    reason: `coverage ${score(top.coverage)}, margin ${score(margin)}`,
  };
}
