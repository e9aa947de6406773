/**
 * Read positions: the highest message seq each user has read in a conversation
 * (key ["reads", conversationId, userId] → seq, see ./keys.ts). Written only by read receipts,
 * never by sending a message, so the message path does no extra work.
 */
import { keys } from "./keys.ts";
import { getManyBatched } from "./batch.ts";

export class Reads {
  constructor(private kv: Deno.Kv) {}

  /** The caller's read seq in one conversation (0 when they have read nothing). */
  async get(conversationId: string, userId: string): Promise<number> {
    return (await this.kv.get<number>(keys.read(conversationId, userId))).value ?? 0;
  }

  /** Read seqs of one user in many conversations, in one batched read. */
  async many(conversationIds: string[], userId: string): Promise<Map<string, number>> {
    const entries = await getManyBatched<number>(
      this.kv,
      conversationIds.map((id) => keys.read(id, userId)),
    );
    return new Map(conversationIds.map((id, i) => [id, entries[i].value ?? 0]));
  }

  /**
   * Private notes after `after` (["notes", conversationId, seq], written with each note): what a
   * customer's `unread` leaves out. Keys only; nothing to list in a conversation without notes.
   */
  async notesAfter(conversationId: string, after: number): Promise<number> {
    let n = 0;
    const iter = this.kv.list({
      start: keys.note(conversationId, after + 1),
      end: keys.note(conversationId, Number.MAX_SAFE_INTEGER),
    });
    for await (const _ of iter) n++;
    return n;
  }

  /**
   * Moves the read position to max(current, seq) with a checked commit (retried when another
   * receipt of the same user wins the race) and returns the stored position. Never backwards.
   */
  async mark(conversationId: string, userId: string, seq: number): Promise<number> {
    const key = keys.read(conversationId, userId);
    for (let attempt = 0; attempt < 50; attempt++) {
      const current = await this.kv.get<number>(key);
      const have = current.value ?? 0;
      if (seq <= have) return have;
      const res = await this.kv.atomic().check(current).set(key, seq).commit();
      if (res.ok) return seq;
    }
    throw new Error("read position: too much contention");
  }
}
