/**
 * `deno task bot:eval FILE [--help-center DIR] [-v]`: runs a question set (lib/bot/eval.ts) through
 * the built-in bot over a help center (default: the `help_center/` folder beside FILE, else the
 * shipped one) and prints accuracy per category, overall, confident answers to unanswerable
 * questions and the median reply time. Exits 1 on an unreadable set.
 */
import { dirname, join, resolve } from "node:path";
import { BuiltinBot } from "../lib/bot/builtin.ts";
import { evaluate, formatReport, parseQuestionSet } from "../lib/bot/eval.ts";
import { DEFAULT_KNOWLEDGE_DIR } from "../lib/config.ts";
import { KnowledgeBase } from "../lib/help/knowledge.ts";

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

const file = Deno.args.find((a) =>
  !a.startsWith("-") && Deno.args[Deno.args.indexOf(a) - 1] !== "--help-center"
);
if (!file) {
  console.error("usage: deno task bot:eval FILE [--help-center DIR] [-v]");
  Deno.exit(1);
}
const dirArg = Deno.args.indexOf("--help-center");
const beside = join(dirname(resolve(file)), "help_center");
const dir = dirArg >= 0
  ? Deno.args[dirArg + 1]
  : (await exists(beside))
  ? beside
  : DEFAULT_KNOWLEDGE_DIR;
try {
  const cases = parseQuestionSet(await Deno.readTextFile(file));
  const started = performance.now();
  const knowledge = await KnowledgeBase.load(dir);
  const loadMs = performance.now() - started;
  console.log(
    `help center: ${dir} (${knowledge.articles().length} articles, ${knowledge.index.sections.length} sections, indexed in ${
      loadMs.toFixed(0)
    } ms)`,
  );
  for (const warning of knowledge.warnings) console.log(`  warning: ${warning}`);
  const bot = new BuiltinBot({ name: "Assistant", businessName: "Eval", knowledge });
  const report = await evaluate(bot, cases, { warmUp: true });
  console.log(`${cases.length} questions from ${file}\n`);
  console.log(formatReport(report, Deno.args.includes("-v")));
} catch (error) {
  console.error(`bot:eval: ${error instanceof Error ? error.message : String(error)}`);
  Deno.exit(1);
}
