/**
 * Server-side read state: read receipts (the `read` frame, `POST /api/conversations/:id/read`)
 * store the caller's position, and conversation reads gain the extension field `unread`.
 *
 * - A receipt stores max(current, seq): the position never moves backwards. A seq above the
 *   conversation's lastSeq is clamped to lastSeq (a client can only have seen committed messages;
 *   "read everything" stays the meaning). The receipt relayed to the others carries the stored
 *   position.
 * - `unread` = lastSeq − the caller's read position; with no receipt yet that is lastSeq: every
 *   message counts, the caller's own included, until a client reports what it has shown. For a
 *   customer, private notes after the position don't count (they never see them).
 */
import type { Chat } from "./chat.ts";
import type { Relay } from "../realtime/relay.ts";
import type { Reads } from "../store/reads.ts";
import { isStaff, type UserRecord } from "../store/users.ts";
import type { Conversation } from "../contract/types.ts";
import { customerView } from "../contract/labels.ts";

/** A conversation as its reader sees it: the contract object plus `unread`. */
export type ReadView = Conversation & { unread: number };

export class ReadState {
  constructor(private chat: Chat, private reads: Reads, private relay: Relay) {}

  /**
   * Stores a receipt of `user` (404 unless they may see the conversation) and relays it to the
   * conversation's other sockets (`origin`: the sending socket, which gets no echo).
   */
  async mark(user: UserRecord, id: string, seq: number, origin?: string): Promise<ReadView> {
    const conversation = await this.chat.visible(user, id);
    const stored = await this.reads.mark(id, user.id, Math.min(seq, conversation.lastSeq));
    this.relay.publish({ type: "read", conversationId: id, userId: user.id, seq: stored, origin });
    return {
      ...this.#view(user, conversation),
      unread: await this.#unread(user, conversation, stored),
    };
  }

  /** lastSeq − position, less the private notes after it for anyone but staff. */
  /** The reader's copy: a customer's has no labels (customerView). */
  #view(user: UserRecord, c: Conversation): Conversation {
    return isStaff(user.role) ? c : customerView(c);
  }

  async #unread(user: UserRecord, c: Conversation, position: number): Promise<number> {
    const unread = Math.max(0, c.lastSeq - position);
    if (unread === 0 || isStaff(user.role)) return unread;
    return Math.max(0, unread - await this.reads.notesAfter(c.id, position));
  }

  /** `conversations` with the caller's `unread`, from one batched read of their positions. */
  async annotate(user: UserRecord, conversations: Conversation[]): Promise<ReadView[]> {
    const read = await this.reads.many(conversations.map((c) => c.id), user.id);
    return await Promise.all(conversations.map(async (c) => ({
      ...this.#view(user, c),
      unread: await this.#unread(user, c, read.get(c.id) ?? 0),
    })));
  }

  async one(user: UserRecord, conversation: Conversation): Promise<ReadView> {
    const seq = await this.reads.get(conversation.id, user.id);
    return {
      ...this.#view(user, conversation),
      unread: await this.#unread(user, conversation, seq),
    };
  }
}
