/**
 * A guest who signs in or registers keeps their conversation: the chat page presents the guest's
 * token, and the signed-in customer takes over the guest's conversations. The guest session is
 * then revoked (its sockets close), so the token can't be used again, and the guest record, which
 * nothing names any more, is deleted.
 */
import type { UserRecord } from "../store/users.ts";
import { forgetGuest, moveConversations } from "../store/claim.ts";
import type { Conversation } from "../contract/types.ts";
import type { Relay } from "../realtime/relay.ts";
import { badRequest, forbidden } from "../errors.ts";
import type { Auth } from "./auth.ts";

export interface ClaimDeps {
  auth: Pick<Auth, "resolve" | "logout">;
  kv: Deno.Kv;
  relay: Relay;
}

export async function claimGuest(
  { auth, kv, relay }: ClaimDeps,
  customer: UserRecord,
  guestToken: string,
): Promise<Conversation[]> {
  if (customer.role !== "customer") throw forbidden("Only customers can claim a conversation.");
  const guest = await auth.resolve(guestToken);
  if (!guest || guest.user.role !== "guest") {
    throw badRequest("guestToken: not a guest session (it may have expired or been claimed).");
  }
  const moved = await moveConversations(kv, guest.user.id, customer);
  for (const conversation of moved) {
    relay.publish({ type: "conversation", conversation, reason: "state" });
  }
  await auth.logout(guest);
  await forgetGuest(kv, guest.user.id);
  return moved;
}
