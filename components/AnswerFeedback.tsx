/**
 * "Did that answer your question?" under a bot answer in the customer chat: Yes / No, stored once
 * per answer (POST /api/conversations/:id/messages/:seq/feedback). After a vote, or when the
 * answer was rated before, it just says thanks.
 */
import { useSignal } from "@preact/signals";
import { api, ApiError } from "../lib/client/api.ts";

export interface AnswerFeedbackProps {
  conversationId: string;
  seq: number;
  /** The vote already stored for this answer, if any. */
  voted: boolean | undefined;
  onVoted(seq: number, helpful: boolean): void;
}

export function AnswerFeedback({ conversationId, seq, voted, onVoted }: AnswerFeedbackProps) {
  const busy = useSignal(false);
  const failure = useSignal<string | null>(null);
  if (voted !== undefined) {
    return <p class="answer-feedback done" role="status">Thanks for your feedback!</p>;
  }
  const vote = async (helpful: boolean) => {
    busy.value = true;
    failure.value = null;
    try {
      await api("POST", `/api/conversations/${conversationId}/messages/${seq}/feedback`, {
        helpful,
      });
      onVoted(seq, helpful);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) onVoted(seq, helpful);
      else failure.value = e instanceof ApiError ? e.message : "Could not send that.";
    } finally {
      busy.value = false;
    }
  };
  return (
    <div class="answer-feedback" role="group" aria-label="Did that answer your question?">
      <span>Did that answer your question?</span>
      <button type="button" class="small" disabled={busy.value} onClick={() => vote(true)}>
        Yes
      </button>
      <button type="button" class="small" disabled={busy.value} onClick={() => vote(false)}>
        No
      </button>
      {failure.value && <span role="alert" class="form-error">{failure.value}</span>}
    </div>
  );
}
