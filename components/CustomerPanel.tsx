/**
 * The customer panel beside the open conversation in the agent console: name, email, external id,
 * the customer-data API's facts, when they registered, the time where they are (their browser's
 * time zone, if it told us), their past conversations (click to open) and this conversation's
 * labels. Read from `GET /api/customers/:id` when the customer changes; everything is text.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { Conversation, User } from "../lib/contract/types.ts";
import { api } from "../lib/client/api.ts";
import { Name } from "./Name.tsx";

interface CustomerView {
  user: User;
  profile: Record<string, unknown>;
  conversations: Conversation[];
}

/** Profile fields the panel already shows by themselves. */
const SHOWN = new Set(["name", "email", "registeredAt", "externalId"]);

const factText = (v: unknown) =>
  typeof v === "string"
    ? v
    : typeof v === "number" || typeof v === "boolean"
    ? String(v)
    : JSON.stringify(v);

/** "14:05 (Europe/Paris)", ticking each minute; null when the zone is unknown or invalid. */
function useLocalTime(timeZone: string | undefined): string | null {
  const now = useSignal(Date.now());
  useEffect(() => {
    const timer = setInterval(() => now.value = Date.now(), 30_000);
    return () => clearInterval(timer);
  }, []);
  if (!timeZone) return null;
  try {
    const time = new Intl.DateTimeFormat([], {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      weekday: "short",
    }).format(now.value);
    return `${time} (${timeZone})`;
  } catch {
    return null;
  }
}

export function CustomerPanel(
  { conversation, onOpen }: { conversation: Conversation; onOpen(id: string): void },
) {
  const view = useSignal<CustomerView | null>(null);
  const customerId = conversation.customerId;
  useEffect(() => {
    let current = true;
    view.value = null;
    api<CustomerView>("GET", `/api/customers/${encodeURIComponent(customerId)}`)
      .then((body) => current && (view.value = body))
      .catch(() => {}); // extra information: the conversation works without it
    return () => current = false;
  }, [customerId]);
  const v = view.value;
  const localTime = useLocalTime(v?.user.timeZone);
  if (!v) return <aside class="customer-panel" aria-label="Customer" aria-busy="true" />;
  const { user } = v;
  const facts = Object.entries(v.profile ?? {}).filter(([k, x]) =>
    !SHOWN.has(k) && x !== null && x !== undefined && x !== ""
  );
  const past = v.conversations
    .filter((c) => c.id !== conversation.id)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  const labels = conversation.labels ?? [];
  return (
    <aside class="customer-panel" aria-label="Customer">
      <h3>
        <Name name={user.name} />
      </h3>
      <dl>
        <div>
          <dt>Email</dt>
          <dd>{user.email ?? "—"}</dd>
        </div>
        <div>
          <dt>External ID</dt>
          <dd>{user.externalId ?? "—"}</dd>
        </div>
        <div>
          <dt>{user.role === "guest" ? "First seen" : "Registered"}</dt>
          <dd>
            <time dateTime={user.createdAt}>{new Date(user.createdAt).toLocaleDateString()}</time>
          </dd>
        </div>
        <div>
          <dt>Local time</dt>
          <dd>{localTime ?? "Unknown"}</dd>
        </div>
        {facts.map(([k, x]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{factText(x)}</dd>
          </div>
        ))}
        <div>
          <dt>Labels</dt>
          <dd>{labels.length ? labels.join(", ") : "None"}</dd>
        </div>
      </dl>
      <h4>Past conversations</h4>
      {past.length
        ? (
          <ul class="past-conversations">
            {past.map((c) => (
              <li key={c.id}>
                <button type="button" class="link" onClick={() => onOpen(c.id)}>
                  {new Date(c.createdAt).toLocaleDateString()} · {c.status}
                  {c.lastMessage ? ` · ${c.lastMessage.text.slice(0, 60)}` : ""}
                </button>
              </li>
            ))}
          </ul>
        )
        : <p class="muted">None before this one.</p>}
    </aside>
  );
}
