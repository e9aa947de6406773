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
import type { Assistant } from "../bot/assist.ts";
import type { FactsSource } from "../bot/facts.ts";
import type { Publisher } from "../realtime/publisher.ts";
import type { Logger } from "../log.ts";
import { AppError, conflict } from "../errors.ts";
import { assistContext } from "./bot_tools.ts";

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
    const context = await assistContext(
      store,
      facts,
      conversation,
      null, // nobody has taken it yet
      AbortSignal.timeout(TIMEOUT_MS),
    );
    if (!context) return false;
    const summary = await assistant.summarize(context);
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
