/**
 * The help center: Markdown articles loaded from a folder, split into passages (one per `##`
 * section) and indexed with MiniSearch (BM25) so the bots can quote the passage that answers a
 * question. Articles are rendered as HTML by ./markdown.ts.
 */
import MiniSearch from "minisearch";

export interface Article {
  /** The file name without `.md`; the article is served at `/help/<slug>`. */
  slug: string;
  /** The first `# heading`, or the slug when there is none. */
  title: string;
  markdown: string;
}

export interface Hit {
  slug: string;
  title: string;
  /** The section's text as plain text (Markdown marks removed). */
  passage: string;
  /** The section's `##` heading; absent for the text before the first section. */
  heading?: string;
  /** MiniSearch's BM25 score (higher is better; not normalized). */
  score: number;
}

interface Passage {
  id: number;
  slug: string;
  title: string;
  heading: string;
  text: string;
}

const SLUG = /^[a-z0-9][a-z0-9_-]*$/;

/** Words too common to tell articles apart; dropped when indexing and searching. */
const STOP_WORDS = new Set(
  ("a about am an and any are as at be been but by can could did do does doing for from get got " +
    "had has have how i i'm if im in into is it its just let me my of on or our please s so than " +
    "that the their them then there these they this to too us was we were what when where which " +
    "who why will with would you your yours t ll ve d re m hi hello hey thanks")
    .split(" "),
);

/** Query words that customers use for words the articles use. Applied to queries only. */
const SYNONYMS: Record<string, string[]> = {
  signup: ["register", "create"],
  login: ["sign"],
  logout: ["sign", "out"],
  person: ["human", "agent"],
  human: ["person", "agent"],
  someone: ["person", "human"],
  staff: ["agent", "human"],
  representative: ["agent", "human"],
  forgot: ["forgot", "reset"],
  forgotten: ["forgot"],
  reset: ["forgot"],
  remove: ["delete"],
  close: ["delete"],
  erase: ["delete"],
  cancel: ["cancel", "delete"],
  price: ["prices", "plan"],
  pricing: ["prices", "plan"],
  cost: ["prices", "plan"],
  pay: ["payment", "billing"],
  invoice: ["invoices", "billing"],
  subscription: ["plan", "billing"],
  open: ["opening", "hours"],
  hour: ["hours"],
  weekend: ["weekends", "hours"],
  offline: ["offline", "connection"],
  disconnect: ["connection", "reconnect"],
  internet: ["connection", "network"],
  wifi: ["wi-fi", "connection"],
  personal: ["data", "privacy"],
  information: ["data"],
  info: ["data"],
  gdpr: ["privacy", "data"],
  anonymous: ["guest"],
  alert: ["notifications"],
  notify: ["notifications"],
  notified: ["notifications"],
  refund: ["refunds", "billing"],
  wait: ["waiting", "queue"],
  fast: ["quickly", "reply"],
  quickly: ["reply", "fast"],
};

/** A light suffix stripper so that "registered", "registering" and "registers" meet. */
function stem(word: string): string {
  if (word.length <= 4) return word;
  for (const [suffix, keep] of [["ies", "y"], ["ing", ""], ["ed", ""], ["es", ""], ["s", ""]]) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3 && !word.endsWith("ss")) {
      return word.slice(0, word.length - suffix.length) + keep;
    }
  }
  return word;
}

function indexTerm(term: string): string | null {
  const word = term.toLowerCase();
  return STOP_WORDS.has(word) ? null : stem(word);
}

function queryTerm(term: string): string[] | null {
  const word = term.toLowerCase();
  if (STOP_WORDS.has(word)) return null;
  const synonyms = SYNONYMS[word] ?? SYNONYMS[stem(word)] ?? [];
  return [...new Set([word, ...synonyms].map(stem))];
}

/** Two-word verbs folded into one word, so that "sign up" is not read as "sign" + "up". */
function foldPhrasalVerbs(query: string): string {
  return query
    .replace(/\bsign(?:ing|ed)? ?up\b/gi, "signup")
    .replace(/\blog(?:ging|ged)? ?in(?:to)?\b/gi, "login")
    .replace(/\blog(?:ging|ged)? ?(?:out|off)\b/gi, "logout");
}

