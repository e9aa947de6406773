/** Tests for engine.ts: the whole reply path over the evaluation's help center (Slotwise). */
import assert from "node:assert/strict";
import { Engine } from "./engine.ts";
import { KnowledgeBase } from "../help/knowledge.ts";

const SLOTWISE = new URL("../../tests/bot_eval/help_center", import.meta.url).pathname;
const engine = new Engine(await KnowledgeBase.load(SLOTWISE));
const FACTS = { name: "Dana", plan: "Teams", renewalDate: "2026-03-14", seats: 12 };

Deno.test("help-center answers quote the section and link the article", () => {
  const r = engine.reply({ text: "where can I download my invoices?" });
  assert.equal(r.outcome, "answered");
  assert.equal(r.meta.slug, "billing-and-invoices");
  assert.equal(r.meta.section, "Finding your invoices");
  assert.match(
    r.text,
    /More in “Billing, invoices and payment methods”: \/help\/billing-and-invoices$/,
  );
  assert.ok(r.text.length < 700);
});

Deno.test("no confident answer without coverage: say so, offer a person, then hand off", () => {
  const first = engine.reply({ text: "is slotwise HIPAA compliant?" });
  assert.equal(first.outcome, "unsure");
  assert.match(first.text, /person/);
  const second = engine.reply({
    text: "do you have dark mode",
    history: [{ sender: "customer", text: "is slotwise HIPAA compliant?" }, {
      sender: "bot",
      text: first.text,
    }],
  });
  assert.equal(second.outcome, "handoff");
  assert.equal(engine.reply({ text: "x", consecutiveMisses: 1 }).outcome, "handoff");
});

Deno.test("requests for a person and frustration hand off, in the customer's language", () => {
  const cases: [string, string][] = [
    ["can someone from your team call me?", "en"],
    ["quiero hablar con una persona", "es"],
    ["Kann ich bitte mit einem Mitarbeiter sprechen?", "de"],
    ["dit is belachelijk", "nl"],
    ["WHY IS NOTHING WORKING", "en"],
  ];
  for (const [text, lang] of cases) {
    const r = engine.reply({ text });
    assert.equal(r.outcome, "handoff", text);
    assert.equal(r.meta.lang, lang, text);
    assert.ok(r.reason);
  }
  assert.match(
    engine.reply({ text: "quiero hablar con una persona" }).text,
    /persona de nuestro equipo/,
  );
});

Deno.test("a question in another language is offered a person politely, in that language", () => {
  const r = engine.reply({ text: "Come posso cambiare la mia password?" });
  assert.equal(r.outcome, "handoff");
  assert.equal(r.meta.lang, "it");
  assert.match(r.text, /inglese/);
});

Deno.test("account questions use the customer's facts; guests are asked to sign in", () => {
  const r = engine.reply({ text: "when does my subscription renew?", facts: FACTS });
  assert.equal(r.meta.factKey, "renewalDate");
  assert.match(r.text, /14 March 2026/);
  assert.equal(
    engine.reply({ text: "how many seats are we paying for", facts: FACTS }).meta.factKey,
    "seats",
  );
  assert.match(engine.reply({ text: "what plan am I on?", facts: null }).text, /guest/);
  const how = engine.reply({ text: "how can I change the email on my account", facts: FACTS });
  assert.equal(how.meta.slug, "profile-and-account");
});

Deno.test("follow-ups carry the previous topic", () => {
  const r = engine.reply({
    text: "and how long does that take?",
    history: [
      { sender: "customer", text: "How do I connect my Outlook calendar?" },
      {
        sender: "bot",
        text: "You can connect … More in “Connecting your calendar”: /help/calendar-sync",
      },
    ],
  });
  assert.equal(r.meta.section, "How long syncing takes");
});

Deno.test("small talk, empty and invalid input", () => {
  assert.equal(engine.reply({ text: "hi" }).outcome, "smalltalk");
  assert.equal(engine.reply({ text: "merci beaucoup" }).meta.lang, "fr");
  assert.equal(engine.reply({ text: "   " }).outcome, "unsure");
  assert.equal(engine.reply({ text: 42 } as never).reason, "invalid input");
  assert.equal(engine.reply({ text: "hi", history: "nope" } as never).reason, "invalid input");
  const huge = engine.reply({
    text: "refund ".repeat(50_000),
    history: Array(1000).fill({ sender: "customer", text: "x" }),
  });
  assert.ok(huge.text);
});
