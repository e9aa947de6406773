/**
 * The built-in bot's evaluation as a test (tests/bot_eval/: a scheduling product's help center,
 * unlike Parley's own, and a frozen set of 126 realistic questions): at least 85% right overall
 * and no confident answer to a question no article answers. The set is frozen: its hash is
 * checked, so a change to it shows up in review.
 */
import { assert, assertEquals } from "./assert.ts";
import { BuiltinBot } from "../lib/bot/builtin.ts";
import { evaluate, formatReport, parseQuestionSet } from "../lib/bot/eval.ts";
import { KnowledgeBase } from "../lib/help/knowledge.ts";

const FROZEN = new URL("./bot_eval/eval.frozen.json", import.meta.url);
const FROZEN_SHA256 = "9954fd527851fbb43ad88094901f0bebe4766fb54815da40b9306129a4ab2cd4";
const SECOND_SHA256 = "9b20448aae34929ead49fe71470d8454850d771193e0eb9b010b2bfffdd752a9";

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("bot eval: ≥ 85% overall, no confident answer to an unanswerable question", async () => {
  const bytes = await Deno.readFile(FROZEN);
  assertEquals(await sha256(bytes), FROZEN_SHA256, "the frozen evaluation set changed");
  const cases = parseQuestionSet(new TextDecoder().decode(bytes));
  assert(cases.length >= 60, `${cases.length} cases`);
  const knowledge = await KnowledgeBase.load(
    new URL("./bot_eval/help_center", import.meta.url).pathname,
  );
  assertEquals(knowledge.warnings, []);
  const bot = new BuiltinBot({ name: "Assistant", businessName: "Slotwise", knowledge });
  const report = await evaluate(bot, cases);
  console.log(formatReport(report));
  assert(report.accuracy >= 0.85, `${report.right}/${report.total}`);
  assertEquals(report.confidentUnanswerable, 0);
  for (const c of report.categories) assert(c.total > 0);
});

Deno.test("bot eval, second set (written later, first run 35/47): never a confident answer to an unanswerable question", async () => {
  const bytes = await Deno.readFile(new URL("./bot_eval/eval2.frozen.json", import.meta.url));
  assertEquals(await sha256(bytes), SECOND_SHA256, "the second evaluation set changed");
  const cases = parseQuestionSet(new TextDecoder().decode(bytes));
  const knowledge = await KnowledgeBase.load(
    new URL("./bot_eval/help_center", import.meta.url).pathname,
  );
  const bot = new BuiltinBot({ name: "Assistant", businessName: "Slotwise", knowledge });
  const report = await evaluate(bot, cases);
  console.log(formatReport(report));
  assertEquals(report.confidentUnanswerable, 0);
  assert(report.accuracy >= 0.75, `${report.right}/${report.total}`);
});
