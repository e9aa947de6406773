/**
 * When the bot speaks, and how what it says is committed (then published like every other
 * commit: lib/realtime/publisher.ts). A customer's message to a conversation
 * the bot holds (modes `bot` and `waiting`) starts one reply; replies in one conversation run in
 * order. The reply is committed only if no human holds the conversation at commit time, so a
 * takeover silences the bot at once, even mid-answer (the in-flight call is aborted too). A handoff
 * reply ("let me get a person") is committed in the commit that moves the conversation to a person
 * or the queue (lib/assignment/assigner.ts `botHandoff`): nobody reads it while the bot still
 * holds the conversation, and no crash can fall between the two.
 */
import type { Bot } from "./types.ts";
import { type FactsSource, profileFacts } from "./facts.ts";
import type { Store } from "../store/mod.ts";
import { publicUser, type UserRecord } from "../store/users.ts";
import type { Relay } from "../realtime/relay.ts";
import type { Publisher } from "../realtime/publisher.ts";
import type { Conversation, Message } from "../contract/types.ts";
import type { Changed, Decision } from "../store/conversations.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { BotMetrics } from "./metrics.ts";

const HISTORY = 20;

const TOO_MANY_HANDOFFS = "You've asked for a person many times in a short while, so I can't " +
  "add you to the queue right now. Please try again in a few minutes; I'm still here meanwhile.";

export interface BotRunnerDeps {
  store: Store;
  /** Typing and drafts go straight to the relay; committed replies through the publisher. */
  relay: Relay;
  publisher: Publisher;
  /**
   * The bot hands the conversation over, `say` committed with the move (lib/assignment/assigner.ts
   * `botHandoff`); null when the conversation was no longer the bot's (nothing written).
   */
  handoff(
    conversationId: string,
    say: (c: Conversation) => NonNullable<Decision>["say"],
  ): Promise<Changed | null>;
  /** Asks for a person for a conversation already waiting (drains the queue). */
  requestHuman(conversationId: string): Promise<Conversation>;
  /**
   * Whether the customer may be handed to a person now (the handoff rate limit, spent here when
   * the bot hands a conversation over at the customer's request). Default: always.
   */
  mayRequestHuman?(customerId: string): boolean;
  bot: Bot;
  facts?: FactsSource;
  /** Counts replies, handoffs and unanswered questions for the admin (./metrics.ts). */
  metrics?: BotMetrics;
  log: Logger;
}

export class BotRunner {
  #queues = new Map<string, Promise<void>>();
  #aborts = new Map<string, Set<AbortController>>();
  private store: Store;
  private relay: Relay;
  private bot: Bot;
  private facts: FactsSource;

  constructor(private deps: BotRunnerDeps) {
    this.store = deps.store;
    this.relay = deps.relay;
    this.bot = deps.bot;
    this.facts = deps.facts ?? profileFacts;
  }

  /** What the bot may know about a customer (also shown to agents). */
  factsFor(customer: UserRecord, conversationId: string | null = null) {
    return this.facts(customer, conversationId);
  }

  greeting(customer: UserRecord): { name: string; text: string } {
    return { name: this.bot.name, text: this.bot.greet(publicUser(customer)) };
  }

