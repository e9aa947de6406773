/**
 * Everything stored about one customer, for a GDPR export: their record (no password hash), each
 * of their conversations with every part the registry (./belongings.ts) lists, and the records of
 * the scanned parts that name them (sessions without their token hashes, unanswered questions…).
 * Same registry as erasure, so whatever is erased is also exported.
 */
import { keys } from "./keys.ts";
import type { UserRecord } from "./users.ts";
import type { Conversation } from "../contract/types.ts";
import { conversationParts, type Place, scannedParts } from "./belongings.ts";

export interface CustomerExport {
  exportedAt: string;
  customer: Omit<UserRecord, "passwordHash"> & { hasPassword: boolean };
  conversations: (Conversation & { parts: Record<string, unknown[]> })[];
  other: Record<string, unknown[]>;
}

async function valuesAt(kv: Deno.Kv, place: Place): Promise<unknown[]> {
  if ("key" in place) {
    const e = await kv.get(place.key);
    return e.versionstamp ? [e.value] : [];
  }
  const out: unknown[] = [];
  for await (const e of kv.list({ prefix: place.prefix })) out.push(e.value);
  return out;
}

/** Bigints (KV counters) as strings, so the export is JSON. */
const plain = (v: unknown): unknown =>
  v instanceof Deno.KvU64 ? String(v.value) : typeof v === "bigint" ? String(v) : v;

export async function exportCustomer(
  kv: Deno.Kv,
  record: UserRecord,
  nowIso: string,
): Promise<CustomerExport> {
  const { passwordHash, ...customer } = record;
  const ids: string[] = [];
  for await (const e of kv.list({ prefix: keys.byCustomerPrefix(record.id) })) {
    ids.push(String(e.key[2]));
  }
  const conversations: CustomerExport["conversations"] = [];
  for (const id of ids) {
    const c = (await kv.get<Conversation>(keys.conversation(id))).value;
    if (!c) continue;
    const parts: Record<string, unknown[]> = {};
    for (const part of conversationParts) {
      const values: unknown[] = [];
      for (const place of part.of(id)) values.push(...(await valuesAt(kv, place)));
      parts[part.name] = values.map(plain);
    }
    conversations.push({ ...c, parts });
  }
  const other: Record<string, unknown[]> = {};
  const subject = { customerId: record.id, conversationIds: new Set(ids) };
  for (const part of scannedParts) {
    if (part.name === "feed") continue; // live notifications, gone within a minute
    const values: unknown[] = [];
    for await (const e of kv.list({ prefix: part.prefix })) {
      if (part.names(e.value, subject)) values.push(plain(e.value));
    }
    other[part.name] = values;
  }
  return {
    exportedAt: nowIso,
    customer: { ...customer, hasPassword: passwordHash !== undefined },
    conversations,
    other,
  };
}
