/** The agent's assistant: the extractive handoff summary, help-center drafts, and Gemini's. */
import { createLogger } from "../log.ts";
import { assertEquals, assertMatch } from "../../tests/assert.ts";
import { FakeGemini } from "../../tests/fake_gemini.ts";
import { ADA, knowledge, message } from "../../tests/bot_fixtures.ts";
import { type AssistContext, HelpCenterAssistant } from "./assist.ts";
import { GeminiAssistant } from "./gemini_assist.ts";
import { handoffSummary } from "./summary.ts";

const history = [
  message(1, "bot", "Hi! I'm Parley Assistant."),
  message(2, "customer", "hello"),
  message(3, "customer", "How do I delete my account?"),
  message(
    4,
    "bot",
    "Ask us in the chat.\n\nMore in “Deleting your account”: /help/deleting-your-account",
  ),
  message(5, "customer", "and what happens to my conversations?"),
  message(6, "customer", "talk to a human please"),
];
const facts = { name: "Ada", role: "customer", plan: "Pro", renewalDate: "2026-03-14" };
const ctx: AssistContext = {
  history,
  customer: ADA,
  facts,
  agent: { ...ADA, name: "Sam", role: "agent" },
};

Deno.test("the extractive summary: what they want, what the bot answered, the facts", () => {
  const summary = handoffSummary(history, facts, knowledge);
  assertEquals(summary.wants, [
    "How do I delete my account?",
    "and what happens to my conversations?",
  ]);
  assertEquals(summary.answered, [{
    question: "How do I delete my account?",
    slug: "deleting-your-account",
    title: "Deleting your account",
  }]);
  assertEquals(summary.facts, ["name: Ada", "plan: Pro", "renewal date: 14 March 2026"]);
  assertMatch(summary.text, /^Customer wants: “How do I delete/);
  assertMatch(
    handoffSummary([message(1, "customer", "agent please")], null).text,
    /asked for a person/,
  );
});

Deno.test("without a key: the best passage for the latest question (with its follow-up)", async () => {
  const suggestion = await new HelpCenterAssistant(knowledge).suggest(ctx);
  assertEquals([suggestion.source, suggestion.article?.slug], [
    "help_center",
    "deleting-your-account",
  ]);
  const none = await new HelpCenterAssistant(knowledge).suggest({
    ...ctx,
    history: [message(1, "customer", "what's the weather in Paris?")],
  });
  assertEquals([none.source, none.text], ["none", ""]);
});

Deno.test("with Gemini: a JSON draft, validated; anything else gives the help-center draft", async () => {
  const fake = FakeGemini.start();
  const gemini = new GeminiAssistant({
    apiKey: "k",
    model: "gemini-2.5-flash",
    fallbackModel: null,
    baseUrl: fake.baseUrl,
    timeoutMs: 5_000,
    knowledge,
    fallback: new HelpCenterAssistant(knowledge),
    log: createLogger("error"),
  });
  try {
    fake.script({
      kind: "text",
      chunks: [
        '{"reply": "Hi Ada, deleting your account also deletes your conversations. ',
        'See /help/deleting-your-account"}',
      ],
    });
    const drafted = await gemini.suggest(ctx);
    assertEquals([drafted.source, drafted.article?.slug], ["gemini", "deleting-your-account"]);
    assertMatch(drafted.text, /^Hi Ada/);
    assertEquals(fake.requests[0].stream, false);
    assertEquals(fake.requests[0].body.generationConfig.responseMimeType, "application/json");

    fake.script({ kind: "text", chunks: ['{"answer": 42}'] });
    assertEquals((await gemini.suggest(ctx)).source, "help_center", "wrong shape → fallback");
    fake.script({ kind: "malformed" });
    assertEquals((await gemini.suggest(ctx)).source, "help_center", "not JSON → fallback");

    fake.script({
      kind: "text",
      chunks: [
        '{"wants": ["delete the account"], "answered": ["deletion: /help/deleting-your-account"], "facts": ["plan: Pro"]}',
      ],
    });
    const summary = await gemini.summarize(ctx);
    assertEquals(summary.wants, ["delete the account"]);
    assertEquals(summary.answered[0].slug, "deleting-your-account");
    fake.script({ kind: "error", status: 500 });
    assertMatch((await gemini.summarize(ctx)).text, /Customer wants: “How do I delete/);
  } finally {
    await fake.close();
  }
});
