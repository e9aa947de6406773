/**
 * Answers to a signed-in customer's questions about their own account, from their facts (profile
 * plus the customer-data API's extras). Never guesses: a fact that is absent is said to be absent.
 */
import type { AccountQuestion } from "./intents.ts";
import type { CustomerFacts } from "./types.ts";
import { isolateName } from "../contract/text.ts";

/** The profile's own keys; other keys come from the customer-data API. */
const PROFILE_KEYS = new Set(["name", "email", "role", "registeredAt"]);

export interface AccountAnswer {
  text: string;
  /** False when the fact asked for is not known. */
  known: boolean;
}

const NOT_KNOWN = "I don't have that information for your account. A person from our team can " +
  'check it for you: just say "talk to a human".';

/** "21 November 2026", in UTC so every server says the same. */
export function readableDate(iso: string): string | null {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return date.toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

function text(value: unknown): string | null {
  if (typeof value === "string") return value.trim() || null;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

/** "orderCount" and "order_count" → ["order", "count"]. */
function keyWords(key: string): string[] {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z0-9]+/)
    .filter(Boolean);
}

const singular = (word: string) => word.replace(/s$/, "");

/** The API fact whose key the question mentions (e.g. "orders" for "how many orders …"). */
function mentionedFact(words: string[], facts: CustomerFacts): [string, unknown] | null {
  const asked = new Set(words.filter((w) => w.length >= 3).map(singular));
  for (const [key, value] of Object.entries(facts)) {
    if (PROFILE_KEYS.has(key)) continue;
    if (keyWords(key).some((w) => w.length >= 3 && asked.has(singular(w)))) return [key, value];
  }
  return null;
}

function describe(key: string, value: unknown, howMany: boolean): string {
  const label = keyWords(key).join(" ");
  const count = Array.isArray(value) ? value.length : typeof value === "number" ? value : null;
  if (howMany && count !== null) return `You have ${count} ${label}.`;
  if (Array.isArray(value)) {
    const items = value.map(text).filter((v): v is string => v !== null);
    if (items.length === value.length) {
      return items.length ? `Your ${label}: ${items.join(", ")}.` : `You have no ${label}.`;
    }
  }
  const plain = text(value);
  if (plain !== null) return `Your ${label}: ${plain}.`;
  const json = JSON.stringify(value) ?? "";
  return `Your ${label}: ${json.length > 300 ? `${json.slice(0, 300)}…` : json}`;
}

/**
 * The answer to `question` from `facts`, or null for an "other" question that names no known fact
 * (so that the help center can be tried instead).
 */
export function answerAccountQuestion(
  question: AccountQuestion,
  facts: CustomerFacts,
): AccountAnswer | null {
  switch (question.kind) {
    case "registered": {
      const iso = text(facts.registeredAt);
      const readable = iso && readableDate(iso);
      if (!iso || !readable) return { text: NOT_KNOWN, known: false };
      return { text: `You registered on ${readable} (${iso.slice(0, 10)}).`, known: true };
    }
    case "email": {
      const email = text(facts.email);
      return email
        ? { text: `The email address on your account is ${email}.`, known: true }
        : { text: NOT_KNOWN, known: false };
    }
    case "name": {
      const name = text(facts.name);
      return name
        ? { text: `The name on your account is ${isolateName(name)}.`, known: true }
        : { text: NOT_KNOWN, known: false };
    }
    case "plan": {
      const plan = text(facts.plan);
      if (plan) return { text: `You are on the ${plan} plan.`, known: true };
      return facts.plan === undefined || facts.plan === null
        ? { text: NOT_KNOWN, known: false }
        : { text: describe("plan", facts.plan, false), known: true };
    }
    case "other": {
      const fact = mentionedFact(question.words, facts);
      return fact ? { text: describe(fact[0], fact[1], question.howMany), known: true } : null;
    }
  }
}

/** What a guest hears when asking about "their account". */
export const GUEST_ACCOUNT_ANSWER = "You're chatting as a guest, so I can't see any account " +
  "details. Sign in (or create an account) from the links on this page and start a new chat, and " +
  "I can answer questions about your account.";
