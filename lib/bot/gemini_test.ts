/** The Gemini bot through the real @google/genai SDK, against tests/fake_gemini.ts. */
import { createLogger } from "../log.ts";
import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { until } from "../../tests/wait.ts";
import { FakeGemini, type FakeStep } from "../../tests/fake_gemini.ts";
import { BuiltinBot } from "./builtin.ts";
import {
  ADA,
  builtinBot as fallback,
  GUEST,
  knowledge,
  message,
} from "../../tests/bot_fixtures.ts";
import { GeminiBot } from "./gemini.ts";
import { createBot } from "./mod.ts";
import type { BotContext, BotReply, CustomerFacts } from "./types.ts";
import { testConfig } from "../config.ts";
import type { Conversation, User } from "../contract/types.ts";

const API_KEY = "test-key-do-not-log";
const ADA_FACTS: CustomerFacts = { name: ADA.name, registeredAt: ADA.createdAt, plan: "Pro" };

interface Recorder {
  ctx: BotContext;
  partials: string[];
  typing: number;
  abort: AbortController;
}

/** A hand-built context: a greeting, an agent's note, then the customer's `text`. */
function context(text: string, customer: User = ADA, facts: CustomerFacts | null = ADA_FACTS) {
  const abort = new AbortController();
  const rec: Recorder = { partials: [], typing: 0, abort, ctx: undefined as never };
  rec.ctx = {
    conversation: { id: "c1", customerId: customer.id, mode: "bot" } as Conversation,
    customer,
    history: [
      message(1, "bot", "Hi! I'm Parley Assistant."),
      message(2, "customer", "hello"),
      message(3, "agent", "Sam here, the bot will help you."),
      message(4, "customer", text),
    ],
    consecutiveMisses: 0,
    facts: () => Promise.resolve(customer.role === "guest" ? null : facts),
    signal: abort.signal,
    typing: () => rec.typing++,
    partial: (textSoFar) => rec.partials.push(textSoFar),
  };
  return rec;
}

function geminiBot(fake: FakeGemini, timeoutMs = 5_000): GeminiBot {
  return new GeminiBot({
    apiKey: API_KEY,
    model: "gemini-2.5-flash",
    baseUrl: fake.baseUrl,
    timeoutMs,
    name: "Parley Assistant",
    businessName: "Acme",
    tone: "warm and brief",
    knowledge,
    fallback,
    log: createLogger("warn"),
  });
}

/** Runs one reply against a fresh fake scripted with `steps`; returns what happened. */
async function run(
  steps: FakeStep[],
  text: string,
  options: { customer?: User; timeoutMs?: number } = {},
) {
  const fake = FakeGemini.start();
  fake.script(...steps);
  const rec = context(text, options.customer);
  const warnings: string[] = [];
  const warn = console.error; // the log writes warnings to stderr
  console.error = (...args: unknown[]) => warnings.push(args.map(String).join(" "));
  try {
    const reply: BotReply = await geminiBot(fake, options.timeoutMs).reply(rec.ctx);
    return { reply, rec, requests: fake.requests, warnings };
  } finally {
    console.error = warn;
    await fake.close();
  }
}

// deno-lint-ignore no-explicit-any
const texts = (content: any): string => content.parts.map((p: any) => p.text ?? "").join("\n");

