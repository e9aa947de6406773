/** The benchmark's output: a readable table on stdout, and with --json one JSON line last. */
import type { LoadResult, RunResult } from "./load.ts";
import type { BotResult } from "./load_bot.ts";
import { FAKE_ANSWER } from "./fake_gemini.ts";
import type { Options } from "./bench.ts";
import { BUDGET, type WidgetSizes } from "./widget_sizes.ts";
import type { CommitFloor } from "./commit_floor.ts";

export interface Report {
  machine: {
    cores: number;
    cpuModel: string;
    loadAverage: number[];
    loadAverageAfter: number[];
    deno: string;
    memoryBytes: number;
  };
  options: Options;
  elapsedS: number;
  parleyIdleRssBytes: number;
  geminiRequests: number;
  raw: LoadResult;
  parley: LoadResult;
  /** The bursty shape (messages back to back per conversation), if run. */
  burst: { raw: LoadResult; parley: LoadResult } | null;
  /** The website widget's download sizes (./widget_sizes.ts). */
  widget: WidgetSizes;
  /** The built-in bot (no Gemini key) on a server of its own, if run (issue 14). */
  builtinBot: BotResult | null;
  /** The disk's KV commit floor, probed before the servers (./commit_floor.ts), if run. */
  floor: CommitFloor | null;
}

const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a && b ? Math.round((a / b) * 1000) / 1000 : null;

/** Parley's figures as ratios to the raw relay's, and the goals of the issue. */
export function summarize(r: Report) {
  const p = r.parley, raw = r.raw;
  const ratios = {
    p50AtRate: ratio(p.rate.latencyMs.p50, raw.rate.latencyMs.p50),
    p99AtRate: ratio(p.rate.latencyMs.p99, raw.rate.latencyMs.p99),
    throughput: ratio(p.saturation?.maxRate, raw.saturation?.maxRate),
    rssPerConnection: ratio(
      p.connections?.rssPerConnectionBytes,
      raw.connections?.rssPerConnectionBytes,
    ),
    connectTime: ratio(p.connections?.connectMs, raw.connections?.connectMs),
    burstThroughput: ratio(r.burst?.parley.saturation?.maxRate, r.burst?.raw.saturation?.maxRate),
  };
  const bot = p.bot;
  const geminiAnswered = bot ? (bot.replyTexts[FAKE_ANSWER] ?? 0) : 0;
  const goals = {
    p99At1000: {
      target: "p99 delivery ≤ 10 ms at the offered rate",
      value: p.rate.latencyMs.p99,
      met: p.rate.delivered === p.rate.sent && p.rate.latencyMs.p99 <= 10,
    },
    throughput: {
      target: "sustained throughput ≥ 50% of the raw relay's",
      value: ratios.throughput,
      met: ratios.throughput !== null && ratios.throughput >= 0.5,
    },
    throughputRoundRobin: {
      target: "round-robin throughput ≥ 25% of the raw relay's (issue 16)",
      value: ratios.throughput,
      met: ratios.throughput !== null && ratios.throughput >= 0.25,
    },
    throughputBurst: {
      target: "bursty throughput ≥ 20% of the raw relay's (issue 16)",
      value: ratios.burstThroughput,
      met: ratios.burstThroughput !== null && ratios.burstThroughput >= 0.2,
    },
    p99BurstAt1000: {
      target: "bursty p99 delivery ≤ 10 ms at the offered rate",
      value: r.burst?.parley.rate.latencyMs.p99 ?? null,
      met: !!r.burst && r.burst.parley.rate.delivered === r.burst.parley.rate.sent &&
        r.burst.parley.rate.latencyMs.p99 <= 10,
    },
    memory: {
      target: "idle sockets under 100 KB of server memory each",
      value: p.connections?.rssPerConnectionBytes ?? null,
      met: !!p.connections && p.connections.rssPerConnectionBytes < 100_000,
    },
    bot: {
      target: "bot overhead ≤ 5 ms (median, send → committed reply)",
      value: bot?.replyMs.p50 ?? null,
      met: !!bot && bot.replyMs.p50 <= 5,
    },
    builtinBot: {
      target: "built-in bot reply ≤ 5 ms (median, send → committed reply; issue 14)",
      value: r.builtinBot?.replyMs.p50 ?? null,
      met: !!r.builtinBot && r.builtinBot.replyMs.p50 <= 5,
    },
    widgetLoader: {
      target: "widget loader ≤ 6 KiB gzipped",
      value: kb(r.widget.loaderGzipBytes),
      met: r.widget.loaderGzipBytes <= BUDGET.loaderGzipBytes,
    },
    widgetPanel: {
      target: "widget panel's JavaScript ≤ 40 KiB gzipped",
      value: kb(r.widget.panelGzipBytes),
      met: r.widget.panelGzipBytes <= BUDGET.panelGzipBytes,
    },
    pingDuringLogins: {
      target: `every WebSocket ping round trip < 100 ms during ${
        p.logins?.logins ?? "-"
      } concurrent logins`,
      value: p.logins?.pingMs.max ?? null,
      met: !!p.logins && p.logins.pingMs.max < 100,
    },
  };
  return {
    ratios,
    goals,
    bot: bot ? { answeredBy: geminiAnswered === bot.samples ? "gemini (fake)" : "fallback" } : null,
  };
}

