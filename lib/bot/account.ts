/**
 * Answers to a signed-in customer's questions about their own account from ANY fact whose key
 * matches the question: `renewalDate` answers "when does my subscription renew?", `seats` answers
 * "how many seats are we paying for". Keys are split (camelCase, snake_case), stemmed and expanded
 * with synonyms; the question must be about the customer ("my", "our", "we", …), must not be a
 * how-to, and its content words must be covered by the key. Never guesses: with no matching fact
 * it says so (`known: false`). Values are rendered readably (dates, lists, objects, money).
 */
import { foldPhrases } from "../help/terms.ts";
import { SYNONYMS } from "../help/synonyms.ts";
import { stem, STOP_EN, words } from "../help/text.ts";
import { isolateName } from "../contract/text.ts";

export type Facts = Record<string, unknown>;

export interface AccountAnswer {
  text: string;
  /** The fact used; null when none matched. */
  factKey: string | null;
  known: boolean;
  /**
   * The question names an account fact ("my plan", "my invoices", "when did I register"): with
   * no such fact, the bot says it doesn't know rather than quote a general article.
   */
  asksForFact?: boolean;
}

/** Extra equivalences between how customers ask and how fact keys are named. */
const KEY_SYNONYMS: Record<string, string[]> = {
  regist: ["signup", "join", "creat", "member", "start"],
  creat: ["signup", "join", "regist"],
  renew: ["renew", "next", "expir", "subscript"],
  seat: ["licens", "user"],
  plan: ["subscript", "tier", "packag"],
  email: ["mail"],
  name: ["call"],
  payment: ["card", "charg", "pai"],
  method: ["card"],
  cycl: ["monthli", "yearli", "annual", "annual", "month", "year", "frequenc", "interv"],
  upcom: ["next", "futur", "upcom", "schedul"],
  book: ["meet", "appoint", "session"],
  invoic: ["bill", "receipt", "charg"],
  order: ["purchas", "bought"],
  credit: ["credit", "balanc"],
  connect: ["hookup", "link", "sync", "ad"],
  calendar: ["calendar"],
};

/** Words that frame an account question without naming a fact. */
const GENERIC = new Set(
  ("account current currently now right moment left remaining still total exactly have got pay file " +
    "paying paid many much long today yet time place placed made make received").split(" ").map(
      stem,
    ),
);

const PERSONAL =
  /\b(my|our|we|i|me|us|mine|ours|i'm|we're|am i|are we)\b|\byou (charging|billing|have (on file|for me))\b/;
/** Asking how to do something (or whether one can) is a help-center question. */
const HOW_TO =
  /\b(how (do|can|could|should|would) (i|we|you)|how to|can (i|we)|could (i|we)|is it possible|where (can|do) (i|we)|what happens|why)\b/;
/** Actions: a how-to unless asked as "how many …" ("how many users did we add this month"). */
const ACTION =
  /\b(change|update|reset|delete|remove|cancel|add|switch|stop|set ?up|turn (on|off))\b/;
