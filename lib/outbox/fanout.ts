/**
 * Fan-out: turns outbox records (lib/store/outbox.ts) into deliveries (lib/store/deliveries.ts):
 * one per webhook subscribed to the event, and an email for an agent's reply when email is on and
 * the customer's address is known. The records are deleted in the same commit that writes their
 * deliveries, and that commit checks the fan-out lease, so exactly one instance fans each record
 * out, once: a delivery's id (its `X-Parley-Delivery`) is fixed from then on.
 *
 * Private notes (`private: true` on a message) go only to webhooks that asked for them
 * (`includePrivate`), and never into email.
 */
import type { Store } from "../store/mod.ts";
import { conversationData, type OutboxItem, type OutboxRecord } from "../store/outbox.ts";
import type { DeliveryRecord, WebhookRecord } from "../store/deliveries.ts";
import type { Conversation, Message } from "../contract/types.ts";
import type { MailSettings } from "../config.ts";

/**
 * Records read per fan-out commit, and the mutations it may hold (KV allows 1,000): with no
 * webhook subscribed, a commit just deletes up to 200 records (a group commit writes one).
 */
const RECORDS_PER_COMMIT = 200;
const MAX_MUTATIONS = 900;

export interface FanoutDeps {
  store: Pick<Store, "kv" | "outbox" | "deliveries" | "conversations" | "users">;
  newId: () => string;
  mail: MailSettings | null;
}

const isPrivate = (m: Message) => (m as { private?: boolean }).private === true;

const base = (id: string, createdAt: string, dueAt: number) => ({
  id,
  status: "pending" as const,
  createdAt,
  attempts: 0,
  dueAt,
  leaseOwner: null,
  leaseUntil: 0,
  lastError: null,
  lastStatus: null,
  finishedAt: null,
});

/** The event's data, reading a referenced message; null when it is gone (erased). */
async function resolveItem(
  deps: FanoutDeps,
  item: OutboxItem,
): Promise<
  { data: Record<string, unknown>; message?: Message; conversation?: Conversation } | null
> {
  if ("data" in item) return { data: item.data };
  const { conversationId, seq } = item.ref;
  const [conversation, messages] = await Promise.all([
    deps.store.conversations.get(conversationId),
    // That seq exactly, note or not (webhooks that ask get notes; the caller decides).
    deps.store.conversations.messages(conversationId, seq - 1, 1, { notes: true }),
  ]);
  const message = messages[0];
  if (!conversation || !message || message.seq !== seq) return null;
  return { data: { ...conversationData(conversation), message }, message, conversation };
}

/** The deliveries one outbox record makes, at `now`. */
export async function planDeliveries(
  deps: FanoutDeps,
  record: OutboxRecord,
  hooks: WebhookRecord[],
  now: number,
): Promise<DeliveryRecord[]> {
  const out: DeliveryRecord[] = [];
  for (const item of record.items) {
    const wanted = hooks.filter((h) => h.events.includes(item.event));
    const emailable = deps.mail !== null && "ref" in item;
    if (!wanted.length && !emailable) continue;
    const resolved = await resolveItem(deps, item);
    if (!resolved) continue;
    const secret = resolved.message && isPrivate(resolved.message);
    for (const hook of wanted) {
      if (secret && !hook.includePrivate) continue;
      const id = deps.newId();
      const body = JSON.stringify({
        id,
        event: item.event,
        createdAt: record.at,
        data: resolved.data,
      });
      out.push({
        ...base(id, record.at, now),
        kind: "webhook",
        webhookId: hook.id,
        url: hook.url,
        event: item.event,
        body,
      });
    }
    const { message, conversation } = resolved;
    if (deps.mail && message && conversation && message.sender === "agent" && !secret) {
      const customer = await deps.store.users.get(conversation.customerId);
      if (customer?.email) {
        out.push({
          ...base(deps.newId(), record.at, now + deps.mail.delayMs),
          kind: "email",
          event: "email.reply",
          to: customer.email,
          conversationId: conversation.id,
          seq: message.seq,
          customerId: customer.id,
        });
      }
    }
  }
  return out;
}

/**
 * Fans out the oldest records under the lease `lease` (an entry the commit checks). A record too
 * big for one commit is split: its remaining items are written back under the same key. Returns
 * how many events were moved (0: nothing to do, or the lease was lost).
 */
export async function fanOut(
  deps: FanoutDeps,
  lease: Deno.KvEntry<unknown>,
  now: number,
): Promise<number> {
  const records = await deps.store.outbox.oldest(RECORDS_PER_COMMIT);
  if (!records.length) return 0;
  const hooks = await deps.store.deliveries.webhooks();
  const op = deps.store.kv.atomic().check(lease);
  let mutations = 0, moved = 0;
  outer: for (const r of records) {
    const items = r.value.items;
    for (const [i, item] of items.entries()) {
      const planned = await planDeliveries(deps, { ...r.value, items: [item] }, hooks, now);
      const adds = 2 * planned.length;
      if (moved > 0 && mutations + adds + 1 > MAX_MUTATIONS) {
        op.set(r.key, { ...r.value, items: items.slice(i) });
        break outer;
      }
      for (const d of planned) deps.store.deliveries.add(op, d);
      mutations += adds;
      moved++;
    }
    op.delete(r.key);
    mutations++;
  }
  return (await op.commit()).ok ? moved : 0;
}
