import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { createLogger } from "../log.ts";
import { idGenerator } from "../ids.ts";
import { systemClock } from "../clock.ts";
import { HelpArticles } from "../store/help.ts";
import { HelpCenter } from "./help_center.ts";

/** The warning lines logged while `fn` runs (JSON, on stderr). */
async function warnings(fn: () => Promise<void>) {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.error = original;
  }
  return lines.map((l) => JSON.parse(l));
}

Deno.test("importing KNOWLEDGE_DIR: bad files are logged and kept as far as they make sense", async () => {
  using kv = await Deno.openKv(":memory:");
  const dir = await Deno.makeTempDir();
  try {
    const store = new HelpArticles(kv, systemClock, idGenerator());
    const missing = new HelpCenter(store, { log: createLogger("warn") });
    const lost = await warnings(() => missing.open(`${dir}/nope`));
    assertEquals(lost.map((l) => l.msg), ["help center import failed"]);
    assertEquals(missing.articles(), [], "an unreadable folder is not marked as imported");

    await Deno.writeTextFile(
      `${dir}/broken.md`,
      "---\nquestions: [x\n---\n# Broken\n\n## A\n\nText.\n",
    );
    await Deno.writeTextFile(`${dir}/huge.md`, `# Huge\n\n## A\n\n${"word ".repeat(60_000)}`);
    await Deno.writeTextFile(`${dir}/Bad Name.md`, "# Bad\n");
    await Deno.writeTextFile(`${dir}/fine.md`, "# Fine\n\n## Section\n\nAll good.\n");
    const help = new HelpCenter(store, { log: createLogger("warn") });
    const logged = await warnings(() => help.open(dir));
    assertEquals(help.articles().map((a) => a.slug), ["broken", "fine", "huge"]);
    assertEquals(help.article("broken")?.title, "Broken");
    assert(help.article("huge")!.source.length <= 200_000);
    const problems = logged.map((l) => `${l.msg}: ${l.problem ?? l.reason}`);
    assert(
      problems.some((p) => /broken: front matter is not valid YAML/.test(p)),
      problems.join("\n"),
    );
    assert(problems.some((p) => /huge: article longer than 200000/.test(p)), problems.join("\n"));
    assert(problems.includes("help article skipped: bad_name"), problems.join("\n"));
    assertMatch(help.search("all good")[0].slug, /^fine$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
