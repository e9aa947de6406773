/**
 * The admin's "Last 7 days" panel: open conversations by where they are now, and the medians of
 * `GET /api/metrics`. Fetched when it mounts and when the admin clicks Refresh; not live.
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { Metrics } from "../lib/chat/metrics.ts";
import { api, ApiError } from "../lib/client/api.ts";
import { formatDuration } from "../lib/client/duration.ts";

export function MetricsPanel() {
  const metrics = useSignal<Metrics | null>(null);
  const loading = useSignal(false);
  const failure = useSignal<string | null>(null);

  const load = async () => {
    loading.value = true;
    failure.value = null;
    try {
      metrics.value = await api<Metrics>("GET", "/api/metrics");
    } catch (e) {
      failure.value = e instanceof ApiError ? e.message : "Could not load the figures.";
    } finally {
      loading.value = false;
    }
  };

  useEffect(() => {
    load();
  }, []);

  const m = metrics.value;
  const count = (n: number | undefined) => (n === undefined ? "—" : String(n));
  const counts: [string, number | undefined][] = [
    ["Open now", m?.counts.open],
    ["Waiting", m?.counts.waiting],
    ["With an agent", m?.counts.human],
    ["Resolved", m?.counts.resolved],
  ];
  const medians: [string, number | null | undefined, number | undefined][] = [
    ["First response", m?.medianMs.firstHumanResponse, m?.samples.firstHumanResponse],
    ["Resolution", m?.medianMs.resolution, m?.samples.resolution],
    ["Wait time", m?.medianMs.waiting, m?.samples.waiting],
  ];

  return (
    <section class="card metrics" aria-labelledby="metrics" aria-busy={loading.value}>
      <div class="card-head">
        <h2 id="metrics">Last 7 days</h2>
        <button type="button" class="small" onClick={load} disabled={loading.value}>
          {loading.value ? "Refreshing…" : "Refresh"}
        </button>
      </div>
      <dl class="stats">
        {counts.map(([label, value]) => (
          <div class="stat" key={label}>
            <dt>{label}</dt>
            <dd>{count(value)}</dd>
          </div>
        ))}
        {medians.map(([label, value, samples]) => (
          <div class="stat" key={label}>
            <dt>{label}</dt>
            <dd>
              {formatDuration(value ?? null)}
              {samples ? <small class="muted">median of {samples}</small> : null}
            </dd>
          </div>
        ))}
      </dl>
      {failure.value && <p class="form-error" role="alert">{failure.value}</p>}
    </section>
  );
}
