/**
 * The bot on /admin: its performance over the last 7 days (conversations resolved by the bot alone, handoff rate and
 * reasons, answers and votes per article, the questions it could not answer with a link to write
 * the missing article), and the bot test bench: paste or upload a question set ("question |
 * expected article, person or none" per line, or JSON) and see the built-in bot's answers and
 * score over the live help center (the same code as `deno task bot:eval`).
 */
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { BotMetricsReport } from "../lib/bot/metrics.ts";
import type { EvalReport } from "../lib/bot/eval.ts";
import { api, ApiError } from "../lib/client/api.ts";

const pct = (n: number | null) => (n === null ? "—" : `${Math.round(n * 100)}%`);

const EXAMPLE = "# question | expected: an article's slug, person, or none\n" +
  "When are you open? | business-hours\nI want to talk to a person | person\n" +
  "What's the weather in Paris? | none\n";

function Metrics() {
  const report = useSignal<BotMetricsReport | null>(null);
  const failure = useSignal<string | null>(null);
  const load = async () => {
    failure.value = null;
    try {
      report.value = await api<BotMetricsReport>("GET", "/api/bot/metrics");
    } catch (e) {
      failure.value = e instanceof ApiError ? e.message : "Could not load the bot's figures.";
    }
  };
  useEffect(() => {
    load();
  }, []);
  const r = report.value;
  const stats: [string, string][] = r
    ? [
      ["Conversations", String(r.conversations)],
      ["Resolved by the bot alone", String(r.resolvedByBot)],
      ["Handoff rate", pct(r.handoffRate)],
      ["Answers", String(r.answers)],
      ["Not sure", String(r.unsure)],
      ["Helpful votes", `${r.feedback.yes} yes / ${r.feedback.no} no`],
    ]
    : [];
  return (
    <section class="card metrics" aria-labelledby="bot-metrics">
      <div class="card-head">
        <h2 id="bot-metrics">Bot performance</h2>
        <button type="button" class="small" onClick={load}>Refresh</button>
      </div>
      {failure.value && <p class="form-error" role="alert">{failure.value}</p>}
      <dl class="stats">
        {stats.map(([label, value]) => (
          <div class="stat" key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {r && r.handoffReasons.length > 0 && (
        <>
          <h3>Why conversations went to a person</h3>
          <ul>
            {r.handoffReasons.map((h) => <li key={h.reason}>{h.label}: {h.count}</li>)}
          </ul>
        </>
      )}
      {r && r.articles.length > 0 && (
        <table aria-label="Articles">
          <thead>
            <tr>
              <th scope="col">Article</th>
              <th scope="col">Answers</th>
              <th scope="col">Yes</th>
              <th scope="col">No</th>
              <th scope="col">Helpful</th>
            </tr>
          </thead>
          <tbody>
            {r.articles.map((a) => (
              <tr key={a.slug}>
                <td>
                  <a href={`/help/${a.slug}`}>{a.title}</a>
                </td>
                <td>{a.answers}</td>
                <td>{a.yes}</td>
                <td>{a.no}</td>
                <td>{pct(a.helpfulness)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3 id="gaps">Unanswered questions</h3>
      {!r || r.gaps.length === 0
        ? <p class="muted">None: the bot answered everything it was asked.</p>
        : (
          <ul aria-labelledby="gaps" class="gaps">
            {r.gaps.map((g) => (
              <li key={g.id}>
                “{g.question}” <small class="muted">{new Date(g.at).toLocaleString()}</small>{" "}
                <a href={`/admin?question=${encodeURIComponent(g.question)}#help-editor`}>
                  Write an article
                </a>
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}

function TestBench() {
  const questions = useSignal("");
  const report = useSignal<EvalReport | null>(null);
  const failure = useSignal<string | null>(null);
  const busy = useSignal(false);
  const run = async () => {
    busy.value = true;
    failure.value = null;
    try {
      report.value = await api<EvalReport>("POST", "/api/bot/eval", {
        questions: questions.value,
      });
    } catch (e) {
      failure.value = e instanceof ApiError ? e.message : "Could not run the questions.";
    } finally {
      busy.value = false;
    }
  };
  const upload = async (file: File | undefined) => {
    if (file) questions.value = await file.text();
  };
  const r = report.value;
  return (
    <section class="card" aria-labelledby="test-bench">
      <h2 id="test-bench">Bot test bench</h2>
      <p class="muted">
        One question per line:{" "}
        <code>question | expected</code>, where expected is an article's slug (or{" "}
        <code>slug#Section</code>), <code>person</code> or <code>none</code>. JSON sets from{" "}
        <code>deno task bot:eval</code> work too.
      </p>
      <div class="field">
        <label for="bench-questions">Question set</label>
        <textarea
          id="bench-questions"
          rows={8}
          placeholder={EXAMPLE}
          value={questions.value}
          onInput={(e) => questions.value = e.currentTarget.value}
        />
      </div>
      <div class="actions">
        <label class="button secondary small">
          Upload a question set
          <input
            type="file"
            accept=".txt,.json,.csv,.tsv,text/plain,application/json"
            class="visually-hidden"
            onChange={(e) => upload(e.currentTarget.files?.[0])}
          />
        </label>
        <button
          type="button"
          class="primary"
          disabled={busy.value || !questions.value.trim()}
          onClick={run}
        >
          {busy.value ? "Running…" : "Run"}
        </button>
      </div>
      {failure.value && <p class="form-error" role="alert">{failure.value}</p>}
      {r && (
        <div role="region" aria-label="Test bench results">
          <p class="bench-score">
            Score: {r.right}/{r.total}{" "}
            right ({pct(r.accuracy)}); confident answers to questions no article answers:{" "}
            {r.confidentUnanswerable}; median {r.medianMs.toFixed(2)} ms.
          </p>
          <table aria-label="Answers">
            <thead>
              <tr>
                <th scope="col">Question</th>
                <th scope="col">Expected</th>
                <th scope="col">Bot</th>
                <th scope="col">Right</th>
              </tr>
            </thead>
            <tbody>
              {r.results.map((x, i) => (
                <tr key={i} class={x.ok ? "ok" : "miss"}>
                  <td>{x.question}</td>
                  <td>{x.expected}</td>
                  <td title={x.text}>{x.outcome} {x.got}</td>
                  <td>{x.ok ? "✓" : "✗"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export default function BotPanel() {
  return (
    <div class="admin bot-admin">
      <Metrics />
      <TestBench />
    </div>
  );
}
