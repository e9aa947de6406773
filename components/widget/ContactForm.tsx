/**
 * The widget's two small forms: the pre-chat form an admin can turn on (name and email, each
 * optional or required), and the offline form that asks for an email when the customer wants a
 * person and nobody can answer now. Both store what they get on the visitor (PUT
 * /api/widget/profile), checked again by the server.
 */
import { useSignal } from "@preact/signals";
import type { ComponentChildren } from "preact";
import type { PreChatField } from "../../lib/contract/widget.ts";

export interface ContactFormProps {
  name: PreChatField;
  email: PreChatField;
  /** What the form says before its fields. */
  intro: ComponentChildren;
  submitLabel: string;
  /** Resolves when saved; rejects with a message to show. */
  onSubmit(contact: { name?: string; email?: string }): Promise<void>;
  /** Optional-only forms may be skipped. */
  onSkip?: () => void;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function ContactForm(props: ContactFormProps) {
  const error = useSignal<string | null>(null);
  const busy = useSignal(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const name = String(data.get("name") ?? "").trim();
    const email = String(data.get("email") ?? "").trim();
    if (props.name === "required" && !name) return void (error.value = "Please give your name.");
    if (props.email === "required" && !email) {
      return void (error.value = "Please give your email address.");
    }
    if (email && !EMAIL.test(email)) {
      return void (error.value = "That doesn't look like an email address.");
    }
    error.value = null;
    busy.value = true;
    try {
      await props.onSubmit({ name: name || undefined, email: email || undefined });
    } catch (e) {
      error.value = e instanceof Error ? e.message : "That didn't work. Please try again.";
    } finally {
      busy.value = false;
    }
  };
  const field = (id: "name" | "email", label: string, rule: PreChatField) =>
    rule !== "off" && (
      <div class="field">
        <label for={`wp-${id}`}>
          {label}
          {rule === "optional" && <span class="muted">(optional)</span>}
        </label>
        <input
          id={`wp-${id}`}
          name={id}
          type={id === "email" ? "email" : "text"}
          autocomplete={id}
          required={rule === "required"}
          maxLength={id === "email" ? 254 : 80}
        />
      </div>
    );
  return (
    <form class="wp-form" onSubmit={submit} noValidate>
      {props.intro}
      {field("name", "Name", props.name)}
      {field("email", "Email", props.email)}
      {error.value && <p class="form-error" role="alert">{error.value}</p>}
      <div class="wp-form-actions">
        {props.onSkip && <button type="button" class="link" onClick={props.onSkip}>Skip</button>}
        <button type="submit" class="primary" disabled={busy.value}>{props.submitLabel}</button>
      </div>
    </form>
  );
}
