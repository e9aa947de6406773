/**
 * The bot interface. The runner (./runner.ts) decides when the bot speaks and commits what it
 * says; an implementation only decides what to say. Implementations: the built-in bot
 * (lib/bot/builtin.ts) and Gemini (lib/bot/gemini.ts).
 */
import type { Conversation, Message, User } from "../contract/types.ts";

/** Facts about the customer: their profile merged with the optional customer-data API's facts. */
export type CustomerFacts = Record<string, unknown>;

export interface BotContext {
  conversation: Conversation;
  /** The customer (role `guest` or `customer`). */
  customer: User;
  /** Recent messages, ascending by seq; the customer's new message is the last one. */
  history: Message[];
  /** Consecutive earlier replies of the bot that were `unsure`. */
  consecutiveMisses: number;
  /** The signed-in customer's facts (null for guests); cached per conversation. */
  facts(): Promise<CustomerFacts | null>;
  /** Aborted when the conversation leaves the bot (a human took over, it was resolved). */
  signal: AbortSignal;
  /** Tell the customer the bot is still working (typing indicator). Cheap; call as often as useful. */
  typing(): void;
  /** Streaming: the text so far (shown as a draft; only the final reply is committed). */
  partial(textSoFar: string): void;
}

export type BotOutcome =
  /** The bot answered the question. */
  | "answered"
  /** Small talk: greetings, thanks; neither a hit nor a miss. */
  | "smalltalk"
  /** The bot did not know; counts as a miss. */
  | "unsure"
  /** The bot asks for a human; the runner routes the conversation. */
  | "handoff";

/** Why the bot asked for a person, as a code (bot metrics count handoffs by it). */
export type HandoffKind =
  /** The customer asked for one. */
  | "asked"
  /** The customer seems frustrated. */
  | "frustrated"
  /** The customer writes in a language the help center is not in. */
  | "language"
  /** The bot could not answer twice in a row. */
  | "unanswered"
  /** Gemini decided to (its `handoff_to_human` call). */
  | "model";

/** What the reply was based on: for metrics, logs and the evaluation; never shown as is. */
export interface ReplyMeta {
  /** The customer's language as detected (ISO 639-1). */
  lang?: string;
  /** The help-center article (and section) the answer quotes. */
  slug?: string;
  section?: string;
  /** The customer fact the answer comes from. */
  factKey?: string;
  /** The built-in bot's confidence in its help-center answer, in [0, 1]. */
  confidence?: number;
  handoff?: HandoffKind;
  /** Which bot produced the text (Gemini's fallbacks say so). */
  source?: "builtin" | "gemini" | "fallback";
}

export interface BotReply {
  text: string;
  outcome: BotOutcome;
  /** With `handoff`: why, for the agent (never shown to the customer as is). */
  reason?: string;
  meta?: ReplyMeta;
}

export interface Bot {
  /** Shown as the bot's author name. */
  readonly name: string;
  /** The first message of a new conversation. */
  greet(customer: User): string;
  reply(ctx: BotContext): Promise<BotReply>;
}
