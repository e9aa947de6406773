/** Tests for account.ts: any matching fact key answers; nothing is guessed. */
import assert from "node:assert/strict";
import { answerAccount, keyWords, render } from "./account.ts";

const FACTS = {
  name: "Dana",
  email: "dana@example.com",
  registeredAt: "2024-02-11T09:30:00Z",
  plan_name: "Teams",
  renewalDate: "2026-03-14",
  seats: 12,
  seatsInUse: 9,
  orders: [{ id: "A1", total: { amount: 20, currency: "EUR" } }, { id: "A2" }],
  connectedCalendars: ["Google", "Outlook"],
  lastInvoice: { number: "INV-1", amount: 1843.2, currency: "USD", date: "2025-03-14" },
};
const key = (q: string, facts: Record<string, unknown> | null = FACTS) =>
  answerAccount(q, facts)?.factKey;

Deno.test("keys are split into words", () => {
  assert.deepEqual(keyWords("renewalDate"), ["renewal", "date"]);
  assert.deepEqual(keyWords("plan_name"), ["plan", "name"]);
  assert.deepEqual(keyWords("seatsInUse"), ["seats", "in", "use"]);
  assert.deepEqual(keyWords("lastSMSCredits"), ["last", "sms", "credits"]);
});

Deno.test("questions outside the 'what's my …' shape find the fact", () => {
  assert.equal(key("when does my subscription renew?"), "renewalDate");
  assert.equal(key("how many seats are we paying for"), "seats");
  assert.equal(key("how many of our seats are in use?"), "seatsInUse");
  assert.equal(key("how many orders have I placed"), "orders");
  assert.equal(key("which calendars did I connect?"), "connectedCalendars");
  assert.equal(key("when did I sign up?"), "registeredAt");
  assert.equal(key("what plan are we on"), "plan_name");
  assert.equal(key("when is the renewal date"), "renewalDate");
});

Deno.test("values are rendered readably", () => {
  assert.match(answerAccount("when does my subscription renew?", FACTS)!.text, /14 March 2026/);
  assert.match(answerAccount("how many orders have I placed", FACTS)!.text, /\(2\)/);
  assert.match(render(FACTS.lastInvoice), /USD 1,843\.20/);
  assert.match(render(FACTS.orders), /EUR 20\.00/);
  assert.equal(render({ a: { b: { c: { d: 1 } } } }), "a: b: c: …");
  assert.ok(render(Array.from({ length: 1000 }, (_, i) => i)).length < 200);
});

Deno.test("never guesses: absent facts are said to be unknown", () => {
  const a = answerAccount("what's my account manager's name?", FACTS);
  assert.equal(a?.known, false);
  assert.equal(a?.factKey, null);
  assert.equal(answerAccount("how many sms credits do we have left", { seats: 1 })?.known, false);
});

Deno.test("how-to questions and general questions are not account questions", () => {
  for (
    const q of [
      "how do I change my email",
      "how many calendars can I connect on the free plan",
      "what plans are there",
      "how much does the teams plan cost",
      "can I get my money back",
    ]
  ) {
    assert.equal(answerAccount(q, FACTS), null, q);
  }
});

Deno.test("guests are asked to sign in; hostile facts do not break anything", () => {
  assert.equal(answerAccount("what plan am I on", null)?.known, false);
  const weird = {
    ["__proto__"]: 1,
    seats: NaN,
    x: Symbol("s"),
    renewalDate: "not a date",
  } as never;
  assert.doesNotThrow(() => answerAccount("how many seats do we have", weird));
  assert.match(answerAccount("when does my subscription renew?", weird)!.text, /not a date/);
});
