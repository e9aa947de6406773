/**
 * The agent console's list: filter tabs with the server's counts, then one row per conversation,
 * and the next page when the end scrolls into view.
 */
import type { Conversation } from "../lib/contract/types.ts";
import type { ComponentChildren } from "preact";
import { Name } from "./Name.tsx";
import { LoadMore } from "./LoadMore.tsx";

export type Filter = "waiting" | "mine" | "bot" | "open" | "resolved";

export const FILTERS: { id: Filter; label: string }[] = [
  { id: "waiting", label: "Waiting" },
  { id: "mine", label: "Mine" },
  { id: "bot", label: "With bot" },
  { id: "open", label: "All open" },
  { id: "resolved", label: "Resolved" },
];

/** Each tab's filter, as GET /api/conversations takes it. */
export const FILTER_QUERIES: Record<Filter, string> = {
  waiting: "status=open&mode=waiting",
  mine: "status=open&assignee=me",
  bot: "status=open&mode=bot",
  open: "status=open",
  resolved: "status=resolved",
};

export function matches(filter: Filter, c: Conversation, selfId: string): boolean {
  switch (filter) {
    case "waiting":
      return c.status === "open" && c.mode === "waiting";
    case "mine":
      return c.status === "open" && c.assigneeId === selfId;
    case "bot":
      return c.status === "open" && c.mode === "bot";
    case "open":
      return c.status === "open";
    case "resolved":
      return c.status === "resolved";
  }
}

export function modeLabel(c: Conversation): ComponentChildren {
  if (c.status === "resolved") return "Resolved";
  if (c.mode === "bot") return "With bot";
  if (c.mode === "waiting") return "Waiting";
  return c.assigneeName ? <Name name={c.assigneeName} /> : "Agent";
}

const ago = (iso: string) => {
  const minutes = Math.round((Date.now() - Date.parse(iso)) / 60_000);
  if (minutes < 1) return "now";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 24 ? `${hours} h` : new Date(iso).toLocaleDateString();
};

export interface ConversationListProps {
  conversations: Conversation[];
  counts: Record<Filter, number>;
  filter: Filter;
  selected: string | null;
  unread: (c: Conversation) => number;
  /** More pages to load, one loading, the last one failed. */
  hasMore: boolean;
  loading: boolean;
  error: string | null;
  onFilter(filter: Filter): void;
  onOpen(id: string): void;
  onMore(): void;
}

export function ConversationList(props: ConversationListProps) {
  const { conversations, counts, filter, selected, unread } = props;
  return (
    <section class="inbox" aria-labelledby="inbox-title">
      <h2 id="inbox-title" class="visually-hidden">Conversations</h2>
      <div class="filters" role="group" aria-label="Filter conversations">
        {FILTERS.map((f) => (
          <button
            key={f.id}
            type="button"
            class="chip"
            aria-pressed={filter === f.id}
            onClick={() => props.onFilter(f.id)}
          >
            {f.label} <span class="count">{counts[f.id]}</span>
          </button>
        ))}
      </div>
      {conversations.length === 0
        ? (
          <p class="muted inbox-empty">
            {props.loading || props.hasMore ? "Loading…" : "Nothing here right now."}
          </p>
        )
        : (
          <ul class="conversation-list" aria-label="Conversations">
            {conversations.map((c) => {
              const count = unread(c);
              return (
                <li key={c.id}>
                  <a
                    href={`#c=${c.id}`}
                    class={`conversation-row ${selected === c.id ? "selected" : ""}`}
                    aria-current={selected === c.id ? "true" : undefined}
                    onClick={(e) => {
                      e.preventDefault();
                      props.onOpen(c.id);
                    }}
                  >
                    <span class="row-top">
                      <span class="row-customer">
                        <Name name={c.customerName} />
                      </span>
                      <span class={`mode-pill mode-${c.status === "open" ? c.mode : "resolved"}`}>
                        {modeLabel(c)}
                      </span>
                      <time dateTime={c.updatedAt}>{ago(c.updatedAt)}</time>
                    </span>
                    <span class="row-bottom">
                      <span class="preview">
                        {c.lastMessage && (
                          <>
                            <Name name={c.lastMessage.authorName} />:{" "}
                            <bdi>{c.lastMessage.text}</bdi>
                          </>
                        )}
                      </span>
                      {count > 0 && (
                        <span class="unread" aria-label={`${count} unread`}>{count}</span>
                      )}
                    </span>
                  </a>
                </li>
              );
            })}
          </ul>
        )}
      <LoadMore
        hasMore={props.hasMore}
        loading={props.loading}
        error={props.error}
        onMore={props.onMore}
      />
    </section>
  );
}
