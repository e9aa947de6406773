/**
 * CSAT: a conversation's customer rates it (1–5, an optional comment) once it is resolved, once
 * (resolved conversations never reopen). Authorized here; stored with its report counters in one
 * commit (../store/ratings.ts). Agents and the customer read it back.
 *
 * Seam for the outbox (`rating.created` webhooks): `CsatHooks.inCommit` adds writes to the
 * rating's own commit, so the delivery is recorded with the event; `after` runs once committed.
 */
import type { Store } from "../store/mod.ts";
import type { Rating } from "../store/ratings.ts";
import { isStaff, type UserRecord } from "../store/users.ts";
import type { Conversation } from "../contract/types.ts";
import { conflict, forbidden, notFound } from "../errors.ts";
import type { Clock } from "../clock.ts";

export interface CsatHooks {
  /** Adds writes to the rating's commit (the lead connects the outbox's `rating.created` here). */
  inCommit?(op: Deno.AtomicOperation, rating: Rating, conversation: Conversation): void;
  /** Runs after the rating is committed. */
  after?(rating: Rating, conversation: Conversation): void;
}

export class Csat {
  constructor(
    private store: Store,
    private clock: Clock,
    private hooks: CsatHooks = {},
  ) {}

  /** The conversation's rating (null if none): its customer and staff only. */
  async get(user: UserRecord, id: string): Promise<Rating | null> {
    const conv = await this.store.conversations.get(id);
    if (!conv || (!isStaff(user.role) && conv.customerId !== user.id)) {
      throw notFound("Conversation");
    }
    return await this.store.ratings.get(id);
  }

  async rate(
    user: UserRecord,
    id: string,
    input: { score: number; comment?: string },
  ): Promise<Rating> {
    for (;;) {
      const entry = await this.store.conversations.getEntry(id);
      const conv = entry?.value;
      if (!entry || !conv) throw notFound("Conversation");
      if (conv.customerId !== user.id) {
        if (isStaff(user.role)) throw forbidden("Only the conversation's customer can rate it.");
        throw notFound("Conversation");
      }
      if (conv.status !== "resolved") {
        throw conflict("You can rate this conversation once it is resolved.");
      }
      const rating: Rating = {
        conversationId: id,
        customerId: user.id,
        agentId: conv.assigneeId,
        score: input.score,
        comment: input.comment?.trim() || null,
        at: new Date(this.clock.now()).toISOString(),
      };
      const result = await this.store.ratings.add(
        entry,
        rating,
        this.hooks.inCommit && ((op) => this.hooks.inCommit!(op, rating, conv)),
      );
      if (result === "exists") throw conflict("You have already rated this conversation.");
      if (result === "changed") continue;
      this.hooks.after?.(rating, conv);
      return rating;
    }
  }
}
