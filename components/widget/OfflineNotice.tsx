/**
 * Shown while a conversation waits for a person: honestly whether anyone on the team is online,
 * and, unless the visitor's email is known, a form for an address to reply to later.
 */
import { ContactForm } from "./ContactForm.tsx";

/** Nobody can take the conversation now: say so, and ask for an email to reply to later. */
export function OfflineNotice(
  { online, open = true, reopens = null, email, onSave }: {
    online: boolean;
    /** Within business hours; when not, `reopens` says when the team is back. */
    open?: boolean;
    reopens?: string | null;
    email: string | null;
    onSave(email: string): Promise<void>;
  },
) {
  const situation = !open
    ? `Our team is away right now${reopens ? ` and back ${reopens}` : ""}.`
    : online
    ? "Everyone on the team is busy right now. You're in the queue, and the assistant keeps " +
      "helping meanwhile."
    : "Nobody from the team is online right now, so no one can answer here at the moment.";
  if (email) {
    return (
      <p class="wp-offline" role="status">
        {situation} If you leave, we'll reply to {email}.
      </p>
    );
  }
  return (
    <div class="wp-offline">
      <ContactForm
        name="off"
        email="required"
        intro={<p>{situation} Leave your email and we'll reply there when someone is back.</p>}
        submitLabel="Save email"
        onSubmit={({ email }) => onSave(email!)}
      />
    </div>
  );
}
