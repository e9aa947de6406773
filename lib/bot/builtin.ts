/**
 * The built-in bot: needs no API key. It recognizes small talk, requests for a person and
 * frustration, answers account questions from the customer's facts and everything else from the
 * help center, and asks for a human after two answers in a row it was unsure of.
 */
import type { KnowledgeBase } from "../help/knowledge.ts";
import type { Message, User } from "../contract/types.ts";
import { answerAccountQuestion, GUEST_ACCOUNT_ANSWER } from "./account.ts";
import { accountQuestion, isFrustrated, smallTalk, stripGreeting, wantsHuman } from "./intents.ts";
import type { Bot, BotContext, BotReply } from "./types.ts";
import { isolateName } from "../contract/text.ts";

/**
 * The lowest MiniSearch score that counts as an answer. Tuned on tests/bot_builtin_test.ts: right
 * answers to the question table score 15 and more, off-topic questions 5 and less.
 */
export const DEFAULT_MIN_SCORE = 10;

export interface BuiltinBotOptions {
  name: string;
  businessName: string;
  knowledge: KnowledgeBase;
  minScore?: number;
}

/** The customer's newest message (the runner puts it last). */
export function latestCustomerText(history: Message[]): string {
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i].sender === "customer") return history[i].text;
  }
  return "";
}

/** At most three sentences and about 400 characters of a passage, cut at a sentence end. */
export function trimPassage(passage: string, maxSentences = 3, maxChars = 400): string {
  const sentences = passage.match(/[^.!?]+(?:[.!?]+["')]?|$)\s*/g) ?? [passage];
  let out = "";
  for (const sentence of sentences.slice(0, maxSentences)) {
    if (out && out.length + sentence.length > maxChars) break;
    out += sentence;
  }
  return out.length > maxChars ? `${out.slice(0, maxChars - 1).trimEnd()}…` : out.trim();
}

const HANDOFF_TEXT = "Let me get a person for you. Someone from our team will join this chat.";

function handoff(reason: string, text = HANDOFF_TEXT): BotReply {
  return { text, outcome: "handoff", reason };
}

export class BuiltinBot implements Bot {
  readonly name: string;
  readonly #businessName: string;
  readonly #knowledge: KnowledgeBase;
  readonly #minScore: number;

  constructor(options: BuiltinBotOptions) {
    this.name = options.name;
    this.#businessName = options.businessName;
    this.#knowledge = options.knowledge;
    this.#minScore = options.minScore ?? DEFAULT_MIN_SCORE;
  }

  greet(customer: User): string {
    const hello = customer.role === "guest" ? "Hi" : `Hi ${isolateName(customer.name)}`;
    return `${hello}! I'm ${this.name}, ${this.#businessName}'s virtual assistant. Ask me ` +
      "anything, and if you'd rather talk to a person, just say so.";
  }

  async reply(ctx: BotContext): Promise<BotReply> {
    const text = latestCustomerText(ctx.history);
    const talk = smallTalk(text);
    // "Thanks!!!" is delight, not anger; but "HELP!!!" is checked for frustration first.
    if (talk && talk !== "help") {
      return { text: this.#smallTalk(talk, ctx.customer), outcome: "smalltalk" };
    }
    if (isFrustrated(text)) {
      return handoff(
        "The customer seems frustrated with the bot.",
        "I'm sorry I haven't been helpful. Let me get a person for you.",
      );
    }
    if (wantsHuman(text)) return handoff("The customer asked for a person.");
    if (talk) return { text: this.#smallTalk(talk, ctx.customer), outcome: "smalltalk" };

    const question = stripGreeting(text);
    const account = accountQuestion(question);
    const facts = account ? await ctx.facts() : null;
    if (account && facts) {
      const answer = answerAccountQuestion(account, facts);
      if (answer) return { text: answer.text, outcome: answer.known ? "answered" : "unsure" };
    } else if (account && account.kind !== "other") {
      return { text: GUEST_ACCOUNT_ANSWER, outcome: "answered" };
    }

    const fromHelpCenter = this.answerFromHelpCenter(question);
    if (fromHelpCenter) return { text: fromHelpCenter, outcome: "answered" };
    // "What's my …" from a guest, about nothing the help center covers: they need to sign in.
    if (account && !facts) return { text: GUEST_ACCOUNT_ANSWER, outcome: "answered" };
    if (ctx.consecutiveMisses >= 1) {
      return handoff(
        "The bot could not answer twice in a row.",
        "I still can't find an answer to that, so let me get a person for you.",
      );
    }
    return {
      text: "I'm not sure about that one. Could you rephrase it? Or, if you'd like, I can get a " +
        'person from our team: just say "talk to a human".',
      outcome: "unsure",
    };
  }

  /** The best help-center passage for `question` with its article's link, or null if none fits. */
  answerFromHelpCenter(question: string): string | null {
    const [hit] = this.#knowledge.search(question, 1);
    if (!hit || hit.score < this.#minScore) return null;
    return `${trimPassage(hit.passage)}\n\nMore in “${hit.title}”: /help/${hit.slug}`;
  }

  #smallTalk(kind: "greeting" | "thanks" | "help", customer: User): string {
    switch (kind) {
      case "greeting":
        return "Hello! How can I help you today?";
      case "thanks":
        return "You're welcome! Is there anything else I can help with?";
      case "help": {
        const topics = this.#knowledge.articles().map((a) => a.title).join("; ");
        const account = customer.role === "guest"
          ? ""
          : " I can also tell you about your account, such as when you registered or your plan.";
        return `I can answer questions about: ${topics}.${account} If you'd like a person, ` +
          'just say "talk to a human".';
      }
    }
  }
}
