/**
 * CSAT in the customer's chat (the page `/` and the widget's panel): once the conversation is
 * resolved, "How did we do?" — five choices (1 to 5) and an optional comment, sent once
 * (POST /api/conversations/:id/rating). It reads any earlier rating first (GET …/rating), so a
 * reload shows "Thanks" instead of asking again. `token`: the widget's Bearer (undefined on `/`).
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError } from "../lib/client/api.ts";
import { MAX_RATING_COMMENT, type Rating } from "../lib/contract/types.ts";

export interface RatingFormProps {
  conversationId: string;
  token?: string | null;
}

const LABELS = ["Very bad", "Bad", "OK", "Good", "Very good"];

export function RatingForm({ conversationId, token }: RatingFormProps) {
  const rated = useSignal<Rating | null | undefined>(undefined);
  const score = useSignal<number | null>(null);
  const comment = useSignal("");
  const busy = useSignal(false);
  const failure = useSignal<string | null>(null);
  const auth = token === undefined ? {} : { token };

  useEffect(() => {
    let live = true;
    rated.value = undefined;
    api<{ rating: Rating | null }>(
      "GET",
      `/api/conversations/${conversationId}/rating`,
      undefined,
      auth,
    )
      .then(({ rating }) => live && (rated.value = rating))
      .catch(() => live && (rated.value = null));
    return () => {
      live = false;
    };
  }, [conversationId]);

  if (rated.value === undefined) return null;
  if (rated.value) {
    return (
      <p class="rating done" role="status">
        Thanks for rating this conversation ({rated.value.score} out of 5).
      </p>
    );
  }
  const submit = async (event: Event) => {
    event.preventDefault();
    if (score.value === null) {
      failure.value = "Choose a rating from 1 to 5 first.";
      return;
    }
    busy.value = true;
    failure.value = null;
    try {
      const body = comment.value.trim()
        ? { score: score.value, comment: comment.value }
        : { score: score.value };
      const res = await api<{ rating: Rating }>(
        "POST",
        `/api/conversations/${conversationId}/rating`,
        body,
        auth,
      );
      rated.value = res.rating;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && e.message.includes("already")) {
        rated.value = { score: score.value } as Rating;
      } else failure.value = e instanceof ApiError ? e.message : "Could not send your rating.";
    } finally {
      busy.value = false;
    }
  };
  return (
    <form class="rating" aria-label="Rate this conversation" onSubmit={submit}>
      <fieldset>
        <legend>How did we do?</legend>
        <div class="rating-scores">
          {LABELS.map((label, i) => (
            <label key={i} class={score.value === i + 1 ? "chosen" : ""}>
              <input
                type="radio"
                name={`score-${conversationId}`}
                value={i + 1}
                checked={score.value === i + 1}
                onChange={() => score.value = i + 1}
                aria-label={`${i + 1} – ${label}`}
              />
              <span aria-hidden="true">{i + 1}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <label class="rating-comment">
        Comment (optional)
        <textarea
          maxLength={MAX_RATING_COMMENT}
          rows={2}
          value={comment.value}
          onInput={(e) => comment.value = (e.target as HTMLTextAreaElement).value}
        />
      </label>
      <button type="submit" class="primary small" disabled={busy.value}>Send rating</button>
      {failure.value && <p role="alert" class="form-error">{failure.value}</p>}
    </form>
  );
}
