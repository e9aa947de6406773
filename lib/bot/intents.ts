/**
 * What a customer's message is about, for the built-in bot: small talk, a request for a person,
 * frustration, or a question about their own account. Everything else is a help-center question.
 * English only; the phrase lists are regular expressions over the normalized text.
 */

/** Lower case, straight apostrophes, punctuation turned into spaces, single spaces. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[‘’`]/g, "'")
    .replace(/[^\p{L}\p{N}'\s]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

const GREETING =
  /^(hi|hello|hey|hiya|howdy|yo|greetings|good (morning|afternoon|evening|day))( there| again| all| everyone| team| folks| bot)*$/;
const THANKS =
  /^((ok|okay|great|perfect|awesome|nice|brilliant|cool) )?(thanks|thank you|thx|ty|cheers|many thanks|much appreciated|appreciate it|that helps|that helped)( (so|very) much| a lot| a million| again| for (the|your) help)*( (cheers|bye))?$/;
const HELP =
  /^((please )?help( me)?( please)?|can you help( me)?|what can you do|what do you do|what can i ask( you)?|how does this work|who are you|what are you|menu|options)$/;

const HANDOFF = [
  /\b(talk|speak|chat|get through) (to|with) (a |an |some |your |the )?(real |live |actual )?(human|person|people|someone|somebody|agent|representative|rep|operator|staff|support team|team member)\b/,
  /\b(real|live|actual) (person|human|agent|people)\b/,
  /\b(human|live) (agent|support|being|operator)\b/,
  /\b(want|need|get|give|connect|transfer) (me )?(to |with )?(a|an|some|your) (human|person|agent|representative|operator)\b/,
  /\b(i want|i need|get me|give me) (a |an )?(human|person|agent)\b/,
  /\b(representative|operator)\b/,
  /^(agent|human|person|someone|rep)( please| now| pls)*$/,
  /^please (agent|human|person|someone)$/,
  /\b(escalate|hand me over|hand over)\b/,
];

const FRUSTRATION = [
  /\b(useless|ridiculous|pointless|stupid|terrible|awful|rubbish|garbage|worst|pathetic)\b/,
  /\b(wtf|ffs|for god'?s sake)\b/,
  /\byou('re| are) not (helping|helpful|listening)\b/,
  /\b(you|this) (isn't|is not|aren't|are not|don't|do not|doesn't|does not) (help|helping|helpful|working|understand)\b/,
  /\b(waste of (my )?time|fed up|sick of this|not what i asked)\b/,
  /\bi (already|just) (said|told you|asked)\b/,
];

/** Five or more letters in words, nearly all of them capitals: the customer is shouting. */
function isShouting(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, "");
  const upper = letters.replace(/[^\p{Lu}]/gu, "");
  return letters.length >= 8 && text.trim().split(/\s+/).length >= 2 &&
    upper.length / letters.length >= 0.9;
}

export type SmallTalk = "greeting" | "thanks" | "help";

/** The whole message is small talk (a greeting followed by a question is not: see `stripGreeting`). */
export function smallTalk(text: string): SmallTalk | null {
  const t = normalize(text);
  if (GREETING.test(t)) return "greeting";
  if (THANKS.test(t)) return "thanks";
  if (HELP.test(t)) return "help";
  return null;
}

/** "Hi, how do I …" → "how do I …", so the question behind a greeting is still answered. */
export function stripGreeting(text: string): string {
  return text.replace(
    /^\s*(hi|hello|hey|hiya|good (morning|afternoon|evening))( there| team| all)?[\s,.!:;-]+/i,
    "",
  );
}

export function wantsHuman(text: string): boolean {
  const t = normalize(text);
  return HANDOFF.some((re) => re.test(t));
}

export function isFrustrated(text: string): boolean {
  const t = normalize(text);
  return /!{3,}/.test(text) || isShouting(text) || FRUSTRATION.some((re) => re.test(t));
}

/** A question about the customer's own account, by the fact it asks for. */
export type AccountQuestion =
  | { kind: "registered" }
  | { kind: "email" }
  | { kind: "name" }
  | { kind: "plan" }
  /** Some other fact; `words` are the normalized words, matched against the facts' keys. */
  | { kind: "other"; words: string[]; howMany: boolean };

const REGISTERED = [
  /\bwhen (did|have) i (first )?(register|sign ?up|sign up|join|create|open|make)/,
  /\bwhen was (my account|i) (created|registered|opened|made)\b/,
  /\bhow long have i (been|had)\b/,
  /\bmy (registration|sign ?up|signup|join|joining) date\b/,
  /\b(since|from) when (am|have) i\b/,
  /\bmember since\b/,
];
const ASKS_MY = /\b(what|which|whats|what's|tell me|remind me|show me|do you know)\b.*\bmy\b/;
const AM_I = /\b(am i on|i'm on|im on|do i have|have i got|i am on)\b/;
/** Asking how to *do* something with the account is a help-center question, not a fact lookup. */
const HOW_TO = /\b(how (do|can|could|should) i|change|update|reset|delete|remove|edit|forgot)\b/;

export function accountQuestion(text: string): AccountQuestion | null {
  const t = normalize(text);
  if (REGISTERED.some((re) => re.test(t))) return { kind: "registered" };
  const howMany = /\bhow many\b/.test(t) && /\b(do|have|did) i\b/.test(t);
  if (HOW_TO.test(t) && !howMany) return null;
  if (!ASKS_MY.test(t) && !AM_I.test(t) && !howMany) return null;
  if (/\b(e ?mail|email address)\b/.test(t)) return { kind: "email" };
  if (/\bmy (full )?name\b|\bwho am i\b/.test(t)) return { kind: "name" };
  if (/\b(plan|subscription)\b/.test(t)) return { kind: "plan" };
  return { kind: "other", words: t.split(" "), howMany };
}
