/**
 * Moving a guest's conversations to the account they signed in to or created (key shapes in
 * ./keys.ts). Each conversation moves in one checked commit: the record's customer and its list
 * indexes and counters (./lists.ts) change together.
 */
import { keys } from "./keys.ts";
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
        moved.push(next);
        break;
      }
    }
  }
  return moved;
}
