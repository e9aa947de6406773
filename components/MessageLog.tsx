/**
 * The message history of one conversation as a live `log` region: confirmed messages in seq order,
 * then our sends still waiting for their ack (or failed, with a retry button), then who is typing.
 * Text is always rendered as text; only /help/… paths and http(s) links become links.
 */
import { type ComponentChildren, Fragment } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { ConversationModel, PendingSend } from "../lib/client/conversation.ts";
import type { Message } from "../lib/contract/types.ts";
import { Name } from "./Name.tsx";
import { AttachmentList } from "./Attachments.tsx";

export interface MessageLogProps {
  model: ConversationModel;
  /** Whose page this is: decides which side is "ours". */
  viewer: "customer" | "staff";
  selfId?: string;
  /** Shown when there are no messages yet. */
  empty?: ComponentChildren;
  /** Extra content under a confirmed message (the customer's "Did that answer…?" on bot answers). */
  below?: (message: Message) => ComponentChildren;
  /** The bot's name here, if not the one it wrote under (the website widget's setting). */
  botName?: string;
  /** Fetches files with this Bearer token (the widget's panel); undefined: the cookie. */
  token?: string | null;
}

const LINK = /(\/help\/[a-z0-9-]+|https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)])/g;

/** Text with links: every other piece of `split` is a match. */
export function linkify(text: string): ComponentChildren[] {
  return text.split(LINK).map((part, i) =>
    i % 2 === 1
      ? (
        <a
          href={part}
          rel="noopener noreferrer"
          target={part.startsWith("/") ? undefined : "_blank"}
        >
          {part}
        </a>
      )
      : part
  );
}

const time = (iso: string) =>
  new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

function Bubble(
  { message, ours, name, below, token }: {
    message: Message;
    ours: boolean;
    name: string;
    below?: ComponentChildren;
    token?: string | null;
  },
) {
  if (message.sender === "system") {
    return (
      <li class="msg system" data-seq={message.seq}>
        <span>{message.text}</span>
      </li>
    );
  }
  // A private note (agents only: the server never sends one to a customer) is marked as such.
  const note = message.private === true;
  const badge = note
    ? "Private note"
    : message.sender === "bot"
    ? "Bot"
    : message.sender === "agent"
    ? "Agent"
    : null;
  return (
    <li
      class={`msg ${message.sender} ${ours ? "ours" : "theirs"}${note ? " note" : ""}`}
      data-seq={message.seq}
    >
      <div class="meta">
        <span class="author">
          <Name name={name} />
        </span>
        {badge && <span class={`badge ${note ? "note" : message.sender}`}>{badge}</span>}
        <time dateTime={message.createdAt}>{time(message.createdAt)}</time>
      </div>
      {message.text && <div class="text">{linkify(message.text)}</div>}
      {message.attachments?.length
        ? <AttachmentList files={message.attachments} token={token} />
        : null}
      {below}
    </li>
  );
}

function PendingBubble(
  { entry, onRetry }: { entry: PendingSend; onRetry: (clientId: string) => void },
) {
  return (
    <li class={`msg ours pending ${entry.status}`} aria-busy={entry.status === "sending"}>
      <div class="text">{entry.text}</div>
      <div class="status">
        {entry.status === "sending" ? "Sending…" : (
          <>
            <span role="alert">Not sent: {entry.error}</span>{" "}
            <button type="button" class="link" onClick={() => onRetry(entry.clientId)}>
              Retry
            </button>
          </>
        )}
      </div>
    </li>
  );
}

export function MessageLog(
  { model, viewer, selfId, empty, below, botName, token }: MessageLogProps,
) {
  const list = useRef<HTMLDivElement>(null);
  const messages = model.messages.value;
  const pending = model.pending.value;
  const typing = model.typing.value;
  const draft = model.draft.value;
  const lastSeq = messages.at(-1)?.seq ?? 0;
  const readSeq = model.readSeq.value;
  const ours = (m: Message) =>
    viewer === "customer" ? m.sender === "customer" : m.sender === "agent" && m.authorId === selfId;

  useEffect(() => {
    const element = list.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [messages.length, pending.length, typing.length, draft]);

  const lastOurs = [...messages].reverse().find(ours);
  return (
    <div class="log-scroll" ref={list}>
      <ol role="log" aria-live="polite" aria-label="Messages" class="log">
        {messages.length === 0 && pending.length === 0 && empty && <li class="empty">{empty}</li>}
        {messages.map((m) => (
          <Bubble
            key={m.seq}
            message={m}
            ours={ours(m)}
            name={m.sender === "bot" && botName ? botName : m.authorName}
            below={below?.(m)}
            token={token}
          />
        ))}
        {lastOurs && readSeq >= lastOurs.seq && lastOurs.seq === lastSeq && (
          <li class="receipt" aria-label="Read">Seen</li>
        )}
        {pending.map((p) => (
          <PendingBubble
            key={p.clientId}
            entry={p}
            onRetry={(id) => model.retry(id)}
          />
        ))}
      </ol>
      {(typing.length > 0 || draft) && (
        <p class="typing" aria-live="off">
          <span class="dots" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
          {typing.length > 0
            ? (
              <>
                {typing.map((t, i) => (
                  <Fragment key={t.userId}>
                    {i > 0 && " and "}
                    <Name name={t.role === "bot" && botName ? botName : t.name} />
                  </Fragment>
                ))} {typing.length > 1 ? "are" : "is"} typing…
              </>
            )
            : "Writing a reply…"}
        </p>
      )}
    </div>
  );
}
