/**
 * CSAT ratings (key shapes in ./keys.ts): one per conversation, given by its customer after it was
 * resolved (resolved conversations never reopen, so "once per resolution" is once per
 * conversation). The commit checks that no rating exists and that the conversation is still the
 * resolved one that was read, and moves the report counters (./report_counters.ts) with it.
 * `inCommit` lets the caller add its own writes to the same commit (the outbox's `rating.created`).
 */
import { keys } from "./keys.ts";
import type { Conversation, Rating } from "../contract/types.ts";
import { countRating } from "./report_counters.ts";

export type { Rating };

export type RateResult = "ok" | "exists" | "changed";

export class Ratings {
  constructor(private kv: Deno.Kv) {}

  async get(conversationId: string): Promise<Rating | null> {
    return (await this.kv.get<Rating>(keys.rating(conversationId))).value;
  }

  /** Ratings of several conversations, in order (null where none). */
  async getMany(ids: string[]): Promise<(Rating | null)[]> {
    if (!ids.length) return [];
    const out: (Rating | null)[] = [];
    for (let i = 0; i < ids.length; i += 10) {
      const entries = await this.kv.getMany<Rating[]>(
        ids.slice(i, i + 10).map((id) => keys.rating(id)),
      );
      out.push(...entries.map((e) => e.value));
    }
    return out;
  }

  /**
   * Stores `rating` for the conversation read as `entry`: "exists" when it already has one,
   * "changed" when the conversation changed or vanished since it was read; nothing written then.
   */
  async add(
    entry: Deno.KvEntry<Conversation>,
    rating: Rating,
    inCommit?: (op: Deno.AtomicOperation) => void,
  ): Promise<RateResult> {
    const key = keys.rating(rating.conversationId);
    const op = this.kv.atomic()
      .check({ key, versionstamp: null })
      .check(entry)
      .set(key, rating);
    countRating(op, rating.at, rating.score, rating.agentId);
    inCommit?.(op);
    if ((await op.commit()).ok) return "ok";
    return (await this.kv.get(key)).versionstamp ? "exists" : "changed";
  }
}