const ASKING =
  /\b(what|what's|whats|when|which|who|how many|how much|how long|do i|did i|have i|am i|are we|is (my|our)|show|tell|remind|list|give me)\b|\?$/;

/** What a guest may ask about "their account" (they need to sign in first). */
const ACCOUNT_NOUN =
  /\b(my|our) (account|plan|subscription|seats?|renewal|invoices?|bill|billing|email|name|orders?|credits?|balance|payment method|card|workspace|profile)\b|\b(what|which) (plan|subscription)\b.*\b(am i|are we)\b/;

/** "When did I register?", "how long have I been a customer": the profile's `registeredAt`. */
const REGISTERED = [
  /\bwhen (did|have) i (first )?(register|sign ?up|join|create|open|make)/,
  /\bwhen was (my account|i) (created|registered|opened|made)\b/,
  /\bhow long have i (been|had)\b/,
  /\bmy (registration|sign ?up|signup|join|joining) date\b/,
  /\b(since|from) when (am|have) i\b/,
  /\bmember since\b/,
];
/** Asking for a value ("what is my plan"), not about a policy ("is it safe to share my card"). */
const ASKS_WHAT =
  /\b(what|what's|whats|which|when|how many|how much|show|tell|list|remind|give me)\b|\b(am i|are we) on\b|\bdo (i|we) have\b/;
/** "how many orders do I have": a count of something of theirs. */
const HOW_MANY_MINE = /\bhow many \w+( \w+)? (do|did|have) (i|we)\b/;

/** "renewalDate" / "renewal_date" → ["renewal", "date"]. */
export function keyWords(key: string): string[] {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

const SYN_STEMS = new Map<string, string[]>();
for (const [k, vs] of Object.entries(SYNONYMS)) {
  SYN_STEMS.set(
    foldPhrases(k.split(" ")).map(stem).join(" "),
    vs.flatMap((v) => v.split(" ").map(stem)),
  );
}

/** The question's concepts: each a set of stems (own word or phrase, plus synonyms). */
function questionConcepts(question: string): Set<string>[] {
  const list = foldPhrases(words(question));
  const concepts: Set<string>[] = [];
  for (let i = 0; i < list.length; i++) {
    let done = false;
    for (let len = Math.min(3, list.length - i); len >= 2 && !done; len--) {
      const syn = SYN_STEMS.get(list.slice(i, i + len).map(stem).join(" "));
      if (!syn) continue;
      concepts.push(new Set(syn));
      i += len - 1;
      done = true;
    }
    if (done || STOP_EN.has(list[i]) || list[i].length < 2) continue;
    const own = stem(list[i]);
    concepts.push(new Set([own, ...(SYN_STEMS.get(own) ?? [])]));
  }
  return concepts;
}

interface KeyMatch {
  key: string;
  score: number;
  /** Every key word and every question word matched. */
  full: boolean;
  keyWords: number;
}

function match(concepts: Set<string>[], key: string): KeyMatch | null {
  const kws = foldPhrases(keyWords(key)).filter((w) => !STOP_EN.has(w)).map(stem);
  if (!kws.length) return null;
  const alts = kws.map((k) => new Set([k, ...(KEY_SYNONYMS[k] ?? [])]));
  const hit = (c: Set<string>, set: Set<string>) => [...c].some((x) => set.has(x));
  const keyHits = alts.filter((set) => concepts.some((c) => hit(c, set))).length;
  const content = concepts.filter((c) => !GENERIC.has([...c][0])); // the customer's own word
  const qHits = content.filter((c) => alts.some((set) => hit(c, set))).length;
  const keyCov = keyHits / kws.length;
  const qCov = content.length ? qHits / content.length : 0;
  if (keyHits === 0 || keyCov < 0.5 || qCov <= 0.5) return null;
  return {
    key,
    score: keyCov + qCov + 0.05 * keyHits,
    full: keyCov === 1 && qCov === 1,
    keyWords: kws.length,
  };
}

/** "How many credits are left": a count of what the customer has, without "my". */
const HOW_MANY_LEFT = /\bhow (many|much)\b.*\b(left|remaining)\b/;

/** Whether the message asks about the customer's own account (not how to do something). */
export function isAccountQuestion(question: string): boolean {
  const t = words(question).join(" ");
  return (PERSONAL.test(t) || HOW_MANY_LEFT.test(t)) &&
    ASKING.test(t + (question.trim().endsWith("?") ? "?" : "")) &&
    !HOW_TO.test(t) && !(ACTION.test(t) && !/\bhow (many|much)\b/.test(t));
}

/** Whether `answerAccount` would look at facts for this question (loading them may be slow). */
export function mayAskAboutAccount(question: string): boolean {
  const t = words(question).join(" ");
  if (REGISTERED.some((re) => re.test(t)) || isAccountQuestion(question)) return true;
  return ASKING.test(t) && !HOW_TO.test(t) && !ACTION.test(t) && /\bthe\b/.test(t);
}

/**
 * The answer from `facts`, or null when the message is not an account question. With facts null
 * (a guest), account questions get `GUEST_TEXT`.
 */
export function answerAccount(question: string, facts: Facts | null): AccountAnswer | null {
  const t = words(question).join(" ");
  const registered = REGISTERED.some((re) => re.test(t));
  if (registered && facts && typeof facts.registeredAt === "string") {
    return {
      text: describe("registeredAt", facts.registeredAt, false),
      factKey: "registeredAt",
      known: true,
    };
  }
  const personal = registered || isAccountQuestion(question);
  const asksForFact = registered || HOW_MANY_MINE.test(t) ||
    (ACCOUNT_NOUN.test(t) && ASKS_WHAT.test(t));
  // "When is the renewal date?": not personal, but fully names a two-word fact.
  const definite = !personal && ASKING.test(t) && !HOW_TO.test(t) && !ACTION.test(t) &&
    /\bthe\b/.test(t);
  if (!personal && !definite) return null;
  if (!facts) {
    return personal && asksForFact
      ? { text: GUEST_TEXT, factKey: null, known: false, asksForFact }
      : null;
  }
  const concepts = questionConcepts(question);
  const best = Object.keys(facts).slice(0, 500)
    .filter((k) => facts[k] !== null && facts[k] !== undefined && facts[k] !== "")
    .map((k) => match(concepts, k))
    .filter((m): m is KeyMatch => m !== null && (personal || (m.full && m.keyWords >= 2)))
    .sort((a, b) => b.score - a.score)[0];
  if (!best) {
    return personal ? { text: NOT_KNOWN, factKey: null, known: false, asksForFact } : null;
  }
  const howMany = /\bhow many\b/.test(t);
  return { text: describe(best.key, facts[best.key], howMany), factKey: best.key, known: true };
}

export const NOT_KNOWN = "I don't have that information for your account, and I'd rather not " +
  'guess. A person from our team can check it for you: just say "talk to a person".';
export const GUEST_TEXT = "You're chatting as a guest, so I can't see any account details. Sign " +
  "in and start a new chat, and I can answer questions about your account.";

/** "14 March 2026", in UTC; null for text that is not an ISO date. */
export function readableDate(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  return date.toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

/** A fact's value as short readable text (depth- and length-limited). */
export function render(value: unknown, depth = 0): string {
  if (value === null || value === undefined) return "none";
  if (typeof value === "string") return (readableDate(value) ?? value).slice(0, 200);
  if (typeof value === "number") {
    return Number.isFinite(value) ? value.toLocaleString("en-US") : "unknown";
  }
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (depth >= 3) return "…";
  if (Array.isArray(value)) {
    if (!value.length) return "none";
    const items = value.slice(0, 10).map((v) => render(v, depth + 1));
    return items.join("; ") + (value.length > 10 ? `; and ${value.length - 10} more` : "");
  }
  if (typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.amount === "number" && typeof o.currency === "string") {
      const money = `${o.currency.slice(0, 5)} ${
        o.amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })
      }`;
      const rest = Object.entries(o).filter(([k]) => k !== "amount" && k !== "currency");
      return [
        money,
        ...rest.slice(0, 6).map(([k, v]) => `${keyWords(k).join(" ")} ${render(v, depth + 1)}`),
      ].join(", ");
    }
    return Object.entries(o).slice(0, 8).map(([k, v]) =>
      `${keyWords(k).join(" ")}: ${render(v, depth + 1)}`
    ).join(", ");
  }
  return "unknown";
}

function describe(key: string, value: unknown, howMany: boolean): string {
  const label = keyWords(key).join(" ");
  const text = (s: string) => (s.length > 500 ? `${s.slice(0, 499)}…` : s);
  if (howMany && typeof value === "number") return text(`You have ${render(value)} ${label}.`);
  if (key === "plan" && typeof value === "string") return text(`You are on the ${value} plan.`);
  // A name may carry bidi controls: isolated, it cannot reorder the sentence around it.
  if (typeof value === "string" && keyWords(key).includes("name")) {
    return text(`Your ${label}: ${isolateName(value.slice(0, 200))}.`);
  }
  if (Array.isArray(value)) {
    return text(
      value.length ? `Your ${label} (${value.length}): ${render(value)}.` : `You have no ${label}.`,
    );
  }
  if (typeof value === "string") {
    const date = readableDate(value);
    const when = keyWords(key).at(-1);
    if (date && (when === "at" || when === "on") && keyWords(key).length > 1) {
      const what = keyWords(key).slice(0, -1).join(" ");
      // "registeredAt" → "You registered on …"; "renewsOn" → "Renews on …".
      const sentence = /ed$/.test(what)
        ? `You ${what}`
        : `${what[0].toUpperCase()}${what.slice(1)}`;
      return text(`${sentence} on ${date} (${value.slice(0, 10)}).`);
    }
    if (date) return text(`Your ${label} is ${date} (${value.slice(0, 10)}).`);
  }
  return text(`Your ${label}: ${render(value)}.`);
}
