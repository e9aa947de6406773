/**
 * The customer's votes on the bot's answers in the open conversation: which bot messages are
 * answers (they cite a help-center article), and the votes already stored (fetched when the
 * conversation changes), so "Did that answer your question?" is asked once per answer.
 */
import { type Signal, useSignal, useSignalEffect } from "@preact/signals";
import type { Message } from "../lib/contract/types.ts";
import type { ConversationModel } from "../lib/client/conversation.ts";
import { api } from "../lib/client/api.ts";

const CITES = /\/help\/[a-z0-9]/;

export function useAnswerVotes(model: Signal<ConversationModel | null>) {
  const voted = useSignal<Record<number, boolean>>({});
  useSignalEffect(() => {
    const id = model.value?.id;
    voted.value = {};
    if (!id) return;
    let live = true;
    api<{ feedback: { seq: number; helpful: boolean }[] }>(
      "GET",
      `/api/conversations/${id}/feedback`,
    )
      .then(({ feedback }) => {
        if (live) {
          voted.value = {
            ...Object.fromEntries(feedback.map((f) => [f.seq, f.helpful])),
            ...voted.peek(),
          };
        }
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  });
  return {
    voted,
    /** A bot answer from the help center (not the greeting, not "I'm not sure"). */
    isAnswer: (m: Message) => m.sender === "bot" && m.seq > 1 && CITES.test(m.text),
    record: (seq: number, helpful: boolean) => {
      voted.value = { ...voted.peek(), [seq]: helpful };
    },
  };
}
