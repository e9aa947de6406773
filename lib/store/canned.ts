/**
 * Canned replies in KV (key shapes in ./keys.ts): the record under ["canned_replies", id] and an
 * owner index ["canned_by_owner", owner, id], owner "team" or the agent's id, written together.
 * Who may write which is decided by lib/chat/canned.ts.
 */
import { keys } from "./keys.ts";
import { getValues } from "./batch.ts";
import type { Clock } from "../clock.ts";

export interface CannedReplyRecord {
  id: string;
  shortcut: string;
  title: string;
  text: string;
  scope: "team" | "personal";
  /** The agent a personal reply belongs to; null for team replies. */
  ownerId: string | null;
  createdAt: string;
  updatedAt: string;
}

export type CannedFields = Pick<CannedReplyRecord, "shortcut" | "title" | "text">;

const ownerOf = (r: Pick<CannedReplyRecord, "scope" | "ownerId">) =>
  r.scope === "team" ? "team" : r.ownerId!;

export class CannedReplies {
  constructor(private kv: Deno.Kv, private clock: Clock, private newId: () => string) {}

  /** The team's replies and `agentId`'s own, by shortcut. */
  async visibleTo(agentId: string | null): Promise<CannedReplyRecord[]> {
    const ids: string[] = [];
    for (const owner of agentId ? ["team", agentId] : ["team"]) {
      for await (const e of this.kv.list({ prefix: keys.cannedByOwnerPrefix(owner) })) {
        ids.push(String(e.key[2]));
      }
    }
    const records = await getValues<CannedReplyRecord>(this.kv, ids.map(keys.cannedReply));
    return records.sort((a, b) => a.shortcut.localeCompare(b.shortcut) || a.id.localeCompare(b.id));
  }

  async count(owner: string): Promise<number> {
    let n = 0;
    for await (const _ of this.kv.list({ prefix: keys.cannedByOwnerPrefix(owner) })) n++;
    return n;
  }

  async get(id: string): Promise<CannedReplyRecord | null> {
    return (await this.kv.get<CannedReplyRecord>(keys.cannedReply(id))).value;
  }

  async create(
    fields: CannedFields,
    scope: "team" | "personal",
    ownerId: string | null,
  ): Promise<CannedReplyRecord> {
    const now = new Date(this.clock.now()).toISOString();
    const record: CannedReplyRecord = {
      id: this.newId(),
      ...fields,
      scope,
      ownerId: scope === "team" ? null : ownerId,
      createdAt: now,
      updatedAt: now,
    };
    await this.kv.atomic()
      .check({ key: keys.cannedReply(record.id), versionstamp: null })
      .set(keys.cannedReply(record.id), record)
      .set(keys.cannedByOwner(ownerOf(record), record.id), null)
      .commit();
    return record;
  }

  /** Replaces the fields of an existing reply (checked: a concurrent delete wins). */
  async update(id: string, fields: CannedFields): Promise<CannedReplyRecord | null> {
    for (;;) {
      const entry = await this.kv.get<CannedReplyRecord>(keys.cannedReply(id));
      if (!entry.value) return null;
      const next = {
        ...entry.value,
        ...fields,
        updatedAt: new Date(this.clock.now()).toISOString(),
      };
      const res = await this.kv.atomic().check(entry).set(keys.cannedReply(id), next).commit();
      if (res.ok) return next;
    }
  }

  async delete(id: string): Promise<boolean> {
    for (;;) {
      const entry = await this.kv.get<CannedReplyRecord>(keys.cannedReply(id));
      if (!entry.value) return false;
      const res = await this.kv.atomic().check(entry)
        .delete(keys.cannedReply(id))
        .delete(keys.cannedByOwner(ownerOf(entry.value), id))
        .commit();
      if (res.ok) return true;
    }
  }
}
