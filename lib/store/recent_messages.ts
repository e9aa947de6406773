/**
 * The last messages this instance committed to each conversation the bot holds, so the bot's
 * next reply reads its history from memory instead of a KV list (lib/bot/runner.ts).
 *
 * Messages never change once committed (an erasure or retention removes the whole conversation),
 * so a kept message is always right; what the cache cannot know is a message committed by another
 * instance. `range` therefore answers only when it holds every seq of the range, and otherwise
 * says null (read KV). Notes are kept too (they take seqs), and filtered out by the caller.
 *
 * Bounded: `perConversation` messages of at most `maxText` characters each (a longer message is
 * not kept, which leaves a gap and so a KV read), for the `conversations` most recently written
 * ones. A conversation a person holds is dropped: the bot reads no history there.
 */
import type { Conversation, Message } from "../contract/types.ts";

export interface RecentMessagesOptions {
  perConversation?: number;
  conversations?: number;
  maxText?: number;
}

export class RecentMessages {
  /** Per conversation, messages by ascending seq; Map order is least recently written first. */
  #byConversation = new Map<string, Message[]>();
  readonly #per: number;
  readonly #conversations: number;
  readonly #maxText: number;

  constructor(opts: RecentMessagesOptions = {}) {
    this.#per = opts.perConversation ?? 20;
    this.#conversations = opts.conversations ?? 2000;
    this.#maxText = opts.maxText ?? 2000;
  }

  /** A commit left the conversation as `conversation`, with `message` in it if it wrote one. */
  add(conversation: Conversation, message?: Message | null): void {
    const id = conversation.id;
    if (conversation.status !== "open" || conversation.mode === "human") {
      this.#byConversation.delete(id);
      return;
    }
    if (!message || message.text.length > this.#maxText) return;
    const list = this.#byConversation.get(id) ?? [];
    this.#byConversation.delete(id); // re-inserted last: most recently written
    let at = list.length;
    while (at > 0 && list[at - 1].seq >= message.seq) at--;
    if (list[at]?.seq !== message.seq) list.splice(at, 0, message);
    if (list.length > this.#per) list.splice(0, list.length - this.#per);
    this.#byConversation.set(id, list);
    if (this.#byConversation.size > this.#conversations) {
      this.#byConversation.delete(this.#byConversation.keys().next().value!);
    }
  }

  /** Messages with seq in (after, upto], oldest first, if every one of them is here; else null. */
  range(conversationId: string, after: number, upto: number): Message[] | null {
    if (upto <= after) return [];
    const list = this.#byConversation.get(conversationId);
    if (!list) return null;
    const from = list.findIndex((m) => m.seq === after + 1);
    if (from < 0) return null;
    const out = list.slice(from, from + (upto - after));
    return out.length === upto - after && out.every((m, i) => m.seq === after + 1 + i) ? out : null;
  }

  forget(conversationId: string): void {
    this.#byConversation.delete(conversationId);
  }
}
