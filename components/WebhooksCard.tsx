/**
 * The admin page's "Webhooks" card: the registered webhooks (add one: its signing secret is shown
 * once; delete), and the recent deliveries, webhooks and email, with their status and a
 * **Redeliver** button (the same delivery id again).
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError } from "../lib/client/api.ts";
import {
  type DeliverySummary,
  type Webhook,
  WEBHOOK_EVENTS,
  webhookBody,
} from "../lib/contract/operations.ts";

const message = (e: unknown) => e instanceof ApiError ? e.message : "Something went wrong.";

export function WebhooksCard() {
  const hooks = useSignal<Webhook[]>([]);
  const deliveries = useSignal<DeliverySummary[]>([]);
  const secret = useSignal<string | null>(null);
  const failure = useSignal<string | null>(null);

  const load = async () => {
    const [h, d] = await Promise.all([
      api<{ webhooks: Webhook[] }>("GET", "/api/webhooks"),
      api<{ deliveries: DeliverySummary[] }>("GET", "/api/webhooks/deliveries?limit=50"),
    ]);
    hooks.value = h.webhooks;
    deliveries.value = d.deliveries;
  };
  useEffect(() => {
    load().catch((e) => failure.value = message(e));
  }, []);

  const add = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const parsed = webhookBody.safeParse({
      url: data.get("url"),
      events: data.getAll("events"),
      includePrivate: data.get("includePrivate") === "on",
    });
    failure.value = secret.value = null;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      failure.value = `${String(issue.path[0] ?? "form")}: ${issue.message}.`;
      return;
    }
    try {
      const res = await api<{ secret: string }>("POST", "/api/webhooks", parsed.data);
      secret.value = res.secret;
      form.reset();
      await load();
    } catch (e) {
      failure.value = message(e);
    }
  };

  const act = (method: string, path: string) => async () => {
    failure.value = null;
    try {
      await api(method, path);
      await load();
    } catch (e) {
      failure.value = message(e);
    }
  };

  return (
    <section class="card" aria-labelledby="webhooks">
      <h2 id="webhooks">Webhooks</h2>
      {hooks.value.length === 0 ? <p class="muted">No webhooks yet.</p> : (
        <ul>
          {hooks.value.map((h) => (
            <li key={h.id}>
              <code>{h.url}</code> — {h.events.join(", ")}
              {h.includePrivate ? " (with private notes)" : ""}{" "}
              <button type="button" onClick={act("DELETE", `/api/webhooks/${h.id}`)}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="grid-form" onSubmit={add} noValidate>
        <div class="field">
          <label for="wh-url">URL</label>
          <input id="wh-url" name="url" type="url" placeholder="https://…" />
        </div>
        <fieldset class="field">
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map((e) => (
            <label key={e}>
              <input type="checkbox" name="events" value={e} checked /> {e}
            </label>
          ))}
          <label>
            <input type="checkbox" name="includePrivate" /> Include private notes
          </label>
        </fieldset>
        <button type="submit" class="primary">Add webhook</button>
      </form>
      {secret.value && (
        <p class="form-notice" role="status">
          Signing secret (shown once): <code>{secret.value}</code>
        </p>
      )}
      {failure.value && <p class="form-error" role="alert">{failure.value}</p>}
      <h3>Recent deliveries</h3>
      {deliveries.value.length === 0
        ? <p class="muted">No deliveries yet.</p>
        : (
          <table aria-label="Recent deliveries">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">To</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col"></th>
              </tr>
            </thead>
            <tbody>
              {deliveries.value.map((d) => (
                <tr key={d.id} data-delivery={d.id}>
                  <td>{d.event}</td>
                  <td class="preview">{d.target}</td>
                  <td>{d.status}</td>
                  <td>{d.attempts}</td>
                  <td class="preview">{d.lastError ?? ""}</td>
                  <td>
                    <button
                      type="button"
                      disabled={d.status === "pending"}
                      onClick={act("POST", `/api/webhooks/deliveries/${d.id}/redeliver`)}
                    >
                      Redeliver
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      <button type="button" onClick={() => load().catch((e) => failure.value = message(e))}>
        Refresh
      </button>
    </section>
  );
}
