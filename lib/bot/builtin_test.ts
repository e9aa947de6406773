import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { trimPassage } from "./builtin.ts";
import { ADA, builtinBot as bot, GUEST, message } from "../../tests/bot_fixtures.ts";
import type { BotContext, BotReply, CustomerFacts } from "./types.ts";
import type { Conversation, User } from "../contract/types.ts";

/** A hand-built context: the greeting, then the customer's `text` as the newest message. */
function context(
  text: string,
  options: { customer?: User; facts?: CustomerFacts | null; misses?: number } = {},
): BotContext {
  const customer = options.customer ?? ADA;
  const conversation = {
    id: "c1",
    customerId: customer.id,
    customerName: customer.name,
    mode: "bot",
  } as Conversation;
  return {
    conversation,
    customer,
    history: [message(1, "bot", "Hi!"), message(2, "customer", text)],
    consecutiveMisses: options.misses ?? 0,
    facts: () => Promise.resolve(options.facts === undefined ? null : options.facts),
    signal: new AbortController().signal,
    typing: () => {},
    partial: () => {},
  };
}

const ask = (text: string, options?: Parameters<typeof context>[1]): Promise<BotReply> =>
  bot.reply(context(text, options));

/** Paraphrased customer questions and the article that answers each. */
const QUESTIONS: [string, string][] = [
  ["How do I start a conversation with you?", "starting-a-chat"],
  ["Do I need to install an app to chat?", "starting-a-chat"],
  ["what kinds of questions can the assistant answer", "starting-a-chat"],
  ["how long will I wait for an agent", "talking-to-a-human"],
  ["What happens if all the agents are busy?", "talking-to-a-human"],
  ["Will the agent see what I already wrote?", "talking-to-a-human"],
  ["How can I make an account?", "creating-an-account"],
  ["how do I sign up", "creating-an-account"],
  ["How long does the password need to be?", "creating-an-account"],
  ["It says invalid email or password when I log in", "creating-an-account"],
  ["how do i log out", "creating-an-account"],
  ["I forgot my password", "resetting-your-password"],
  ["Hi, how can I reset my password?", "resetting-your-password"],
  ["can I change the email address on my account", "resetting-your-password"],
  ["Can I chat without registering?", "guest-vs-account"],
  ["what's the difference between a guest and an account", "guest-vs-account"],
  ["why can't the bot see my plan as a guest", "guest-vs-account"],
  ["What personal data do you keep about me?", "privacy-and-data"],
  ["Who can read my messages?", "privacy-and-data"],
  ["Do you use cookies for tracking?", "privacy-and-data"],
  ["Can I get a copy of my data?", "privacy-and-data"],
  ["my wifi dropped, did I lose my messages?", "notifications-and-reconnecting"],
  ["what happens if I go offline", "notifications-and-reconnecting"],
  ["will I get notified when someone replies", "notifications-and-reconnecting"],
  ["my laptop went to sleep during the chat", "notifications-and-reconnecting"],
  ["When are you open?", "business-hours"],
  ["What are your opening hours?", "business-hours"],
  ["Are agents available on weekends?", "business-hours"],
  ["How quickly do you reply?", "business-hours"],
  ["Is support open on public holidays?", "business-hours"],
  ["How much does it cost?", "plans-and-billing"],
  ["I need a copy of my invoice", "plans-and-billing"],
  ["How do I cancel my subscription?", "plans-and-billing"],
  ["Can I get a refund?", "plans-and-billing"],
  ["Is it safe to share my card number in the chat?", "plans-and-billing"],
  ["How do I delete my account?", "deleting-your-account"],
  ["please remove all my data and close my account", "deleting-your-account"],
  ["Can a deleted account be restored?", "deleting-your-account"],
  ["what happens to my conversations if I delete my account", "deleting-your-account"],
];

const OFF_TOPIC = [
  "what's the weather in Paris",
  "who won the football match yesterday",
  "can you write me a poem about cats",
  "what is the capital of Australia",
  "how do I bake sourdough bread",
];

Deno.test("help-center questions are answered with the right article", async () => {
  const wrong: string[] = [];
  for (const [question, slug] of QUESTIONS) {
    const reply = await ask(question);
    if (reply.outcome !== "answered" || !reply.text.endsWith(`/help/${slug}`)) {
      wrong.push(`${question} → ${reply.outcome}: ${reply.text.split("\n").at(-1)}`);
    }
  }
  const right = QUESTIONS.length - wrong.length;
  console.log(`question table: ${right}/${QUESTIONS.length} answered with the right article`);
  for (const line of wrong) console.log(`  miss: ${line}`);
  assert(right / QUESTIONS.length >= 0.8, `only ${right}/${QUESTIONS.length} right`);
});

