/**
 * Moving a guest's conversations to the account they signed in to or created (key shapes in
 * ./keys.ts). Each conversation moves in one checked commit: the record's customer and its list
 * indexes and counters (./lists.ts) change together. The guest, with nothing left, is then
 * forgotten.
 */
import { keys } from "./keys.ts";
import { publicRecord } from "./client_ids.ts";
import type { Conversation } from "../contract/types.ts";
import { reindex } from "./lists.ts";

/** Moves every conversation of `fromId` to `to`; returns the moved conversations. */
export async function moveConversations(
  kv: Deno.Kv,
  fromId: string,
  to: { id: string; name: string },
  now: () => string = () => new Date().toISOString(),
): Promise<Conversation[]> {
  const moved: Conversation[] = [];
  for await (const index of kv.list({ prefix: keys.byCustomerPrefix(fromId) })) {
    const id = String(index.key[2]);
    for (;;) {
      const entry = await kv.get<Conversation>(keys.conversation(id));
      if (!entry.value) break;
      const next: Conversation = {
        ...entry.value,
        customerId: to.id,
        customerName: to.name,
        updatedAt: now(),
      };
      const op = kv.atomic().check(entry).set(keys.conversation(id), next);
      reindex(op, entry.value, next);
      const result = await op.commit();
      if (result.ok) {
        moved.push(publicRecord(next));
        break;
      }
    }
  }
  return moved;
}

/**
 * Deletes a guest whose conversations all moved to an account (nothing names them any more). A
 * conversation the guest started meanwhile rewrote their record (./conversations.ts), so the
 * checked delete fails and the guest stays.
 */
export async function forgetGuest(kv: Deno.Kv, guestId: string): Promise<boolean> {
  const entry = await kv.get(keys.user(guestId));
  if (!entry.value) return false;
  for await (const _ of kv.list({ prefix: keys.byCustomerPrefix(guestId) }, { limit: 1 })) {
    return false;
  }
  return (await kv.atomic().check(entry).delete(keys.user(guestId)).commit()).ok;
}
