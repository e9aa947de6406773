/**
 * The reports on /admin, rendered on the server from the counters (lib/chat/reports.ts): the last
 * 30 days by day — conversations started, handed to a person, resolved by the bot alone; median
 * first response and resolution; CSAT — and by agent, with the figures in tables too and a CSV
 * download (GET /api/reports?format=csv).
 */
import type { NamedReport } from "../lib/chat/reports.ts";
import { BarChart, Legend, LineChart } from "./Charts.tsx";
import { Name } from "./Name.tsx";

const minutes = (ms: number | null) => ms === null ? null : Math.round(ms / 6000) / 10;
const short = (day: string) =>
  new Date(`${day}T00:00:00Z`).toLocaleDateString("en", {
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });
const dash = (v: number | null, unit = "") => v === null ? "–" : `${v}${unit}`;

export function ReportCharts({ report }: { report: NamedReport }) {
  const labels = report.days.map((d) => short(d.day));
  const volume = [
    { name: "started", values: report.days.map((d) => d.started), className: "series-0" },
    {
      name: "handed to a person",
      values: report.days.map((d) => d.handoff),
      className: "series-1",
    },
    {
      name: "resolved by the bot alone",
      values: report.days.map((d) => d.botResolved),
      className: "series-2",
    },
  ];
  const times = [
    {
      name: "min median first response",
      values: report.days.map((d) => minutes(d.medianFirstResponseMs)),
      className: "series-0",
    },
    {
      name: "min median resolution",
      values: report.days.map((d) => minutes(d.medianResolutionMs)),
      className: "series-1",
    },
  ];
  const csat = [{ name: "% CSAT", values: report.days.map((d) => d.csat), className: "series-2" }];
  const t = report.totals;
  const byAgent = [
    { name: "handled", values: report.agents.map((a) => a.handled), className: "series-0" },
    { name: "resolved", values: report.agents.map((a) => a.resolved), className: "series-1" },
  ];
  const range = `${short(report.from)} to ${short(report.to)}`;
  return (
    <section class="card reports" aria-labelledby="reports-heading">
      <h2 id="reports-heading">Reports: the last 30 days</h2>
      <p>
        {t.started} conversations started, {t.handoff} handed to a person, {t.botResolved}{" "}
        resolved by the bot alone. Median first response{" "}
        {dash(minutes(t.medianFirstResponseMs), " min")}, median resolution{" "}
        {dash(minutes(t.medianResolutionMs), " min")}. CSAT {dash(t.csat, " %")} ({t.ratings}{" "}
        ratings).{" "}
        <a href={`/api/reports?from=${report.from}&to=${report.to}&format=csv`}>Download CSV</a>
      </p>
      <h3>Conversations by day</h3>
      <Legend series={volume} />
      <BarChart
        id="report-volume"
        title={`Conversations by day, ${range}`}
        description={`Per day: ${
          volume.map((s) => s.name).join(", ")
        }. In all: ${t.started} started, ${t.handoff} handed to a person, ${t.botResolved} resolved by the bot alone.`}
        labels={labels}
        series={volume}
      />
      <h3>Response and resolution times</h3>
      <Legend series={times} />
      <LineChart
        id="report-times"
        title={`Median first response and resolution time by day, in minutes, ${range}`}
        description={`Median first response over the period: ${
          dash(minutes(t.medianFirstResponseMs), " minutes")
        }; median resolution: ${dash(minutes(t.medianResolutionMs), " minutes")}.`}
        labels={labels}
        series={times}
      />
      <h3>Customer satisfaction</h3>
      <BarChart
        id="report-csat"
        title={`CSAT by day (share of ratings that were 4 or 5), ${range}`}
        description={`CSAT over the period: ${dash(t.csat, " %")} of ${t.ratings} ratings.`}
        labels={labels}
        series={csat}
        max={100}
        format={(v) => `${v}%`}
      />
      <h3>By agent</h3>
      {report.agents.length > 0 && (
        <>
          <Legend series={byAgent} />
          <BarChart
            id="report-agents"
            title={`Conversations handled and resolved by agent, ${range}`}
            description={report.agents.map((a) =>
              `${a.name}: ${a.handled} handled, ${a.resolved} resolved, CSAT ${dash(a.csat, " %")}`
            ).join("; ")}
            labels={report.agents.map((a) => a.name)}
            series={byAgent}
          />
        </>
      )}
      {report.agents.length
        ? (
          <table class="report-agents">
            <caption class="visually-hidden">Figures by agent, {range}</caption>
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Handled</th>
                <th scope="col">Resolved</th>
                <th scope="col">Median first response</th>
                <th scope="col">Median resolution</th>
                <th scope="col">Ratings</th>
                <th scope="col">CSAT</th>
              </tr>
            </thead>
            <tbody>
              {report.agents.map((a) => (
                <tr key={a.agentId}>
                  <th scope="row">
                    <Name name={a.name} />
                  </th>
                  <td>{a.handled}</td>
                  <td>{a.resolved}</td>
                  <td>{dash(minutes(a.medianFirstResponseMs), " min")}</td>
                  <td>{dash(minutes(a.medianResolutionMs), " min")}</td>
                  <td>{a.ratings}</td>
                  <td>{dash(a.csat, " %")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
        : <p class="muted">No agent has handled a conversation in this period.</p>}
    </section>
  );
}
