/**
 * Shown while a conversation waits for a person: honestly whether anyone on the team is online,
 * and, unless the visitor's email is known, a form for an address to reply to later.
 */
import { ContactForm } from "./ContactForm.tsx";

/** Nobody can take the conversation now: say so, and ask for an email to reply to later. */
export function OfflineNotice(
  { online, email, onSave }: {
    online: boolean;
    email: string | null;
    onSave(email: string): Promise<void>;
  },
) {
  const situation = online
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