  /**
   * Replies to `message` after any earlier reply in the same conversation. `author` is the
   * sender's record as the caller already has it (their session's), which saves a read.
   */
  answer(conversation: Conversation, message: Message, author: UserRecord): Promise<void> {
    const id = conversation.id;
    const prev = this.#queues.get(id) ?? Promise.resolve();
    const next = prev.then(() => this.#reply(id, message, author)).catch((err) =>
      this.deps.log.error("bot reply failed", { conversationId: id, err: String(err) })
    );
    this.#queues.set(id, next);
    next.finally(() => {
      if (this.#queues.get(id) === next) this.#queues.delete(id);
    });
    return next;
  }

  /** A human took over or the conversation closed: abort replies in flight. */
  stop(conversationId: string): void {
    for (const ac of this.#aborts.get(conversationId) ?? []) ac.abort();
  }

  /** Waits for every reply in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#queues.size) await Promise.allSettled([...this.#queues.values()]);
  }

  #typing(conversationId: string, typing: boolean) {
    this.relay.publish({
      type: "typing",
      conversationId,
      userId: "bot",
      name: this.bot.name,
      role: "bot",
      typing,
    });
  }

  /** A handoff asked for while the customer is already in the queue: say where they stand. */
  async #stillQueued(conversation: Conversation): Promise<string> {
    const entry = conversation.waitingSince
      ? { since: conversation.waitingSince, id: conversation.id }
      : null;
    const position = entry
      ? (await this.store.conversations.queue.positions([entry])).get(entry.id)
      : null;
    return `You're already in the queue${position ? ` (number ${position})` : ""}: an agent ` +
      "will join as soon as one is free. I'm still here if I can help meanwhile.";
  }

  async #reply(id: string, message: Message, author: UserRecord): Promise<void> {
    // Read at once, both mostly from memory. The last known state of the conversation will do:
    // the reply's commit re-checks it (a takeover elsewhere mutes the bot there), and so does a
    // handoff's. The history comes from what this instance committed when it has all of it
    // (lib/store/recent_messages.ts). The customer is the message's author (chat.ts lets only the
    // conversation's customer write to it), read afresh only if that ever differs.
    const [conversation, recent] = await Promise.all([
      this.store.conversations.getCached(id),
      this.store.conversations.history(id, message.seq, HISTORY),
    ]);
    if (!conversation || conversation.status !== "open" || conversation.mode === "human") return;
    const customer = author.id === conversation.customerId
      ? author
      : await this.store.users.get(conversation.customerId);
    if (!customer) return;
    const ac = new AbortController();
    const aborts = this.#aborts.get(id) ?? new Set();
    this.#aborts.set(id, aborts.add(ac));
    let typingSent = 0;
    try {
      this.#typing(id, true);
      const reply = await this.bot.reply({
        conversation,
        customer: publicUser(customer),
        history: recent,
        consecutiveMisses: conversation.botMisses,
        facts: () => this.facts(customer, id),
        signal: ac.signal,
        typing: () => {
          const now = Date.now();
          if (now - typingSent > 1000) this.#typing(id, true), typingSent = now;
        },
        partial: (text) => {
          if (!ac.signal.aborted) this.relay.publish({ type: "draft", conversationId: id, text });
        },
      });
      if (ac.signal.aborted) return;
      let handoff = reply.outcome === "handoff";
      let text = reply.text;
      // A handoff decides on the conversation as it is now: the cached state may predate a move
      // made on another instance (the customer's own "Talk to a human" there, say).
      const now = handoff ? await this.store.conversations.get(id) : conversation;
      if (!now || now.status !== "open" || now.mode === "human") return;
      const queued = handoff && now.mode === "waiting";
      if (queued) text = await this.#stillQueued(now);
      else if (handoff && !(this.deps.mayRequestHuman?.(customer.id) ?? true)) {
        handoff = false;
        text = TOO_MANY_HANDOFFS;
      }
      const said = { sender: "bot" as const, authorId: "bot", authorName: this.bot.name, text };
      if (handoff && !queued) {
        // One commit: the reply, the move to a person or the queue, and its system message.
        this.deps.log.info("bot handoff", { conversationId: id, reason: reply.reason });
        const moved = await this.deps.handoff(id, () => said);
        if (moved?.said) this.deps.metrics?.replied(conversation, reply, message.text);
        return;
      }
      const appended = await this.store.conversations.append(
        { conversationId: id, ...said },
        (c) => {
          if (c.status !== "open" || c.mode === "human") {
            throw new AppError("conflict", "bot muted");
          }
          return { botMisses: reply.outcome === "unsure" ? c.botMisses + 1 : 0 };
        },
      );
      this.deps.publisher.appended(appended);
      // A handoff the rate limit refused is no handoff in the figures either.
      const counted = handoff || reply.outcome !== "handoff"
        ? reply
        : { ...reply, outcome: "smalltalk" as const };
      this.deps.metrics?.replied(conversation, counted, message.text);
      if (queued) {
        await this.deps.requestHuman(id);
      }
    } catch (err) {
      // Muted (a person took over) or gone (erased meanwhile; the cached state predates it).
      const quiet = err instanceof AppError &&
        (err.code === "conflict" || err.code === "not_found");
      if (!quiet) throw err;
    } finally {
      this.#typing(id, false);
      aborts.delete(ac);
      if (!aborts.size) this.#aborts.delete(id);
    }
  }
}