Deno.test("a grounded answer: instruction, tools, history and passages are sent", async () => {
  const { reply, rec, requests } = await run(
    [{ kind: "text", chunks: ["Our agents work ", "Monday to Friday, ", "9:00 to 17:00."] }],
    "What are your opening hours?",
  );
  // The model gave no link: the guard cites the passage the answer came from.
  assertEquals(reply, {
    text: "Our agents work Monday to Friday, 9:00 to 17:00.\n\n" +
      "More in “Business hours and response times”: /help/business-hours",
    outcome: "answered",
    meta: { source: "gemini", slug: "business-hours" },
  });
  assertEquals(requests.length, 1);
  const [request] = requests;
  assert(request.stream && request.model === "gemini-2.5-flash");
  assertEquals(request.apiKey, API_KEY);
  const instruction = texts(request.body.systemInstruction);
  for (const needle of ["Parley Assistant", "Acme", "warm and brief", "handoff_to_human"]) {
    assert(instruction.includes(needle), `instruction lacks ${needle}`);
  }
  assertEquals(
    // deno-lint-ignore no-explicit-any
    request.body.tools[0].functionDeclarations.map((f: any) => f.name),
    ["get_customer_profile", "search_help_center", "handoff_to_human"],
  );
  const contents = request.body.contents;
  assertEquals(contents.map((c: { role: string }) => c.role), ["user", "model", "user"]);
  const last = texts(contents[2]);
  // Customer text is fenced as untrusted data, with this request's boundary.
  const boundary = instruction.match(/<<<DATA ([0-9a-f]{12})/)![1];
  const customer = (t: string) =>
    `<<<DATA ${boundary} customer message>>>\n${t}\n<<<END DATA ${boundary}>>>`;
  assert(last.startsWith(`${customer("hello")}\n[Agent Sam]: Sam here`), last);
  assert(last.includes(customer("What are your opening hours?")), last);
  assertMatch(last, /Monday to Friday, 9:00 to 17:00/);
  assertMatch(last, /link="\/help\/business-hours"/);
  assertEquals(rec.partials, [
    "Our agents work ",
    "Our agents work Monday to Friday, ",
    "Our agents work Monday to Friday, 9:00 to 17:00.",
  ]);
  assert(rec.typing >= 3, "typing is signalled as chunks arrive");
});

Deno.test("get_customer_profile answers 'when did I register?'", async () => {
  const { reply, requests } = await run([
    { kind: "functionCall", name: "get_customer_profile" },
    { kind: "text", chunks: ["You registered on ", "21 November 2026."] },
  ], "When did I register?");
  assertEquals(reply, {
    text: "You registered on 21 November 2026.",
    outcome: "answered",
    meta: { source: "gemini" },
  });
  assertEquals(requests.length, 2);
  const contents = requests[1].body.contents;
  assertEquals(contents.at(-2).parts[0].functionCall.name, "get_customer_profile");
  assertEquals(contents.at(-1).parts[0].functionResponse, {
    name: "get_customer_profile",
    response: { profile: ADA_FACTS },
  });
});

Deno.test("get_customer_profile for a guest says so", async () => {
  const { requests } = await run(
    [
      { kind: "functionCall", name: "get_customer_profile" },
      { kind: "text", chunks: ["You're chatting as a guest."] },
    ],
    "When did I register?",
    { customer: GUEST },
  );
  const response = requests[1].body.contents.at(-1).parts[0].functionResponse.response;
  assertEquals(response, { error: "not signed in" });
  assertMatch(texts(requests[0].body.systemInstruction), /guest/);
  // Google's REST surface: POST /v1beta/models/{model}:streamGenerateContent?alt=sse
  assertEquals(requests.map((r) => [r.apiVersion, r.stream]), [["v1beta", true], ["v1beta", true]]);
});

Deno.test("search_help_center returns passages with links", async () => {
  const { reply, requests } = await run([
    {
      kind: "functionCall",
      name: "search_help_center",
      args: { query: "delete account" },
      text: "Let me look.",
    },
    { kind: "text", chunks: ["Ask a person to delete it: /help/deleting-your-account"] },
  ], "I want to go");
  assertEquals(reply, {
    text: "Let me look.\n\nAsk a person to delete it: /help/deleting-your-account",
    outcome: "answered",
    meta: { source: "gemini", slug: "deleting-your-account" },
  });
  const { results } = requests[1].body.contents.at(-1).parts[0].functionResponse.response;
  assertEquals(results[0].link, "/help/deleting-your-account");
});

