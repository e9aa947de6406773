/**
 * Evaluating the bot on a question set: the same code runs `deno task bot:eval FILE`
 * (tools/bot_eval.ts, for CI) and the admin's bot test bench (`POST /api/bot/eval`). A set is
 * either the evaluation format (`{cases: [{question, expect, category, history?, facts?}]}`) or
 * what an admin pastes: JSON `[{question, expected}]`, or lines `question | expected`, where
 * `expected` is an article's slug (optionally `slug#Section heading`), `person`, `none` (no
 * article answers it) or `fact:key` (a customer fact). A case is right when:
 * - article: answered from that article (and section, when given);
 * - person: handed off (in the expected language, when given);
 * - unanswerable: not answered (unsure or handoff): a confident answer here is the worst miss;
 * - account: answered from that fact.
 */
import { z } from "zod";
import type { Message, User } from "../contract/types.ts";
import type { Bot, BotReply } from "./types.ts";

export const MAX_CASES = 500;

const text = (max: number) => z.string().min(1).max(max);

export const expectSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("article"), slug: text(100), section: text(300).optional() }),
  z.object({ kind: z.literal("person"), lang: text(10).optional() }),
  z.object({ kind: z.literal("unanswerable") }),
  z.object({ kind: z.literal("account"), factKey: text(100) }),
]);
export type Expect = z.infer<typeof expectSchema>;

export const caseSchema = z.object({
  question: text(4000),
  expect: expectSchema,
  category: text(60).default("questions"),
  history: z.array(
    z.object({ sender: z.enum(["customer", "bot", "agent", "system"]), text: text(4000) }),
  )
    .max(20).optional(),
  facts: z.record(z.string(), z.unknown()).optional(),
});
export type EvalCase = z.infer<typeof caseSchema>;

const evalFile = z.object({ cases: z.array(caseSchema).min(1).max(MAX_CASES) });
const simpleCase = z.object({
  question: text(4000),
  expected: text(400),
  category: text(60).optional(),
});

/** `slug`, `slug#Section`, `person`, `none`, `fact:key` → an expectation. */
export function parseExpected(expected: string): Expect {
  const e = expected.trim();
  const lower = e.toLowerCase();
  if (["person", "human", "handoff", "agent"].includes(lower)) return { kind: "person" };
  if (["none", "unanswerable", "-", "nothing"].includes(lower)) return { kind: "unanswerable" };
  if (lower.startsWith("fact:")) return { kind: "account", factKey: e.slice(5).trim() };
  const slug = e.replace(/^\/?help\//, "");
  const [path, section] = slug.split("#", 2);
  return {
    kind: "article",
    slug: path.trim(),
    ...(section?.trim() ? { section: section.trim() } : {}),
  };
}

/** What an expectation looks like in the simple format (for showing results). */
export function describeExpected(expect: Expect): string {
  switch (expect.kind) {
    case "article":
      return expect.section ? `${expect.slug}#${expect.section}` : expect.slug;
    case "person":
      return expect.lang ? `person (${expect.lang})` : "person";
    case "unanswerable":
      return "none";
    case "account":
      return `fact:${expect.factKey}`;
  }
}

export class EvalParseError extends Error {}

/** A question set in any accepted format; throws `EvalParseError` saying what is wrong. */
export function parseQuestionSet(input: string): EvalCase[] {
  const trimmed = input.trim();
  if (!trimmed) throw new EvalParseError("The question set is empty.");
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch {
      throw new EvalParseError("That looks like JSON but does not parse.");
    }
    const full = evalFile.safeParse(data);
    if (full.success) return full.data.cases;
    const simple = z.array(simpleCase).min(1).max(MAX_CASES).safeParse(data);
    if (simple.success) {
      return simple.data.map((c) => caseSchema.parse({ ...c, expect: parseExpected(c.expected) }));
    }
    const issue = (Array.isArray(data) ? simple : full).error!.issues[0];
    throw new EvalParseError(`${issue.path.join(".") || "set"}: ${issue.message}`);
  }
  const cases: EvalCase[] = [];
  for (const [i, raw] of trimmed.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const parts = line.includes("\t") ? line.split("\t") : line.split("|");
    if (parts.length < 2) {
      throw new EvalParseError(
        `line ${i + 1}: write "question | expected article, person or none"`,
      );
    }
    const expected = parts.pop()!.trim();
    const question = parts.join("|").trim();
    const parsed = simpleCase.safeParse({ question, expected });
    if (!parsed.success) throw new EvalParseError(`line ${i + 1}: question or expected is empty`);
    cases.push(caseSchema.parse({ question, expect: parseExpected(expected) }));
  }
  if (!cases.length) throw new EvalParseError("No questions found.");
  if (cases.length > MAX_CASES) throw new EvalParseError(`At most ${MAX_CASES} questions.`);
  return cases;
}

/** Whether `reply` is right for `expect`. */
export function judge(expect: Expect, reply: BotReply): boolean {
  const meta = reply.meta ?? {};
  switch (expect.kind) {
    case "article":
      return reply.outcome === "answered" && meta.slug === expect.slug &&
        (expect.section === undefined || meta.section === expect.section);
    case "person":
      return reply.outcome === "handoff" && (!expect.lang || meta.lang === expect.lang);
    case "unanswerable":
      return reply.outcome === "unsure" || reply.outcome === "handoff";
    case "account":
      return reply.outcome === "answered" && meta.factKey === expect.factKey;
  }
}

export interface CaseResult {
  question: string;
  category: string;
  expected: string;
  ok: boolean;
  outcome: BotReply["outcome"];
  /** What the answer was based on: `slug#Section`, `fact:key`, or "". */
  got: string;
  lang?: string;
  text: string;
  ms: number;
}