Deno.test("an answer quotes a short passage, the article's title and its link", async () => {
  const reply = await ask("What are your opening hours?");
  assertEquals(reply.outcome, "answered");
  assertMatch(reply.text, /Monday to Friday, 9:00 to 17:00/);
  assertMatch(reply.text, /“Business hours and response times”: \/help\/business-hours$/);
  assertEquals(trimPassage("One. Two! Three? Four."), "One. Two! Three?");
  assert(trimPassage("x".repeat(1000)).length <= 400);
});

Deno.test("off-topic questions are unsure, and a second miss in a row hands off", async (t) => {
  for (const question of OFF_TOPIC) {
    await t.step(question, async () => {
      const first = await ask(question);
      assertEquals(first.outcome, "unsure", first.text);
      assertMatch(first.text, /not sure/);
      const second = await ask(question, { misses: 1 });
      assertEquals(second.outcome, "handoff");
      assert(second.reason);
    });
  }
});

Deno.test("small talk: greetings, thanks and help", async (t) => {
  const cases: [string, RegExp][] = [
    ["hi", /How can I help/],
    ["Hello there!", /How can I help/],
    ["good morning", /How can I help/],
    ["thanks!", /welcome/],
    ["Thank you so much", /welcome/],
    ["cheers", /welcome/],
    ["help", /Business hours and response times/],
    ["What can you do?", /talk to a human/],
  ];
  for (const [text, expected] of cases) {
    await t.step(text, async () => {
      const reply = await ask(text);
      assertEquals(reply.outcome, "smalltalk");
      assertMatch(reply.text, expected);
    });
  }
});

Deno.test("asking for a person hands off", async (t) => {
  const phrases = [
    "talk to a human",
    "Can I talk to someone?",
    "real person please",
    "agent",
    "Agent!",
    "speak to a person",
    "I want a human",
    "representative",
    "operator please",
    "can you connect me with an agent",
  ];
  for (const text of phrases) {
    await t.step(text, async () => {
      const reply = await ask(text);
      assertEquals(reply.outcome, "handoff");
      assertMatch(reply.text, /get a person/);
    });
  }
});

Deno.test("frustration hands off", async (t) => {
  const phrases = [
    "this is useless",
    "you're not helping",
    "wtf",
    "why won't it work!!!",
    "I ALREADY TOLD YOU THAT",
    "this is ridiculous",
  ];
  for (const text of phrases) {
    await t.step(text, async () => assertEquals((await ask(text)).outcome, "handoff"));
  }
});

Deno.test("questions about agents are not requests for one", async () => {
  const reply = await ask("When are agents available?");
  assertEquals(reply.outcome, "answered");
});

Deno.test("account questions are answered from the customer's facts", async (t) => {
  const facts = {
    name: "Ada Lovelace",
    email: "ada@example.com",
    role: "customer",
    registeredAt: "2026-11-21T09:30:00.000Z",
    plan: "Pro",
    orders: 3,
    loyaltyTier: "gold",
  };
  const cases: [string, RegExp][] = [
    ["When did I register?", /You registered on 21 November 2026 \(2026-11-21\)/],
    ["when did I sign up", /21 November 2026/],
    ["How long have I been a customer?", /21 November 2026/],
    ["What's my email?", /ada@example\.com/],
    ["what is my name", /Ada Lovelace/],
    ["What plan am I on?", /Pro plan/],
    ["how many orders do I have", /You have 3 orders/],
    ["what's my loyalty tier?", /gold/],
  ];
  for (const [text, expected] of cases) {
    await t.step(text, async () => {
      const reply = await ask(text, { facts });
      assertEquals(reply.outcome, "answered");
      assertMatch(reply.text, expected);
    });
  }
  await t.step("a fact the API does not provide is not invented", async () => {
    const reply = await ask("What plan am I on?", { facts: { ...facts, plan: undefined } });
    assertEquals(reply.outcome, "unsure");
    assertMatch(reply.text, /don't have that information/);
  });
  await t.step("how-to questions about the account go to the help center", async () => {
    const reply = await ask("How do I change my email?", { facts });
    assertMatch(reply.text, /\/help\/resetting-your-password/);
  });
});

Deno.test("a guest's account question explains signing in", async (t) => {
  for (const text of ["When did I register?", "what plan am I on", "how many orders do I have"]) {
    await t.step(text, async () => {
      const reply = await ask(text, { customer: GUEST, facts: null });
      assertEquals(reply.outcome, "answered");
      assertMatch(reply.text, /as a guest/);
    });
  }
});

Deno.test("the greeting names a signed-in customer but not a guest", () => {
  const greeting = bot.greet(ADA);
  assertMatch(greeting, /^Hi Ada Lovelace! I'm Parley Assistant, Acme's virtual assistant/);
  assertMatch(greeting, /talk to a person/);
  assertMatch(bot.greet(GUEST), /^Hi! /);
  assert(!bot.greet(GUEST).includes("Guest 42"));
});