Deno.test("handoff_to_human ends with a handoff", async () => {
  const { reply, requests } = await run([
    { kind: "functionCall", name: "handoff_to_human", args: { reason: "billing dispute" } },
  ], "I was charged twice");
  assertEquals(reply, {
    text: "Let me get a person for you.",
    outcome: "handoff",
    reason: "billing dispute",
    meta: { handoff: "model", source: "gemini" },
  });
  assertEquals(requests.length, 1);
});

Deno.test("failures fall back to the built-in bot and log one line", async (t) => {
  const cases: [string, FakeStep[], string, number?][] = [
    ["500", [{ kind: "error", status: 500 }], "server_error"],
    ["429", [{ kind: "error", status: 429 }], "rate_limited"],
    ["timeout", [{ kind: "text", chunks: ["late"], delayMs: 2_000 }], "timeout", 150],
    ["safety block", [{ kind: "safety", where: "candidate" }], "blocked"],
    ["blocked prompt", [{ kind: "safety", where: "prompt" }], "blocked"],
    ["malformed JSON", [{ kind: "malformed" }], "malformed"],
    ["empty answer", [{ kind: "text", chunks: [""] }], "empty"],
    [
      "endless tool calls",
      Array(5).fill({ kind: "functionCall", name: "get_customer_profile" }),
      "too_many_calls",
    ],
  ];
  for (const [name, steps, kind, timeoutMs] of cases) {
    await t.step(name, async () => {
      const started = performance.now();
      const { reply, warnings, requests } = await run(steps, "What are your opening hours?", {
        timeoutMs,
      });
      assertEquals(requests.length, Math.min(steps.length, 4), "no hidden retries");
      assertEquals(reply.outcome, "answered");
      assertMatch(reply.text, /\/help\/business-hours$/);
      assertEquals(warnings.length, 1, warnings.join("\n"));
      const line = JSON.parse(warnings[0]);
      assertEquals([line.event, line.kind], ["gemini_failed", kind]);
      assert(!warnings[0].includes(API_KEY), "the API key is never logged");
      assert(!warnings[0].includes("opening hours"), "message text is never logged");
      if (timeoutMs) assert(performance.now() - started < 1_000, "the timeout bounds the call");
    });
  }
  await t.step("an unsure fallback becomes an apology offering a person", async () => {
    const { reply } = await run([{ kind: "error", status: 503 }], "what's the weather in Paris");
    assertEquals(reply.outcome, "unsure");
    assertMatch(reply.text, /^Sorry.*talk to a human/);
  });
});

Deno.test("an abort mid-stream returns promptly", async () => {
  const fake = FakeGemini.start();
  fake.script({ kind: "text", chunks: ["One ", "two ", "three."], chunkDelayMs: 2_000 });
  const rec = context("What are your opening hours?");
  const done = geminiBot(fake).reply(rec.ctx);
  await until(() => rec.partials.length > 0, "the first partial");
  const aborted = performance.now();
  rec.abort.abort();
  const reply = await done;
  assert(performance.now() - aborted < 200, "the reply returns at once");
  assertEquals(reply.reason, "aborted");
  assertEquals(rec.partials, ["One "]);
  await fake.close();
});

Deno.test("SSE events separated by LF only are read too", async () => {
  const fake = FakeGemini.start({ eventDelimiter: "\n\n" });
  fake.script({ kind: "text", chunks: ["a", "b"] });
  const reply = await geminiBot(fake).reply(context("hi there, opening hours?").ctx);
  assertEquals(reply.text, "ab");
  await fake.close();
});

Deno.test("createBot picks Gemini only with an API key", () => {
  assert(createBot(testConfig(), knowledge) instanceof BuiltinBot);
  const config = testConfig({ GEMINI_API_KEY: "k", GEMINI_BASE_URL: "http://127.0.0.1:9" });
  const bot = createBot(config, knowledge);
  assert(bot instanceof GeminiBot);
  assertEquals(bot.name, config.botName);
  assertMatch(bot.greet(ADA), /Ada Lovelace/);
});
