/**
 * Sign-in and registration forms (/login, /register, /agent/login). Fields are checked with the
 * same zod schemas as the API. After a customer signs in or registers, the conversation they had
 * as a guest is claimed (POST /api/auth/claim with the guest token kept by the chat), so nothing
 * is lost.
 */
import { useSignal } from "@preact/signals";
import { loginBody, registerBody } from "../lib/contract/schemas.ts";
import type { User } from "../lib/contract/types.ts";
import { api, ApiError } from "../lib/client/api.ts";
import { GUEST_TOKEN_KEY } from "../lib/client/storage.ts";
import { localNext } from "../lib/next_path.ts";

export interface AuthFormProps {
  kind: "login" | "register" | "agent";
  /** Where to go afterwards; kept only if it stays on this site (lib/next_path.ts). */
  next?: string;
}

type Field = "name" | "email" | "password";

async function claimGuestConversation(): Promise<void> {
  const guestToken = localStorage.getItem(GUEST_TOKEN_KEY);
  if (!guestToken) return;
  try {
    await api("POST", "/api/auth/claim", { guestToken });
  } catch {
    // The guest session expired or was claimed already: nothing left to carry over.
  }
  localStorage.removeItem(GUEST_TOKEN_KEY);
}

export default function AuthForm({ kind, next }: AuthFormProps) {
  const errors = useSignal<Partial<Record<Field, string>>>({});
  const failure = useSignal<string | null>(null);
  const busy = useSignal(false);
  const register = kind === "register";

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const input = Object.fromEntries(
      (register ? ["name", "email", "password"] : ["email", "password"]).map((k) => [
        k,
        String(form.get(k) ?? ""),
      ]),
    );
    const parsed = (register ? registerBody : loginBody).safeParse(input);
    failure.value = null;
    if (!parsed.success) {
      const found: Partial<Record<Field, string>> = {};
      for (const issue of parsed.error.issues) found[issue.path[0] as Field] ??= issue.message;
      errors.value = found;
      return;
    }
    errors.value = {};
    busy.value = true;
    try {
      const { user } = await api<{ user: User }>(
        "POST",
        register ? "/api/auth/register" : "/api/auth/login",
        parsed.data,
      );
      const staff = user.role === "agent" || user.role === "admin";
      if (kind === "agent" && !staff) {
        failure.value = "This sign-in is for agents. Customers sign in at /login.";
        return;
      }
      if (!staff) await claimGuestConversation();
      location.assign(localNext(next, location.origin) ?? (staff ? "/agent" : "/"));
    } catch (e) {
      failure.value = e instanceof ApiError ? e.message : "Something went wrong. Please try again.";
    } finally {
      busy.value = false;
    }
  };

  const field = (name: Field, label: string, type: string, autocomplete: string) => (
    <div class="field">
      <label for={`f-${name}`}>{label}</label>
      <input
        id={`f-${name}`}
        name={name}
        type={type}
        autocomplete={autocomplete}
        required
        aria-invalid={errors.value[name] ? true : undefined}
        aria-describedby={errors.value[name] ? `f-${name}-error` : undefined}
      />
      {errors.value[name] && (
        <p id={`f-${name}-error`} class="field-error">{label} {errors.value[name]}.</p>
      )}
    </div>
  );

  return (
    <form class="auth-form" method="post" onSubmit={submit} noValidate>
      {register && field("name", "Name", "text", "name")}
      {field("email", "Email", "email", kind === "agent" ? "username" : "email")}
      {field("password", "Password", "password", register ? "new-password" : "current-password")}
      {failure.value && <p class="form-error" role="alert">{failure.value}</p>}
      <button type="submit" class="primary wide" disabled={busy.value}>
        {register ? "Create account" : "Sign in"}
      </button>
    </form>
  );
}
