/**
 * The agent's "Suggest reply" button: asks for a draft (POST /api/conversations/:id/suggest:
 * Gemini's, or the best help-center passage) and puts it in the composer for the agent to edit and
 * send. It never sends anything itself. Matching canned replies, when there are any, are offered
 * as buttons that fill the composer the same way.
 */
import { useSignal } from "@preact/signals";
import type { Suggestion } from "../lib/contract/bot.ts";
import { api, ApiError } from "../lib/client/api.ts";

export interface SuggestReplyProps {
  conversationId: string;
  disabled?: boolean;
  /** Puts text in the composer (replacing what is there). */
  onDraft(text: string): void;
}

export function SuggestReply({ conversationId, disabled, onDraft }: SuggestReplyProps) {
  const busy = useSignal(false);
  const note = useSignal<string | null>(null);
  const canned = useSignal<Suggestion["cannedReplies"]>([]);
  const suggest = async () => {
    busy.value = true;
    note.value = null;
    try {
      const { suggestion } = await api<{ suggestion: Suggestion }>(
        "POST",
        `/api/conversations/${conversationId}/suggest`,
      );
      canned.value = suggestion.cannedReplies;
      if (suggestion.text) onDraft(suggestion.text);
      note.value = suggestion.source === "none"
        ? "No suggestion: nothing in the help center matches this conversation."
        : suggestion.article
        ? `Draft from “${suggestion.article.title}”. Check it, then send.`
        : "Draft ready. Check it, then send.";
    } catch (e) {
      note.value = e instanceof ApiError ? e.message : "Could not get a suggestion.";
    } finally {
      busy.value = false;
    }
  };
  return (
    <>
      <button type="button" class="secondary" disabled={disabled || busy.value} onClick={suggest}>
        {busy.value ? "Suggesting…" : "Suggest reply"}
      </button>
      {canned.value.map((c) => (
        <button
          key={c.id}
          type="button"
          class="small"
          onClick={() => onDraft(c.text)}
        >
          {c.shortcut || c.title}
        </button>
      ))}
      {note.value && <span class="suggest-note muted" role="status">{note.value}</span>}
    </>
  );
}
