/**
 * The admin page's "API tokens" card: tokens with their scopes and last use, creating one (its
 * secret shown once) and revoking one.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError } from "../lib/client/api.ts";
import { type ApiToken, TOKEN_SCOPES, tokenBody } from "../lib/contract/operations.ts";

const message = (e: unknown) => e instanceof ApiError ? e.message : "Something went wrong.";

export function TokensCard() {
  const tokens = useSignal<ApiToken[]>([]);
  const secret = useSignal<string | null>(null);
  const failure = useSignal<string | null>(null);

  const load = async () => {
    tokens.value = (await api<{ tokens: ApiToken[] }>("GET", "/api/tokens")).tokens;
  };
  useEffect(() => {
    load().catch((e) => failure.value = message(e));
  }, []);

  const create = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const parsed = tokenBody.safeParse({ name: data.get("name"), scopes: data.getAll("scopes") });
    failure.value = secret.value = null;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      failure.value = `${String(issue.path[0] ?? "form")}: ${issue.message}.`;
      return;
    }
    try {
      secret.value = (await api<{ secret: string }>("POST", "/api/tokens", parsed.data)).secret;
      form.reset();
      await load();
    } catch (e) {
      failure.value = message(e);
    }
  };

  const revoke = (id: string) => async () => {
    try {
      await api("DELETE", `/api/tokens/${id}`);
      await load();
    } catch (e) {
      failure.value = message(e);
    }
  };

  return (
    <section class="card" aria-labelledby="tokens">
      <h2 id="tokens">API tokens</h2>
      {tokens.value.length === 0 ? <p class="muted">No API tokens.</p> : (
        <ul>
          {tokens.value.map((t) => (
            <li key={t.id}>
              <strong>{t.name}</strong> — {t.scopes.join(", ")} — last used{" "}
              {t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : "never"}{" "}
              <button type="button" onClick={revoke(t.id)}>Revoke</button>
            </li>
          ))}
        </ul>
      )}
      <form class="grid-form" onSubmit={create} noValidate>
        <div class="field">
          <label for="tk-name">Token name</label>
          <input id="tk-name" name="name" autocomplete="off" />
        </div>
        <fieldset class="field">
          <legend>Scopes</legend>
          {TOKEN_SCOPES.map((s) => (
            <label key={s}>
              <input type="checkbox" name="scopes" value={s} /> {s}
            </label>
          ))}
        </fieldset>
        <button type="submit" class="primary">Create token</button>
      </form>
      {secret.value && (
        <p class="form-notice" role="status">
          Token (shown once): <code>{secret.value}</code>
        </p>
      )}
      {failure.value && <p class="form-error" role="alert">{failure.value}</p>}
    </section>
  );
}