/** Markdown inline marks removed, for passages quoted in chat and for indexing. */
function plainText(markdown: string): string {
  return markdown
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[*_`]+/g, "")
    .replace(/^\s*(?:[-*+]|\d+\.)\s+/gm, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** The article's title: its first `# heading`. */
function titleOf(markdown: string, slug: string): string {
  const match = markdown.match(/^#\s+(.+?)\s*#*\s*$/m);
  return match ? plainText(match[1]) : slug;
}

/** One passage per `##` section, plus one for the text between the title and the first section. */
function splitPassages(article: Article, firstId: number): Passage[] {
  const passages: Passage[] = [];
  let heading = "";
  let lines: string[] = [];
  const flush = () => {
    const text = plainText(lines.join("\n"));
    if (text) {
      passages.push({ id: firstId + passages.length, ...article, heading, text });
    }
    lines = [];
  };
  for (const line of article.markdown.split("\n")) {
    const section = line.match(/^#{2,6}\s+(.+?)\s*#*\s*$/);
    if (section) {
      flush();
      heading = plainText(section[1]);
    } else if (!/^#\s/.test(line)) {
      lines.push(line);
    }
  }
  flush();
  return passages;
}

export class KnowledgeBase {
  readonly #articles: Map<string, Article>;
  readonly #index: MiniSearch<Passage>;

  private constructor(articles: Article[]) {
    this.#articles = new Map(articles.map((a) => [a.slug, a]));
    this.#index = new MiniSearch<Passage>({
      fields: ["title", "heading", "text"],
      storeFields: ["slug", "title", "heading", "text"],
      processTerm: indexTerm,
      searchOptions: {
        processTerm: queryTerm,
        boost: { title: 2, heading: 1.5 },
        prefix: (term) => term.length >= 4,
        // Typos in longer words only: short words would fuzzy-match unrelated ones.
        fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
        combineWith: "OR",
      },
    });
    let id = 0;
    for (const article of articles) {
      const passages = splitPassages(article, id);
      this.#index.addAll(passages);
      id += passages.length;
    }
  }

  /** Reads every `*.md` file of `dir` (not recursive). A file named like `Bad Name.md` is skipped. */
  static async load(dir: string): Promise<KnowledgeBase> {
    const articles: Article[] = [];
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.endsWith(".md")) continue;
      const slug = entry.name.slice(0, -3);
      if (!SLUG.test(slug)) continue;
      const markdown = await Deno.readTextFile(`${dir.replace(/\/+$/, "")}/${entry.name}`);
      articles.push({ slug, title: titleOf(markdown, slug), markdown });
    }
    return KnowledgeBase.fromArticles(articles);
  }

  /** Builds a knowledge base from articles in memory (titles are taken from the Markdown). */
  static fromArticles(articles: Omit<Article, "title">[]): KnowledgeBase {
    const sorted = [...articles].sort((a, b) => a.slug.localeCompare(b.slug));
    return new KnowledgeBase(sorted.map((a) => ({ ...a, title: titleOf(a.markdown, a.slug) })));
  }

  /** All articles, by slug. */
  articles(): Article[] {
    return [...this.#articles.values()];
  }

  article(slug: string): Article | undefined {
    return this.#articles.get(slug);
  }

  /** The best passages for `query`, best first; at most one passage per article. */
  search(query: string, limit = 3): Hit[] {
    const hits: Hit[] = [];
    const seen = new Set<string>();
    for (const result of this.#index.search(foldPhrasalVerbs(query))) {
      if (seen.has(result.slug)) continue;
      seen.add(result.slug);
      hits.push({
        slug: result.slug,
        title: result.title,
        passage: result.text,
        ...(result.heading ? { heading: result.heading } : {}),
        score: result.score,
      });
      if (hits.length >= limit) break;
    }
    return hits;
  }
}
