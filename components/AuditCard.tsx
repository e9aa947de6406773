/** The admin page's "Audit log" card: admin actions, newest first, a page at a time. */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError } from "../lib/client/api.ts";
import type { AuditEntryView } from "../lib/contract/operations.ts";

export function AuditCard() {
  const entries = useSignal<AuditEntryView[]>([]);
  const next = useSignal<string | null>(null);
  const failure = useSignal<string | null>(null);

  const load = async (cursor: string | null) => {
    try {
      const q = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = await api<{ entries: AuditEntryView[]; next: string | null }>(
        "GET",
        `/api/audit?limit=50${q}`,
      );
      entries.value = cursor ? [...entries.peek(), ...page.entries] : page.entries;
      next.value = page.next;
    } catch (e) {
      failure.value = e instanceof ApiError ? e.message : "Could not load the audit log.";
    }
  };
  useEffect(() => void load(null), []);

  return (
    <section class="card" aria-labelledby="audit">
      <h2 id="audit">Audit log</h2>
      {entries.value.length === 0
        ? <p class="muted">Nothing recorded yet.</p>
        : (
          <table aria-label="Audit log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.value.map((e) => (
                <tr key={`${e.at}-${e.action}-${e.target}`}>
                  <td>
                    <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
                  </td>
                  <td>
                    <code>{e.actorId}</code>
                  </td>
                  <td>{e.action}</td>
                  <td>
                    <code>{e.target}</code>
                  </td>
                  <td class="preview">{JSON.stringify(e.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      {next.value && <button type="button" onClick={() => load(next.value)}>Load more</button>}
      {failure.value && <p class="form-error" role="alert">{failure.value}</p>}
      <button type="button" onClick={() => load(null)}>Refresh</button>
    </section>
  );
}
