/**
 * The console's search (GET /api/search): a search field **Search conversations**; its results,
 * newest first, each naming the customer and the matching snippet (a private note says so), open
 * the conversation. Text is rendered as text.
 */
import { useSignal } from "@preact/signals";
import { api, ApiError } from "../lib/client/api.ts";
import type { Conversation, Message } from "../lib/contract/types.ts";
import { Name } from "./Name.tsx";

interface Result {
  conversation: Conversation;
  message?: Message;
  snippet: string;
}

export function SearchBox({ onOpen }: { onOpen(id: string): void }) {
  const q = useSignal("");
  const results = useSignal<Result[] | null>(null);
  const error = useSignal<string | null>(null);
  const run = async (e: Event) => {
    e.preventDefault();
    const query = q.value.trim();
    if (!query) return results.value = null;
    error.value = null;
    try {
      const found = await api<{ results: Result[] }>(
        "GET",
        `/api/search?q=${encodeURIComponent(query)}`,
      );
      results.value = found.results;
    } catch (err) {
      error.value = err instanceof ApiError ? err.message : "Search failed; try again.";
    }
  };
  return (
    <div class="search">
      <form role="search" onSubmit={run}>
        <input
          type="search"
          aria-label="Search conversations"
          placeholder="Search messages, names, emails…"
          maxLength={500}
          value={q.value}
          onInput={(e) => {
            q.value = e.currentTarget.value;
            if (!q.value) results.value = null;
          }}
        />
      </form>
      {error.value && <p class="field-error" role="alert">{error.value}</p>}
      {results.value && (
        <ul class="search-results" aria-label="Search results">
          {results.value.length === 0 && <li class="muted">Nothing found.</li>}
          {results.value.map((r) => (
            <li key={r.conversation.id}>
              <a
                href={`#c=${r.conversation.id}`}
                onClick={(e) => {
                  e.preventDefault();
                  results.value = null;
                  onOpen(r.conversation.id);
                }}
              >
                <strong>
                  <Name name={r.conversation.customerName} />
                </strong>{" "}
                {r.message?.private && <span class="badge note">Private note</span>}{" "}
                <span class="snippet">{r.snippet}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