const fmt = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined || Number.isNaN(x) ? "-" : x.toFixed(digits);
const kb = (
  bytes: number | undefined,
) => (bytes === undefined ? "-" : `${(bytes / 1024).toFixed(1)} KiB`);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const lat = (r: Pick<RunResult, "latencyMs"> | null | undefined) =>
  r
    ? `${fmt(r.latencyMs.p50)} / ${fmt(r.latencyMs.p90)} / ${fmt(r.latencyMs.p99)} / ${
      fmt(r.latencyMs.max, 1)
    }`
    : "-";
const x = (v: number | null) => (v === null ? "-" : `${v.toFixed(2)}×`);

function row(label: string, parley: string, raw = "", ratio = "") {
  return `  ${label.padEnd(34)}${parley.padEnd(29)} ${raw.padEnd(29)} ${ratio}`;
}

export function printReport(r: Report, json: boolean) {
  const s = summarize(r);
  const p = r.parley, raw = r.raw, m = r.machine, o = r.options;
  const lines = [
    "",
    `Parley benchmark — ${m.cores} cores (${m.cpuModel}), ${mib(m.memoryBytes)}, Deno ${m.deno}`,
    `load average before ${m.loadAverage.join(" ")}, after ${
      m.loadAverageAfter.join(" ")
    }; ran ${r.elapsedS} s`,
    "",
    ...floorLines(r.floor),
    row("", "Parley", "raw relay", "Parley / raw"),
    `Delivery at ${o.rate} msgs/s over ${o.conversations} conversations, ${o.duration} s`,
    row(
      "p50 / p90 / p99 / max (ms)",
      lat(p.rate),
      lat(raw.rate),
      `p50 ${x(s.ratios.p50AtRate)} p99 ${x(s.ratios.p99AtRate)}`,
    ),
    row(
      "delivered / sent",
      `${p.rate.delivered} / ${p.rate.sent}`,
      `${raw.rate.delivered} / ${raw.rate.sent}`,
    ),
  ];
  shapeLines(lines, p, raw, s.ratios.throughput);
  if (r.burst) {
    const b = r.burst;
    lines.push(
      `Bursty: ${o.burst} messages back to back per conversation, ${o.burstConversations} ` +
        `conversations, ${
          Math.min(o.agents, o.burstConversations)
        } agent sockets, ${o.rate} msgs/s`,
      row(
        "p50 / p90 / p99 / max (ms)",
        lat(b.parley.rate),
        lat(b.raw.rate),
        `p99 ${x(ratio(b.parley.rate.latencyMs.p99, b.raw.rate.latencyMs.p99))}`,
      ),
      row(
        "delivered / sent",
        `${b.parley.rate.delivered} / ${b.parley.rate.sent}`,
        `${b.raw.rate.delivered} / ${b.raw.rate.sent}`,
      ),
    );
    shapeLines(lines, b.parley, b.raw, s.ratios.burstThroughput);
  }
  if (p.connections && raw.connections) {
    const pc = p.connections, rc = raw.connections;
    lines.push(
      `Idle connections (${pc.connections} authenticated on Parley, ${rc.connections} on the relay)`,
      row("time to connect (ms)", `${pc.connectMs}`, `${rc.connectMs}`, x(s.ratios.connectTime)),
      row(
        "server RSS per connection",
        kb(pc.rssPerConnectionBytes),
        kb(rc.rssPerConnectionBytes),
        x(s.ratios.rssPerConnection),
      ),
      row(
        "server RSS before → after",
        `${mib(pc.rssBeforeBytes)} → ${mib(pc.rssAfterBytes)}`,
        `${mib(rc.rssBeforeBytes)} → ${mib(rc.rssAfterBytes)}`,
      ),
      row("one ping round over all (ms)", `${pc.pingRoundMs}`, `${rc.pingRoundMs}`),
    );
  }
  if (p.bot) {
    lines.push(
      `Bot overhead (${
        s.bot!.answeredBy
      }, answering instantly; ${p.bot.samples} messages one at a time)`,
      row("send → bot typing p50/p90/p99/max", statsLine(p.bot.typingMs)),
      row("send → committed reply", statsLine(p.bot.replyMs)),
    );
  }
  if (r.builtinBot) {
    lines.push(
      `Built-in bot (no Gemini key; ${r.builtinBot.samples} messages one at a time)`,
      row("send → bot typing p50/p90/p99/max", statsLine(r.builtinBot.typingMs)),
      row("send → committed reply", statsLine(r.builtinBot.replyMs)),
    );
  }
  const w = r.widget;
  lines.push(
    "Website widget (bytes served, and gzipped)",
    row("loader /widget.js", `${kb(w.loaderBytes)}, ${kb(w.loaderGzipBytes)} gzipped`),
    row(
      `panel JavaScript (${w.panelFiles.length} files)`,
      `${kb(w.panelBytes)}, ${kb(w.panelGzipBytes)} gzipped`,
    ),
  );
  if (p.logins) {
    const l = p.logins;
    const statuses = Object.entries(l.statuses).map(([s, n]) => `${s}: ${n}`).join(", ");
    lines.push(
      `Ping round trip during ${l.logins} concurrent logins (HASH_WORKERS ${
        o.hashWorkers ?? "default"
      }; one ping at a time, 10 ms apart)`,
      row("quiet: p50/p90/p99/max", statsLine(l.idlePingMs)),
      row("during the logins", statsLine(l.pingMs)),
      row("logins answered", `${statuses} in ${l.burstMs} ms`),
    );
  }
  lines.push("Goals");
  for (const g of Object.values(s.goals)) {
    lines.push(`  ${g.met ? "✓" : "✗"} ${g.target}: ${g.value ?? "-"}`);
  }
  console.log(lines.join("\n"));
  if (json) console.log(JSON.stringify({ ...r, ...s }));
}

