/**
 * The admin page's "Labels" card: the team's labels and their colours (the run-time setting
 * "labels", through /api/settings/labels, saved with the revision it was based on). Agents see
 * these colours on conversations and are offered these names; they may still add other labels.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { api, ApiError } from "../lib/client/api.ts";
import type { LabelSettings } from "../lib/contract/labels.ts";

interface Entry {
  value: LabelSettings;
  revision: number;
}

export function LabelSettingsForm() {
  const entry = useSignal<Entry | null>(null);
  const rows = useSignal<{ name: string; color: string }[]>([]);
  const failure = useSignal<string | null>(null);
  const notice = useSignal<string | null>(null);
  const load = async () => {
    const current = await api<Entry>("GET", "/api/settings/labels");
    entry.value = current;
    rows.value = current.value.labels;
  };
  useEffect(() => {
    load().catch((e) => failure.value = e instanceof ApiError ? e.message : "Could not load.");
  }, []);
  const save = async (event: Event) => {
    event.preventDefault();
    failure.value = notice.value = null;
    try {
      const saved = await api<Entry>("PUT", "/api/settings/labels", {
        value: { labels: rows.peek().filter((r) => r.name.trim()) },
        revision: entry.peek()?.revision,
      });
      entry.value = saved;
      rows.value = saved.value.labels;
      notice.value = "Labels saved.";
    } catch (e) {
      failure.value = e instanceof ApiError ? e.message : "Could not save the labels.";
    }
  };
  const set = (i: number, patch: Partial<{ name: string; color: string }>) =>
    rows.value = rows.peek().map((r, j) => j === i ? { ...r, ...patch } : r);
  return (
    <section class="card" aria-labelledby="label-settings">
      <h2 id="label-settings">Labels</h2>
      <form onSubmit={save} class="label-settings">
        <ul class="plain">
          {rows.value.map((r, i) => (
            <li key={i}>
              <input
                aria-label={`Label ${i + 1} name`}
                value={r.name}
                maxLength={40}
                onInput={(e) => set(i, { name: e.currentTarget.value })}
              />
              <input
                type="color"
                aria-label={`Label ${i + 1} colour`}
                value={r.color}
                onInput={(e) => set(i, { color: e.currentTarget.value })}
              />
              <button
                type="button"
                class="link"
                onClick={() => rows.value = rows.peek().filter((_, j) => j !== i)}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
        <button
          type="button"
          class="secondary small"
          onClick={() => rows.value = [...rows.peek(), { name: "", color: "#1f6feb" }]}
        >
          Add a label
        </button>{" "}
        <button type="submit" class="primary small" disabled={!entry.value}>Save labels</button>
        {failure.value && <p class="form-error" role="alert">{failure.value}</p>}
        {notice.value && <p class="muted" role="status">{notice.value}</p>}
      </form>
    </section>
  );
}
