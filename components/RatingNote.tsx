/**
 * The customer's CSAT rating of a resolved conversation, for agents in the console (read with
 * GET /api/conversations/:id/rating when the conversation shows, and again when it is resolved).
 * The comment is rendered as text.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api } from "../lib/client/api.ts";
import type { Rating } from "../lib/contract/types.ts";

export function RatingNote(
  { conversationId, resolved }: { conversationId: string; resolved: boolean },
) {
  const rating = useSignal<Rating | null>(null);
  useEffect(() => {
    rating.value = null;
    if (!resolved) return;
    let live = true;
    api<{ rating: Rating | null }>("GET", `/api/conversations/${conversationId}/rating`)
      .then((r) => live && (rating.value = r.rating))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [conversationId, resolved]);
  if (!resolved) return null;
  const r = rating.value;
  return (
    <p class="rating-note" aria-label="Customer rating">
      {r
        ? (
          <>
            Customer rating: <strong>{r.score} out of 5</strong>
            {r.comment && <>— “{r.comment}”</>}
          </>
        )
        : <span class="muted">Not rated by the customer (yet).</span>}
    </p>
  );
}
