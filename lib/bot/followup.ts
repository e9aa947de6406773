/**
 * Follow-up questions: "and how long does that take?" or "what about on mobile?" only make sense
 * with the turn before. A message is a follow-up when it opens like one ("and", "what about", "also")
 * or is short and leans on a pronoun ("that", "it", "them") or on nothing (two content words or
 * fewer). Its topic is the previous customer question, searched as context with a lower weight.
 */
import { contentWords, words } from "../help/text.ts";

export interface Turn {
  sender: string;
  text: string;
}

const OPENERS =
  /^(and|also|plus|but|or|so|then|what about|how about|and what about|and how|and what|and for|what if|same for|same with|ok and|okay and|and if|and can|and do|and does|and is|is that|does that|does it|is it|can it|will it|would that|how long does that|how much does that|which)\b/;
const ANAPHORA = /\b(that|it|this|those|them|these|they|there|its|their|one)\b/;

/** Whether `text` needs the previous turn to be understood. */
export function isFollowUp(text: string): boolean {
  const t = words(text).join(" ");
  if (!t) return false;
  const content = contentWords(text).length;
  if (OPENERS.test(t) && content <= 5) return true;
  if (ANAPHORA.test(t) && content <= 3) return true;
  return content <= 1 && words(text).length <= 4;
}

/**
 * The previous customer question in `history` (the newest customer message that is not `current`
 * itself and has content words), or null. Looks at the last 10 messages only.
 */
export function previousQuestion(history: readonly Turn[], current: string): string | null {
  let skippedCurrent = false;
  for (let i = history.length - 1; i >= Math.max(0, history.length - 10); i--) {
    const turn = history[i];
    if (turn.sender !== "customer") continue;
    if (!skippedCurrent && turn.text.trim() === current.trim()) {
      skippedCurrent = true;
      continue;
    }
    if (contentWords(turn.text).length >= 1) return turn.text.slice(0, 1000);
  }
  return null;
}

/**
 * The article the bot's last message linked to ("/help/<slug>") or named ("More in “Title”"), if
 * that message was the bot's answer to the previous question.
 */
export function previousArticle(
  history: readonly Turn[],
  slugOfTitle: (title: string) => string | undefined,
): string | null {
  for (let i = history.length - 1; i >= Math.max(0, history.length - 10); i--) {
    if (history[i].sender === "customer" && i === history.length - 1) continue;
    if (history[i].sender !== "bot") return null;
    const link = history[i].text.match(/\/help\/([a-z0-9][a-z0-9_-]{0,99})/);
    if (link) return link[1];
    const named = history[i].text.match(/More in “([^”]{1,300})”/);
    return named ? slugOfTitle(named[1]) ?? null : null;
  }
  return null;
}

/** Whether the bot's last message was an "I'm not sure" (for a second miss → handoff). */
export function lastBotWasUnsure(
  history: readonly Turn[],
  unsureTexts: readonly string[],
): boolean {
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i].sender === "bot") return unsureTexts.includes(history[i].text);
  }
  return false;
}
