/**
 * The message box: a textarea named "Message" and a "Send" button. Enter sends, Shift+Enter adds a
 * line. Typing is reported (throttled) through the conversation model. Until the page's script has
 * taken over (hydration), Send stays disabled — a click before it would submit the bare form and
 * reload the page, losing the text; the islands' client keeps text typed meanwhile
 * (lib/islands/client.ts).
 */
import { type Signal, useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { longerThan, MAX_MESSAGE_LENGTH, MAX_MESSAGE_UNITS } from "../lib/contract/text.ts";

export interface ComposerProps {
  onSend(text: string): void;
  onInput?(text: string): void;
  disabled?: boolean;
  placeholder?: string;
  /** Extra controls shown beside Send (e.g. "Talk to a human"). */
  children?: preact.ComponentChildren;
  /** The text being written, when the caller fills it too (the agent's "Suggest reply"). */
  text?: Signal<string>;
  /** A key in the textarea; returning true means the caller handled it (the `/` picker). */
  onKey?(e: KeyboardEvent): boolean;
  /** Shown above the textarea (the canned-reply picker). */
  above?: preact.ComponentChildren;
  /** Extra class names (e.g. "note" while writing a private note). */
  class?: string;
  /** The textarea's accessible description (the picker it controls). */
  textareaProps?: Record<string, string | boolean | undefined>;
}

export function Composer(
  { onSend, onInput, disabled, placeholder, children, text: shared, ...more }: ComposerProps,
) {
  const own = useSignal("");
  const text = shared ?? own;
  const hydrated = useSignal(false);
  useEffect(() => {
    hydrated.value = true;
  }, []);
  // Characters as people count them (an emoji is one), as the server does.
  const tooLong = text.value.length > MAX_MESSAGE_UNITS ||
    longerThan(text.value, MAX_MESSAGE_LENGTH);
  const submit = (event?: Event) => {
    event?.preventDefault();
    const value = text.value.trim();
    if (!value || tooLong || disabled) return;
    onSend(value);
    text.value = "";
  };
  return (
    <form class={`composer ${more.class ?? ""}`} onSubmit={submit}>
      {more.above}
      <textarea
        {...more.textareaProps}
        aria-label="Message"
        name="message"
        rows={1}
        placeholder={placeholder ?? "Write a message…"}
        value={text.value}
        disabled={disabled}
        aria-invalid={tooLong}
        aria-describedby={tooLong ? "composer-error" : undefined}
        onInput={(e) => {
          text.value = e.currentTarget.value;
          onInput?.(text.value);
        }}
        onKeyDown={(e) => {
          if (more.onKey?.(e)) return;
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
        }}
      />
      <div class="composer-actions">
        {children}
        <button type="submit" class="primary" disabled={disabled || tooLong || !hydrated.value}>
          Send
        </button>
      </div>
      {tooLong && (
        <p id="composer-error" class="field-error" role="alert">
          Messages are at most {MAX_MESSAGE_LENGTH.toLocaleString("en")} characters.
        </p>
      )}
    </form>
  );
}