function steps(list: RunResult[]) {
  return list.map((s) => `${s.offered}:${fmt(s.latencyMs.p99, 1)}${s.pass ? "" : "✗"}`).join(" ");
}

function statsLine(l: { p50: number; p90: number; p99: number; max: number }) {
  return `${fmt(l.p50)} / ${fmt(l.p90)} / ${fmt(l.p99)} / ${fmt(l.max, 1)} ms`;
}

/** The disk's floor: what one durable KV commit per message costs there, without Parley. */
function floorLines(f: CommitFloor | null): string[] {
  if (!f) return [];
  return [
    `KV commit floor: Parley's KV files are in ${f.dir} (${f.medium}); one message-shaped commit`,
    `per message there, without Parley, ${f.commits} at ${f.rate}/s (bench/commit_floor.ts):`,
    row("commit p50 / p90 / p99 / max (ms)", lat({ latencyMs: f.latencyMs })),
    row("CPU per commit (JS + SQLite)", `${f.cpuUsPerCommit} µs`),
    "",
  ];
}

/** Server CPU and KV growth per message at the offered rate, then the saturation search. */
function shapeLines(lines: string[], p: LoadResult, raw: LoadResult, throughput: number | null) {
  lines.push(
    row("server CPU (% of one core)", `${p.rate.serverCpuPct}%`, `${raw.rate.serverCpuPct}%`),
    row(
      "server CPU per message",
      `${p.rate.serverCpuUsPerMessage} µs`,
      `${raw.rate.serverCpuUsPerMessage} µs`,
    ),
    row("KV file growth per message", `${p.rate.kvBytesPerMessage ?? "-"} B`),
  );
  if (!p.saturation || !raw.saturation) return;
  lines.push(
    "Saturation: highest rate with p99 ≤ 50 ms and every message delivered",
    row(
      "throughput (msgs/s)",
      `${p.saturation.maxRate ?? "-"}`,
      `${raw.saturation.maxRate ?? "-"}`,
      x(throughput),
    ),
    row("p50 / p90 / p99 / max there (ms)", lat(p.saturation.best), lat(raw.saturation.best)),
    row(
      "server CPU there",
      `${p.saturation.best?.serverCpuPct ?? "-"}%`,
      `${raw.saturation.best?.serverCpuPct ?? "-"}%`,
    ),
    row(
      "server CPU per message there",
      `${p.saturation.best?.serverCpuUsPerMessage ?? "-"} µs`,
      `${raw.saturation.best?.serverCpuUsPerMessage ?? "-"} µs`,
    ),
    row("KV file growth per message there", `${p.saturation.best?.kvBytesPerMessage ?? "-"} B`),
    row(
      "steps (rate:p99 ms, ✗ = failed)",
      steps(p.saturation.steps),
      steps(raw.saturation.steps),
    ),
  );
}
