/**
 * The customer chat on `/`. Works as a guest at once: the first message (or "Talk to a human")
 * creates a guest identity and a conversation through the API; the guest's token is kept in
 * localStorage so that signing in or registering later can claim the conversation
 * (POST /api/auth/claim, see lib/auth/claim.ts). Other tabs of the same browser pick up a new
 * conversation through the `storage` event.
 */
import { useComputed, useSignal, useSignalEffect } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { ComponentChildren } from "preact";
import type { Conversation, Message, User } from "../lib/contract/types.ts";
import { api, ApiError, browserTimeZone } from "../lib/client/api.ts";
import { type ChatSocket, sharedSocket } from "../lib/client/chat_socket.ts";
import { ConversationModel } from "../lib/client/conversation.ts";
import { CONVERSATION_KEY, GUEST_TOKEN_KEY } from "../lib/client/storage.ts";
import { MessageLog } from "../components/MessageLog.tsx";
import { Composer } from "../components/Composer.tsx";
import { AttachFiles } from "../components/Attachments.tsx";
import { ConnectionBanner } from "../components/ConnectionBanner.tsx";
import { AnswerFeedback } from "../components/AnswerFeedback.tsx";
import { useAnswerVotes } from "../components/answer_votes.ts";
import { Name } from "../components/Name.tsx";
import { RatingForm } from "../components/RatingForm.tsx";

export interface ChatAppProps {
  user: User | null;
  conversation: Conversation | null;
  messages: Message[];
  botName: string;
  businessName: string;
}

const statusText = (
  c: Conversation | null,
  botName: string,
  position: number | null,
): ComponentChildren => {
  if (!c) return `Ask ${botName} anything, or talk to a person.`;
  if (c.status === "resolved") return "This conversation is resolved. Write to start a new one.";
  if (c.mode === "waiting") {
    return position === null
      ? "Waiting for an agent… You're in the queue; stay on this page."
      : `Waiting for an agent… You're number ${position} in line; stay on this page.`;
  }
  if (c.mode === "human") {
    return (
      <>You're chatting with {c.assigneeName ? <Name name={c.assigneeName} /> : "an agent"}.</>
    );
  }
  return `You're chatting with ${botName}.`;
};

