/** A "Sign out" button: ends the session (POST /api/auth/logout) and goes to `to`. */
import { api } from "../lib/client/api.ts";
import { CONVERSATION_KEY } from "../lib/client/storage.ts";

export default function SignOut({ to = "/" }: { to?: string }) {
  const signOut = async () => {
    try {
      await api("POST", "/api/auth/logout");
    } finally {
      localStorage.removeItem(CONVERSATION_KEY);
      location.assign(to);
    }
  };
  return <button type="button" class="link" onClick={signOut}>Sign out</button>;
}
