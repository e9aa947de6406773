/**
 * The visitor's conversations in the widget, newest first, each with its last message and unread
 * count; resolved ones open read-only. "New conversation" starts afresh.
 */
import type { Conversation } from "../../lib/contract/types.ts";

export interface ConversationPickerProps {
  conversations: Conversation[];
  unread: Record<string, number>;
  botName: string;
  onOpen(id: string): void;
  onNew(): void;
}

const when = (iso: string) => {
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString()
    ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleDateString([], { day: "numeric", month: "short" });
};

function state(c: Conversation): string {
  if (c.status === "resolved") return "Resolved";
  if (c.mode === "waiting") return "Waiting for a person";
  if (c.mode === "human") return c.assigneeName ?? "With a person";
  return "Open";
}

export function ConversationPicker(props: ConversationPickerProps) {
  const { conversations, unread } = props;
  return (
    <section class="wp-list" aria-labelledby="wp-list-title">
      <div class="wp-list-head">
        <h2 id="wp-list-title">Your conversations</h2>
        <button type="button" class="primary small" onClick={props.onNew}>
          New conversation
        </button>
      </div>
      {conversations.length === 0 ? <p class="muted">No conversations yet.</p> : (
        <ul>
          {conversations.map((c) => {
            const last = c.lastMessage;
            const author = last?.sender === "bot" ? props.botName : last?.authorName;
            const count = c.status === "open" ? unread[c.id] ?? 0 : 0;
            return (
              <li key={c.id}>
                <button type="button" class="wp-item" onClick={() => props.onOpen(c.id)}>
                  <span class="wp-item-top">
                    <span class={`wp-state ${c.status}`}>{state(c)}</span>
                    <time dateTime={c.updatedAt}>{when(c.updatedAt)}</time>
                  </span>
                  <span class="wp-preview">
                    {!last
                      ? "No messages yet"
                      : last.sender === "system"
                      ? last.text
                      : `${author}: ${last.text}`}
                  </span>
                  {count > 0 && (
                    <span class="wp-unread" aria-label={`${count} unread`}>{count}</span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
