/**
 * The built-in bot: needs no API key. A thin `Bot` over the understanding engine (./engine.ts):
 * small talk, requests for a person and frustration in seven languages, account questions from
 * any matching customer fact, help-center answers over sections with follow-ups, and an honest "I
 * don't know" that offers a person (a second miss in a row hands off).
 */
import type { Knowledge } from "../help/knowledge.ts";
import type { Message, User } from "../contract/types.ts";
import { Engine } from "./engine.ts";
import { mayAskAboutAccount } from "./account.ts";
import { stripGreeting } from "./intents.ts";
import type { Bot, BotContext, BotReply } from "./types.ts";
import { isolateName } from "../contract/text.ts";

export { trimPassage } from "./engine.ts";

export interface BuiltinBotOptions {
  name: string;
  businessName: string;
  knowledge: Knowledge;
}

/** The customer's newest message (the runner puts it last). */
export function latestCustomerText(history: Message[]): string {
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i].sender === "customer") return history[i].text;
  }
  return "";
}

export class BuiltinBot implements Bot {
  readonly name: string;
  readonly engine: Engine;
  readonly #businessName: string;

  constructor(options: BuiltinBotOptions) {
    this.name = options.name;
    this.#businessName = options.businessName;
    this.engine = new Engine(options.knowledge);
  }

  greet(customer: User): string {
    const hello = customer.role === "guest" ? "Hi" : `Hi ${isolateName(customer.name)}`;
    return `${hello}! I'm ${this.name}, ${this.#businessName}'s virtual assistant. Ask me ` +
      "anything, and if you'd rather talk to a person, just say so.";
  }

  async reply(ctx: BotContext): Promise<BotReply> {
    const history = ctx.history.map(({ sender, text }) => ({ sender, text }));
    const text = latestCustomerText(ctx.history);
    // Facts only when the question might be about the account (the customer-data API may be slow).
    const facts = ctx.customer.role !== "guest" && mayAskAboutAccount(stripGreeting(text))
      ? await ctx.facts()
      : null;
    const reply = this.engine.reply({
      text,
      history,
      facts,
      consecutiveMisses: ctx.consecutiveMisses,
      signedIn: ctx.customer.role !== "guest",
    });
    return {
      text: reply.text,
      outcome: reply.outcome,
      ...(reply.reason ? { reason: reply.reason } : {}),
      meta: { ...reply.meta, source: "builtin" },
    };
  }
}
