/**
 * Who the customer of a conversation is, in the agent console: their email, the website's own id
 * for a customer the widget verified (External ID), and whether they are a guest. Read from
 * `GET /api/customers/:id` whenever the conversation's customer changes (a guest who signs in or
 * is identified becomes another user).
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { User } from "../lib/contract/types.ts";
import { api } from "../lib/client/api.ts";

export function CustomerCard({ customerId }: { customerId: string }) {
  const user = useSignal<User | null>(null);
  useEffect(() => {
    let current = true;
    user.value = null;
    api<{ user: User }>("GET", `/api/customers/${encodeURIComponent(customerId)}`)
      .then((body) => current && (user.value = body.user))
      .catch(() => {}); // the card is extra: the conversation works without it
    return () => current = false;
  }, [customerId]);
  const u = user.value;
  if (!u) return null;
  return (
    <dl class="customer-card" aria-label="Customer details">
      <div>
        <dt>Account</dt>
        <dd>
          {u.role === "guest" ? "Guest" : u.externalId ? "Verified by your website" : "Customer"}
        </dd>
      </div>
      {u.email && (
        <div>
          <dt>Email</dt>
          <dd>{u.email}</dd>
        </div>
      )}
      {u.externalId && (
        <div>
          <dt>External ID</dt>
          <dd>{u.externalId}</dd>
        </div>
      )}
    </dl>
  );
}
