/**
 * The conversation-side of the bot's tools, authorized here: a customer's "did that answer your
 * question?" vote on a bot answer (once per answer, counted per article: lib/bot/metrics.ts), and
 * an agent's suggested reply and handoff summary (lib/bot/assist.ts). A bot answer is a bot
 * message that cites a help-center article ("/help/slug").
 */
import type { Store } from "../store/mod.ts";
import { isStaff, publicUser, type UserRecord } from "../store/users.ts";
import type { BotFeedback } from "../store/bot_stats.ts";
import type { Assistant, AssistContext } from "../bot/assist.ts";
import { citedSlug } from "../bot/metrics.ts";
import type { HandoffSummary } from "../bot/summary.ts";
import type { FactsSource } from "../bot/facts.ts";
import type { Suggestion } from "../contract/bot.ts";
import type { Conversation } from "../contract/types.ts";
import { badRequest, conflict, forbidden, notFound } from "../errors.ts";
import type { Chat } from "./chat.ts";

/** Messages the assistant reads: enough for the topic, bounded for the prompt. */
const HISTORY = 20;

/**
 * What the assistant reads about a conversation (./handoff_note.ts too): its recent history as the
 * customer saw it (the store's reader leaves notes out), the customer and their facts. Null when
 * the customer is gone. Without an agent (nobody has taken it yet), the customer stands in: the
 * assistant uses the agent only to open drafts.
 */
export async function assistContext(
  store: Store,
  facts: FactsSource,
  conversation: Conversation,
  agent: UserRecord | null,
  signal?: AbortSignal,
): Promise<AssistContext | null> {
  const history = await store.conversations.messages(
    conversation.id,
    Math.max(0, conversation.lastSeq - HISTORY),
    HISTORY,
  );
  const customer = await store.users.get(conversation.customerId);
  if (!customer) return null;
  return {
    history,
    customer: publicUser(customer),
    facts: await facts(customer, conversation.id),
    agent: publicUser(agent ?? customer),
    signal,
  };
}

export class BotTools {
  constructor(
    private chat: Chat,
    private store: Store,
    private assistant: Assistant,
    private facts: FactsSource,
  ) {}

  /** The customer says whether the bot's answer at `seq` answered their question. */
  async vote(user: UserRecord, id: string, seq: number, helpful: boolean): Promise<BotFeedback> {
    const conversation = await this.chat.visible(user, id);
    if (conversation.customerId !== user.id) {
      throw forbidden("Only the customer can say whether an answer helped.");
    }
    const [message] = await this.store.conversations.messages(id, seq - 1, 1);
    if (!message || message.seq !== seq) throw notFound("Message");
    const slug = message.sender === "bot" ? citedSlug(message.text) : null;
    if (!slug) throw badRequest("seq: that message is not an answer from the bot's help center.");
    const feedback: BotFeedback = {
      conversationId: id,
      seq,
      helpful,
      slug,
      userId: user.id,
      at: new Date().toISOString(),
    };
    const vote = helpful ? "yes" : "no";
    const stored = await this.store.botStats.vote(feedback, [
      `feedback:${vote}`,
      `article:${slug}:${vote}`,
    ]);
    if (!stored) throw conflict("You already told us whether this answer helped. Thank you!");
    return feedback;
  }

  /** The customer's votes in a conversation (to show which answers they rated). */
  async votes(user: UserRecord, id: string): Promise<{ seq: number; helpful: boolean }[]> {
    await this.chat.visible(user, id);
    const votes = await this.store.botStats.votes(id);
    return votes.map(({ seq, helpful }) => ({ seq, helpful }));
  }

  async #context(user: UserRecord, id: string, signal?: AbortSignal): Promise<AssistContext> {
    if (!isStaff(user.role)) throw forbidden("Only agents can ask for a suggestion.");
    const conversation = await this.chat.visible(user, id);
    const context = await assistContext(this.store, this.facts, conversation, user, signal);
    if (!context) throw notFound("Customer");
    return context;
  }

  /** A draft reply for the agent (never sent by itself). */
  async suggest(user: UserRecord, id: string, signal?: AbortSignal): Promise<Suggestion> {
    return await this.assistant.suggest(await this.#context(user, id, signal));
  }

  /** What the customer wants, what the bot answered, the facts: for the agent taking over. */
  async summary(user: UserRecord, id: string, signal?: AbortSignal): Promise<HandoffSummary> {
    return await this.assistant.summarize(await this.#context(user, id, signal));
  }
}