export interface EvalReport {
  total: number;
  right: number;
  /** right / total, in [0, 1]. */
  accuracy: number;
  categories: { name: string; right: number; total: number }[];
  /** Unanswerable questions the bot answered anyway (the target is 0). */
  confidentUnanswerable: number;
  /** Wrong answers given as answers (not "I don't know"), all categories. */
  confidentWrong: number;
  medianMs: number;
  p95Ms: number;
  results: CaseResult[];
}

const CUSTOMER: User = {
  id: "eval-customer",
  name: "Eval Customer",
  email: "eval@example.com",
  role: "customer",
  createdAt: "2024-01-01T00:00:00.000Z",
};
const GUEST: User = {
  id: "eval-guest",
  name: "Guest",
  role: "guest",
  createdAt: CUSTOMER.createdAt,
};

/** The case as the runner would hand it to the bot: its history, then the question. */
function context(c: EvalCase) {
  const customer = c.facts ? CUSTOMER : GUEST;
  const turns = [...(c.history ?? []), { sender: "customer" as const, text: c.question }];
  const history: Message[] = turns.map((t, i) => ({
    id: `m${i + 1}`,
    conversationId: "eval",
    seq: i + 1,
    sender: t.sender,
    authorId: t.sender === "customer" ? customer.id : t.sender,
    authorName: t.sender,
    text: t.text,
    createdAt: CUSTOMER.createdAt,
    private: false,
  }));
  return {
    conversation: {
      id: "eval",
      customerId: customer.id,
      customerName: customer.name,
      status: "open" as const,
      mode: "bot" as const,
      assigneeId: null,
      assigneeName: null,
      createdAt: CUSTOMER.createdAt,
      updatedAt: CUSTOMER.createdAt,
      lastSeq: history.length,
      lastMessage: null,
      waitingSince: null,
      botMisses: 0,
    },
    customer,
    history,
    consecutiveMisses: 0,
    facts: () => Promise.resolve(c.facts ?? null),
    signal: new AbortController().signal,
    typing: () => {},
    partial: () => {},
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** Runs every case through `bot` (after one untimed warm-up pass when `warmUp`). */
export async function evaluate(
  bot: Bot,
  cases: EvalCase[],
  options: { warmUp?: boolean; yieldEvery?: number } = {},
): Promise<EvalReport> {
  if (options.warmUp) { for (const c of cases) await bot.reply(context(c)); }
  const results: CaseResult[] = [];
  for (const [i, c] of cases.entries()) {
    // In the server, let sockets and requests through between batches of cases.
    if (options.yieldEvery && i % options.yieldEvery === options.yieldEvery - 1) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const start = performance.now();
    const reply = await bot.reply(context(c));
    const ms = performance.now() - start;
    const meta = reply.meta ?? {};
    const got = meta.slug
      ? `${meta.slug}${meta.section ? `#${meta.section}` : ""}`
      : meta.factKey
      ? `fact:${meta.factKey}`
      : "";
    results.push({
      question: c.question,
      category: c.category,
      expected: describeExpected(c.expect),
      ok: judge(c.expect, reply),
      outcome: reply.outcome,
      got,
      ...(meta.lang ? { lang: meta.lang } : {}),
      text: reply.text,
      ms,
    });
  }
  const categories = new Map<string, { right: number; total: number }>();
  for (const r of results) {
    const stat = categories.get(r.category) ?? { right: 0, total: 0 };
    stat.total++;
    if (r.ok) stat.right++;
    categories.set(r.category, stat);
  }
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  const right = results.filter((r) => r.ok).length;
  return {
    total: results.length,
    right,
    accuracy: results.length ? right / results.length : 0,
    categories: [...categories].sort(([a], [b]) => a.localeCompare(b))
      .map(([name, s]) => ({ name, ...s })),
    confidentUnanswerable:
      results.filter((r, i) => cases[i].expect.kind === "unanswerable" && r.outcome === "answered")
        .length,
    confidentWrong: results.filter((r) => !r.ok && r.outcome === "answered").length,
    medianMs: percentile(times, 0.5),
    p95Ms: percentile(times, 0.95),
    results,
  };
}

/** The report as the CLI prints it: per category, overall, the unanswerable count, timing. */
export function formatReport(report: EvalReport, verbose = false): string {
  const pct = (a: number, b: number) => `${(b ? 100 * a / b : 0).toFixed(1)}%`;
  const lines: string[] = [];
  if (verbose) {
    for (const r of report.results.filter((r) => !r.ok)) {
      lines.push(`MISS [${r.category}] ${r.question}`);
      lines.push(`     want ${r.expected}; got ${r.outcome} ${r.lang ?? ""} ${r.got}`);
    }
    lines.push("");
  }
  lines.push("category                  right/total  accuracy");
  for (const c of report.categories) {
    lines.push(
      `${c.name.padEnd(26)}${`${c.right}/${c.total}`.padStart(11)}  ${
        pct(c.right, c.total).padStart(7)
      }`,
    );
  }
  lines.push(
    `${"OVERALL".padEnd(26)}${`${report.right}/${report.total}`.padStart(11)}  ${
      pct(report.right, report.total).padStart(7)
    }`,
  );
  lines.push(`confident answers to unanswerable questions: ${report.confidentUnanswerable}`);
  lines.push(`confident wrong answers (all categories):    ${report.confidentWrong}`);
  lines.push(
    `reply time: median ${report.medianMs.toFixed(2)} ms, p95 ${report.p95Ms.toFixed(2)} ms`,
  );
  return lines.join("\n");
}
