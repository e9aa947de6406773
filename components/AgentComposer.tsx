/**
 * The agent's composer: the shared Composer plus a **Private note** switch (a note goes to agents
 * only: POST …/messages {private: true}) and the canned-reply picker. Typing `/` as the whole
 * message opens a list of the team's and the agent's own replies filtered by what follows
 * (ArrowUp/ArrowDown move, Enter or a click picks, Escape closes); the pick replaces the text with
 * the reply, placeholders filled ({{customer.name}}, {{customer.email}}, {{agent.name}}), and
 * anything still unfilled is filled again just before sending.
 */
import { type Signal, useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { Composer } from "./Composer.tsx";
import { api, ApiError } from "../lib/client/api.ts";
import type { CannedReply } from "../lib/contract/canned.ts";
import { fillPlaceholders, filterReplies, slashQuery } from "../lib/client/canned.ts";
import type { User } from "../lib/contract/types.ts";

export interface AgentComposerProps {
  conversationId: string;
  customerId: string;
  customerName: string;
  self: User;
  disabled: boolean;
  placeholder: string;
  text: Signal<string>;
  /** A reply to the customer (the conversation model sends it over the socket). */
  onReply(text: string): void;
  onInput(text: string): void;
  /** Typing in a private note (colleagues see "writing a note"; the customer sees nothing). */
  onNoteInput?(typing: boolean): void;
  /** The file picker: replies only (a file is served to the customer, so never in a note). */
  attach?: preact.ComponentChildren;
  children?: preact.ComponentChildren;
}

/** The caller's canned replies, fetched once per page (they change rarely). */
let cache: Promise<CannedReply[]> | null = null;
const loadReplies = () =>
  cache ??= api<{ cannedReplies: CannedReply[] }>("GET", "/api/canned-replies")
    .then((r) => r.cannedReplies)
    .catch(() => (cache = null, []));

export function AgentComposer(props: AgentComposerProps) {
  const note = useSignal(false);
  const replies = useSignal<CannedReply[]>([]);
  const active = useSignal(0);
  const closed = useSignal(false);
  const error = useSignal<string | null>(null);
  const email = useSignal<string | null>(null);
  useEffect(() => {
    email.value = null;
    api<{ user: { email?: string } }>("GET", `/api/customers/${props.customerId}`)
      .then((r) => email.value = r.user.email ?? null).catch(() => {});
  }, [props.customerId]);

  const query = slashQuery(props.text.value);
  useEffect(() => {
    if (query !== null) loadReplies().then((list) => replies.value = list);
    else closed.value = false;
  }, [query !== null]);
  const shown = query === null || closed.value ? [] : filterReplies(replies.value, query);
  const fill = (text: string) =>
    fillPlaceholders(text, {
      customer: { name: props.customerName, email: email.value },
      agent: { name: props.self.name },
    });
  const pick = (r: CannedReply) => {
    props.text.value = fill(r.text);
    active.value = 0;
  };

  const send = async (raw: string) => {
    const text = fill(raw);
    error.value = null;
    if (!note.value) return props.onReply(text);
    try {
      await api("POST", `/api/conversations/${props.conversationId}/messages`, {
        text,
        private: true,
      });
    } catch (e) {
      props.text.value = raw;
      error.value = e instanceof ApiError ? e.message : "The note was not saved; try again.";
    }
  };

  const onKey = (e: KeyboardEvent): boolean => {
    if (!shown.length) return false;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      const step = e.key === "ArrowDown" ? 1 : -1;
      active.value = (Math.min(active.value, shown.length - 1) + step + shown.length) %
        shown.length;
    } else if (e.key === "Enter" && !e.shiftKey) {
      pick(shown[Math.min(active.value, shown.length - 1)]);
    } else if (e.key === "Escape") {
      closed.value = true;
    } else return false;
    e.preventDefault();
    return true;
  };

  const current = Math.min(active.value, shown.length - 1);
  return (
    <Composer
      class={note.value ? "note" : ""}
      disabled={props.disabled}
      placeholder={note.value
        ? "Private note: only agents see it. @Name tells a colleague."
        : props.placeholder}
      onSend={send}
      onInput={(text) => {
        active.value = 0;
        closed.value = false; // typing after Escape asks again
        if (!note.value) props.onInput(text);
        else props.onNoteInput?.(text.trim() !== "");
      }}
      onKey={onKey}
      text={props.text}
      textareaProps={{
        "aria-controls": shown.length ? "canned-list" : undefined,
        "aria-expanded": shown.length ? true : undefined,
        "aria-activedescendant": shown.length ? `canned-${shown[current].id}` : undefined,
      }}
      above={shown.length > 0 && (
        <ul id="canned-list" role="listbox" aria-label="Canned replies" class="canned-list">
          {shown.map((r, i) => (
            <li
              key={r.id}
              id={`canned-${r.id}`}
              role="option"
              aria-selected={i === current}
              class={i === current ? "active" : ""}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(r);
              }}
            >
              <strong>/{r.shortcut}</strong> {r.title}
              {r.scope === "personal" && <span class="muted">· yours</span>}
            </li>
          ))}
        </ul>
      )}
    >
      <label class="note-toggle">
        <input
          type="checkbox"
          data-shortcut="note"
          checked={note.value}
          onChange={(e) => note.value = e.currentTarget.checked}
        />{" "}
        Private note
      </label>
      {!note.value && props.attach}
      {props.children}
      {error.value && <span class="field-error" role="alert">{error.value}</span>}
    </Composer>
  );
}
