/**
 * API tokens in KV (./keys.ts): a record per token and a unique index from the SHA-256 of its
 * secret. Only the hash is stored: the secret is 256 random bits, so a fast hash is enough (no
 * dictionary to try; a slow password hash would only slow every API call). Revocation deletes
 * both keys in one commit, and every request reads the index, so it takes effect at once on
 * every instance.
 */
import { keys } from "./keys.ts";
import { addAudit, type AuditInput } from "./audit.ts";

import type { TokenScope } from "../contract/operations.ts";

export interface ApiTokenRecord {
  id: string;
  name: string;
  scopes: TokenScope[];
  /** sha256 hex of the secret. */
  hash: string;
  /** The admin who created it: the token acts as them, within its scopes. */
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Last use is written at most this often per token (not one write per request). */
const LAST_USE_EVERY_MS = 60_000;

export class ApiTokens {
  constructor(private kv: Deno.Kv) {}

  async create(record: ApiTokenRecord, audit: AuditInput): Promise<void> {
    const op = this.kv.atomic()
      .check({ key: keys.apiToken(record.id), versionstamp: null })
      .check({ key: keys.apiTokenByHash(record.hash), versionstamp: null })
      .set(keys.apiToken(record.id), record)
      .set(keys.apiTokenByHash(record.hash), record.id);
    addAudit(op, audit);
    if (!(await op.commit()).ok) throw new Error("token id or hash taken");
  }

  async list(): Promise<ApiTokenRecord[]> {
    const out: ApiTokenRecord[] = [];
    for await (const e of this.kv.list<ApiTokenRecord>({ prefix: keys.apiTokensPrefix() })) {
      out.push(e.value);
    }
    return out;
  }

  /** The token whose secret hashes to `hash`, noting its use (at most once a minute). */
  async byHash(hash: string, now: number): Promise<ApiTokenRecord | null> {
    const idx = await this.kv.get<string>(keys.apiTokenByHash(hash));
    if (!idx.value) return null;
    const entry = await this.kv.get<ApiTokenRecord>(keys.apiToken(idx.value));
    const token = entry.value;
    if (!token) return null;
    const last = token.lastUsedAt ? Date.parse(token.lastUsedAt) : 0;
    if (now - last >= LAST_USE_EVERY_MS) {
      const next = { ...token, lastUsedAt: new Date(now).toISOString() };
      // Checked: a revocation committed meanwhile is not undone.
      await this.kv.atomic().check(entry).set(keys.apiToken(token.id), next).commit();
      return next;
    }
    return token;
  }

  /** Revokes a token; false when there is none. */
  async revoke(id: string, audit: AuditInput): Promise<boolean> {
    const entry = await this.kv.get<ApiTokenRecord>(keys.apiToken(id));
    if (!entry.value) return false;
    const op = this.kv.atomic().check(entry)
      .delete(keys.apiToken(id))
      .delete(keys.apiTokenByHash(entry.value.hash));
    addAudit(op, audit);
    return (await op.commit()).ok;
  }
}
