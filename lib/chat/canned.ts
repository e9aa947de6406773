/**
 * Canned replies, authorized: agents and admins read the team's replies and their own personal
 * ones; admins write team replies; each agent (or admin) writes their own personal ones. Also the
 * suggestion seam of the agent's assistant (lib/bot/assist.ts `CannedReplies`): team replies whose
 * shortcut, title or text share the most words with the customer's question.
 */
import type { CannedFields, CannedReplies, CannedReplyRecord } from "../store/canned.ts";
import { isStaff, type UserRecord } from "../store/users.ts";
import { type CannedBody, type CannedReply, MAX_CANNED_REPLIES } from "../contract/canned.ts";
import type { SuggestedCannedReply } from "../contract/bot.ts";
import { searchTerms } from "../store/search.ts";
import { conflict, forbidden, notFound } from "../errors.ts";

const view = (r: CannedReplyRecord): CannedReply => ({
  id: r.id,
  shortcut: r.shortcut,
  title: r.title,
  text: r.text,
  scope: r.scope,
});

export class CannedReplyService {
  constructor(private replies: CannedReplies) {}

  async list(user: UserRecord): Promise<CannedReply[]> {
    this.#staff(user);
    return (await this.replies.visibleTo(user.id)).map(view);
  }

  async create(user: UserRecord, body: CannedBody): Promise<CannedReply> {
    this.#staff(user);
    const scope = body.scope ?? (user.role === "admin" ? "team" : "personal");
    if (scope === "team" && user.role !== "admin") {
      throw forbidden("Only admins write team replies; save it as a personal one.");
    }
    if (await this.replies.count(scope === "team" ? "team" : user.id) >= MAX_CANNED_REPLIES) {
      throw conflict(`At most ${MAX_CANNED_REPLIES} canned replies; delete some first.`);
    }
    return view(await this.replies.create(fields(body), scope, user.id));
  }

  async update(user: UserRecord, id: string, body: CannedBody): Promise<CannedReply> {
    const record = await this.#writable(user, id);
    if (body.scope && body.scope !== record.scope) {
      throw forbidden("A reply's scope can't change; create a new one instead.");
    }
    const updated = await this.replies.update(id, fields(body));
    if (!updated) throw notFound("Canned reply");
    return view(updated);
  }

  async delete(user: UserRecord, id: string): Promise<void> {
    await this.#writable(user, id);
    if (!await this.replies.delete(id)) throw notFound("Canned reply");
  }

  /** For the assistant: team replies sharing the most words with `text`, best first. */
  readonly suggest = async (text: string, limit: number): Promise<SuggestedCannedReply[]> => {
    const asked = new Set(searchTerms(text, 50));
    if (!asked.size) return [];
    const scored = (await this.replies.visibleTo(null)).map((r) => ({
      r,
      score: searchTerms(`${r.shortcut} ${r.title} ${r.text}`, 200)
        .filter((t) => asked.has(t)).length,
    })).filter((s) => s.score > 0);
    scored.sort((a, b) => b.score - a.score || a.r.shortcut.localeCompare(b.r.shortcut));
    return scored.slice(0, limit).map(({ r }) => ({
      id: r.id,
      shortcut: r.shortcut,
      title: r.title,
      text: r.text,
    }));
  };

  #staff(user: UserRecord) {
    if (!isStaff(user.role)) throw forbidden("Canned replies are for agents and admins.");
  }

  /** The reply, if `user` may change it: admins the team's, everyone their own (else 403). */
  async #writable(user: UserRecord, id: string): Promise<CannedReplyRecord> {
    this.#staff(user);
    const record = await this.replies.get(id);
    // Someone else's personal reply is not theirs to know about: 404, as if absent.
    if (!record || (record.scope === "personal" && record.ownerId !== user.id)) {
      throw notFound("Canned reply");
    }
    if (record.scope === "team" && user.role !== "admin") {
      throw forbidden("Only admins change team replies.");
    }
    return record;
  }
}

const fields = (b: CannedBody): CannedFields => ({
  shortcut: b.shortcut,
  title: b.title,
  text: b.text,
});
