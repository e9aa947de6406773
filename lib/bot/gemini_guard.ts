/**
 * Checks a Gemini answer before the customer sees it, whatever the prompt made of it: an answer
 * that quotes the system instruction or the fences' boundary (a prompt injection that worked) is
 * refused; links to help-center articles that do not exist and web addresses that appear in no
 * source given to the model are removed (the model may cite only what it was given); an answer
 * from the help center without a citation gets one (the passage it overlaps most); the text is cut
 * to a message's length. Pure: what it found is returned for the caller to log.
 */
import { MAX_MESSAGE_LENGTH } from "../contract/types.ts";
import { stem, STOP_EN, words } from "../help/text.ts";
import { citation } from "./engine.ts";

export interface Source {
  slug: string;
  title: string;
  text: string;
}

export interface GuardInput {
  text: string;
  /** The system instruction sent (an answer quoting it is refused). */
  instruction: string;
  boundary: string;
  /** Help-center passages the model was given (grounding and search results). */
  sources: Source[];
  /** Other text the model was given that may hold addresses (the customer's facts). */
  otherText: string;
  articleExists(slug: string): boolean;
  /** The answer is about the help center (not the customer's own account). */
  fromHelpCenter: boolean;
}

export type Problem =
  | "instruction_leak"
  | "invented_link"
  | "unknown_url"
  | "too_long"
  | "no_citation";

export interface GuardResult {
  /** null: refuse the answer altogether (fall back). */
  text: string | null;
  problems: Problem[];
}

const SHINGLE = 7;

/** Runs of `SHINGLE` words of the instruction; an answer sharing one is quoting it. */
function shingles(text: string): Set<string> {
  const list = words(text);
  const out = new Set<string>();
  for (let i = 0; i + SHINGLE <= list.length; i++) out.add(list.slice(i, i + SHINGLE).join(" "));
  return out;
}

function quotesInstruction(answer: string, instruction: string): boolean {
  const mine = shingles(instruction);
  const list = words(answer);
  for (let i = 0; i + SHINGLE <= list.length; i++) {
    if (mine.has(list.slice(i, i + SHINGLE).join(" "))) return true;
  }
  return false;
}

const contentStems = (text: string) =>
  new Set(words(text).filter((w) => w.length > 2 && !STOP_EN.has(w)).map(stem));

/** The source the answer overlaps most (at least three content words), for a missing citation. */
function bestSource(answer: string, sources: Source[]): Source | null {
  const mine = contentStems(answer);
  let best: Source | null = null;
  let bestOverlap = 2;
  for (const source of sources) {
    let overlap = 0;
    for (const s of contentStems(source.text)) if (mine.has(s)) overlap++;
    if (overlap > bestOverlap) [best, bestOverlap] = [source, overlap];
  }
  return best;
}

const URL_RE = /\bhttps?:\/\/[^\s<>"')\]]+/gi;
const HELP_LINK = /\/help\/([a-z0-9][a-z0-9_-]{0,99})/g;

export function guardAnswer(input: GuardInput): GuardResult {
  const problems: Problem[] = [];
  let text = input.text;
  if (text.includes(input.boundary) || quotesInstruction(text, input.instruction)) {
    return { text: null, problems: ["instruction_leak"] };
  }
  const given = `${input.sources.map((s) => s.text).join("\n")}\n${input.otherText}`;
  text = text.replace(URL_RE, (url) => {
    if (given.includes(url)) return url;
    problems.push("unknown_url");
    return "[link removed]";
  });
  text = text.replace(HELP_LINK, (link, slug: string) => {
    if (input.articleExists(slug)) return link;
    problems.push("invented_link");
    return "/help";
  });
  if (input.fromHelpCenter && !/\/help\/[a-z0-9]/.test(text)) {
    const source = bestSource(text, input.sources);
    if (source) {
      problems.push("no_citation");
      text = `${text.trimEnd()}\n\n${citation(source.title, source.slug)}`;
    }
  }
  if (text.length > MAX_MESSAGE_LENGTH) {
    problems.push("too_long");
    text = `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
  }
  return { text, problems: [...new Set(problems)] };
}
