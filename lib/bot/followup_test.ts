/** Tests for followup.ts: what counts as a follow-up, and the previous topic. */
import assert from "node:assert/strict";
import { isFollowUp, lastBotWasUnsure, previousArticle, previousQuestion } from "./followup.ts";

Deno.test("follow-ups lean on the turn before", () => {
  for (
    const q of [
      "and how long does that take?",
      "what about on mobile?",
      "and for teams?",
      "how much does that cost?",
      "is that included in the standard plan?",
      "which currencies?",
    ]
  ) {
    assert.ok(isFollowUp(q), q);
  }
  for (
    const q of [
      "how do i reset my password",
      "how do I connect my Outlook calendar to Slotwise?",
      "where can I download my invoices",
      "",
    ]
  ) {
    assert.ok(!isFollowUp(q), q);
  }
});

Deno.test("the previous question skips the current message and small bits", () => {
  const history = [
    { sender: "customer", text: "How do I connect Outlook?" },
    { sender: "bot", text: "… More in “Connecting your calendar”: /help/calendar-sync" },
    { sender: "customer", text: "and how long does that take?" },
  ];
  assert.equal(
    previousQuestion(history, "and how long does that take?"),
    "How do I connect Outlook?",
  );
  assert.equal(previousQuestion([], "x"), null);
  assert.equal(previousArticle(history, () => undefined), "calendar-sync");
  const byTitle = [{ sender: "bot", text: "More in “Connecting your calendar”, Zoom" }];
  assert.equal(
    previousArticle(byTitle, (t) => t === "Connecting your calendar" ? "cal" : undefined),
    "cal",
  );
  assert.equal(previousArticle([{ sender: "agent", text: "/help/x" }], () => undefined), null);
});

Deno.test("a second miss is noticed from the bot's last message", () => {
  const unsure = ["I'm not sure."];
  assert.ok(
    lastBotWasUnsure(
      [{ sender: "bot", text: "I'm not sure." }, { sender: "customer", text: "x" }],
      unsure,
    ),
  );
  assert.ok(!lastBotWasUnsure([{ sender: "bot", text: "Hello" }], unsure));
});