export default function ChatApp(props: ChatAppProps) {
  const user = useSignal(props.user);
  const selfId = () => user.peek()?.id;
  const model = useSignal<ConversationModel | null>(
    props.conversation
      ? new ConversationModel(sharedSocket, props.conversation, props.messages, selfId)
      : null,
  );
  const error = useSignal<string | null>(null);
  const notice = useSignal<string | null>(null);
  const busy = useSignal(false);
  // Opened in the browser only (never while rendering on the server).
  const socket = useSignal<ChatSocket | null>(null);

  const adopt = (conversation: Conversation, messages: Message[]) => {
    socket.value ??= sharedSocket();
    if (model.peek()?.id === conversation.id) return;
    model.value = new ConversationModel(sharedSocket, conversation, messages, selfId);
  };

  useEffect(() => {
    if (props.user) socket.value = sharedSocket();
    const onStorage = (event: StorageEvent) => {
      if (event.key !== CONVERSATION_KEY || !event.newValue) return;
      const id = event.newValue;
      Promise.all([
        api<{ conversation: Conversation }>("GET", `/api/conversations/${id}`),
        api<{ user: User }>("GET", "/api/auth/me"),
      ]).then(([{ conversation }, me]) => {
        user.value = me.user;
        adopt(conversation, []);
      }).catch(() => {});
    };
    addEventListener("storage", onStorage);
    return () => removeEventListener("storage", onStorage);
  }, []);

  useSignalEffect(() => {
    const current = model.value;
    if (!current) return;
    return current.attach();
  });

  useSignalEffect(() => {
    if (socket.value?.state.value === "signed-out") location.reload();
  });

  // Read receipts while the page is visible.
  useSignalEffect(() => {
    const current = model.value;
    if (current && current.messages.value.length && document.visibilityState === "visible") {
      current.markRead();
    }
  });

  /** The open conversation, creating the guest and the conversation first if needed. */
  // One conversation is started at a time: a send and a pasted file right after it share it.
  const starting = useRef<Promise<ConversationModel> | null>(null);
  const ensureConversation = (): Promise<ConversationModel> => {
    const current = model.peek();
    if (current && current.conversation.peek().status === "open") return Promise.resolve(current);
    starting.current ??= startConversation().finally(() => starting.current = null);
    return starting.current;
  };
  const startConversation = async (): Promise<ConversationModel> => {
    if (!user.peek()) {
      const issued = await api<{ user: User; token: string }>("POST", "/api/auth/guest", {
        timeZone: browserTimeZone(),
      });
      localStorage.setItem(GUEST_TOKEN_KEY, issued.token);
      user.value = issued.user;
    }
    const { conversation } = await api<{ conversation: Conversation }>(
      "POST",
      "/api/conversations",
    );
    localStorage.setItem(CONVERSATION_KEY, conversation.id);
    adopt(conversation, []);
    return model.peek()!;
  };

  const run = async (action: () => Promise<void>) => {
    error.value = null;
    busy.value = true;
    try {
      await action();
    } catch (e) {
      error.value = e instanceof ApiError ? e.message : "Something went wrong. Please try again.";
    } finally {
      busy.value = false;
    }
  };

  const votes = useAnswerVotes(model);
  const conversation = useComputed(() => model.value?.conversation.value ?? null);
  const mode = conversation.value?.status === "open" ? conversation.value.mode : null;

  return (
    <div class="chat">
      {socket.value && <ConnectionBanner socket={socket.value} />}
      <p class={`chat-status mode-${mode ?? "none"}`} role="status">
        {statusText(conversation.value, props.botName, model.value?.queuePosition.value ?? null)}
      </p>
      {model.value
        ? (
          <MessageLog
            model={model.value}
            viewer="customer"
            below={(m) =>
              votes.isAnswer(m) && (
                <AnswerFeedback
                  conversationId={m.conversationId}
                  seq={m.seq}
                  voted={votes.voted.value[m.seq]}
                  onVoted={votes.record}
                />
              )}
          />
        )
        : (
          <div class="log-scroll">
            <ol role="log" aria-live="polite" aria-label="Messages" class="log">
              <li class="empty">
                <strong>Hi! 👋</strong> Welcome to {props.businessName} support. Ask {props.botName}
                {" "}
                a question, or ask for a person at any time. No sign-up needed.
              </li>
            </ol>
          </div>
        )}
      {conversation.value?.status === "resolved" &&
        user.value?.id === conversation.value.customerId &&
        <RatingForm conversationId={conversation.value.id} />}
      {error.value && <p class="form-error" role="alert">{error.value}</p>}
      {notice.value && <p class="form-notice" role="status">{notice.value}</p>}
      <Composer
        onSend={(text) =>
          run(async () => {
            const target = await ensureConversation();
            target.send(text);
          })}
        onInput={(text) => model.peek()?.inputChanged(text)}
      >
        <AttachFiles conversationId={async () => (await ensureConversation()).id} />
        <button
          type="button"
          class="secondary"
          disabled={busy.value || mode === "waiting" || mode === "human"}
          onClick={() =>
            run(async () => {
              const target = await ensureConversation();
              const { conversation } = await api<{ conversation: Conversation }>(
                "POST",
                `/api/conversations/${target.id}/handoff`,
              );
              target.conversation.value = conversation;
            })}
        >
          Talk to a human
        </button>
        {model.value && (
          <button
            type="button"
            class="secondary"
            disabled={busy.value}
            onClick={() =>
              run(async () => {
                notice.value = null;
                const { to } = await api<{ to: string }>(
                  "POST",
                  `/api/conversations/${model.peek()!.id}/transcript`,
                );
                notice.value = `The transcript is on its way to ${to}.`;
              })}
          >
            Email me the transcript
          </button>
        )}
      </Composer>
    </div>
  );
}
