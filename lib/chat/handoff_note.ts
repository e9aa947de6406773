/**
 * The handoff summary as a private note (issue 14): when a conversation leaves the bot for a
 * person — the customer's **Talk to a human**, or the bot's own handoff — the agent who takes over
 * finds, among agents-only notes, what the customer wants, what the bot already answered and the
 * facts gathered (lib/bot/summary.ts without a key, Gemini's with one: lib/bot/assist.ts).
 *
 * It is written after the handoff's own commit, by the instance that made the handoff (once), as
 * a bot message with `private: true`, so every rule for notes holds: never to the customer by any
 * path, never in the bot's history, not in their unread. It is advisory: a crash between the two
 * commits leaves no note, and the summary is still on the console (GET …/summary).
 */
import type { Store } from "../store/mod.ts";
import { publicUser } from "../store/users.ts";
import type { Assistant } from "../bot/assist.ts";
import type { FactsSource } from "../bot/facts.ts";
import type { Publisher } from "../realtime/publisher.ts";
import type { Logger } from "../log.ts";
import { AppError, conflict } from "../errors.ts";

/** Messages the summary reads (the assistant's own bound). */
const HISTORY = 20;
/** A summary that takes longer (a slow model) is given up: the note is a convenience. */
const TIMEOUT_MS = 15_000;

export interface HandoffNoteDeps {
  store: Store;
  publisher: Publisher;
  assistant: Assistant;
  facts: FactsSource;
  botName: string;
  log: Logger;
}

export class HandoffNotes {
  #pending = new Set<Promise<void>>();

  constructor(private deps: HandoffNoteDeps) {}

  /** Posts the note in the background; `idle()` waits for those in flight (shutdown, tests). */
  after(conversationId: string): void {
    const job: Promise<void> = this.post(conversationId).then(() => {}, (err) => {
      if (err instanceof AppError) return; // resolved or gone meanwhile: no note, nothing wrong
      this.deps.log.warn("handoff note failed", { conversationId, err: String(err) });
    });
    this.#pending.add(job);
    job.finally(() => this.#pending.delete(job));
  }

  async idle(): Promise<void> {
    while (this.#pending.size) await Promise.all([...this.#pending]);
  }

  /** Summarizes the conversation and appends the note; false when it is no longer open. */
  async post(conversationId: string): Promise<boolean> {
    const { store, assistant, facts, publisher } = this.deps;
    const conversation = await store.conversations.get(conversationId);
    if (!conversation || conversation.status !== "open" || conversation.mode === "bot") {
      return false;
    }
    const customer = await store.users.get(conversation.customerId);
    if (!customer) return false;
    // Notes are left out by the store's reader: the summary is built from what the customer saw.
    const history = await store.conversations.messages(
      conversationId,
      Math.max(0, conversation.lastSeq - HISTORY),
      HISTORY,
    );
    const summary = await assistant.summarize({
      history,
      customer: publicUser(customer),
      facts: await facts(customer, conversationId),
      agent: publicUser(customer), // no agent yet; the assistant uses it only to open drafts
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const appended = await store.conversations.append({
      conversationId,
      sender: "bot",
      authorId: "bot",
      authorName: this.deps.botName,
      text: `Handoff summary\n${summary.text}`,
      private: true,
    }, (c) => {
      if (c.status !== "open") throw conflict("The conversation was resolved meanwhile.");
    });
    if (!appended.duplicate) publisher.appended(appended);
    return true;
  }
}
