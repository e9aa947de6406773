/** Tests for articles.ts: front matter, sections, limits and hostile input. */
import assert from "node:assert/strict";
import {
  LIMITS,
  loadDir,
  loadFromTexts,
  parseArticle,
  parseFrontMatter,
  splitSections,
} from "./articles.ts";

Deno.test("front matter questions are parsed and removed from the body", () => {
  const a = parseArticle(
    "x",
    "---\nquestions:\n  - How do I pay?\n  - Can I get a receipt?\n---\n# Pay\n\nText.",
  );
  assert.deepEqual(a.questions, ["How do I pay?", "Can I get a receipt?"]);
  assert.equal(a.title, "Pay");
  assert.ok(!a.markdown.includes("questions:"));
});

Deno.test("broken front matter never crashes: the article loads without it, with a warning", () => {
  const cases = [
    "---\nquestions: [a, b\n  - : :\n---\n# T\n\nBody.",
    "---\nquestions: 42\n---\n# T\n\nBody.",
    "---\nquestions:\n  - " + "x".repeat(5000) + "\n---\n# T\n\nBody.",
    "---\nquestions:\n  - a\n# T never closed\n\nBody.",
    "---\n&a [*a, *a]\n---\n# T\n",
  ];
  for (const raw of cases) {
    const warnings: string[] = [];
    const a = parseArticle("t", raw, warnings);
    assert.deepEqual(a.questions, [], raw.slice(0, 30));
    assert.equal(warnings.length, 1, raw.slice(0, 30));
  }
  assert.equal(parseFrontMatter("# No front matter").warning, undefined);
});

Deno.test("sections: one per heading, code fences kept, HTML stays text", () => {
  const a = parseArticle(
    "s",
    "# Title\n\nIntro.\n\n## One\n\nA <script>alert(1)</script> b.\n\n```\n## not a heading\n```\n\n### Two\n\n- item",
  );
  const sections = splitSections(a);
  assert.deepEqual(sections.map((s) => s.heading), ["", "One", "Two"]);
  assert.ok(!sections[1].body.includes("<script>"));
  assert.ok(sections[1].body.includes("## not a heading"));
});

Deno.test("limits: huge articles are cut, bad slugs skipped", () => {
  const huge = "# Big\n\n" + "## S\n\nword ".repeat(100_000);
  const { articles, warnings } = loadFromTexts({ big: huge, "Bad Slug": "# x", "../etc": "# y" });
  assert.equal(articles.length, 1);
  assert.ok(articles[0].markdown.length <= LIMITS.articleChars);
  assert.ok(splitSections(articles[0]).length <= LIMITS.sections);
  assert.equal(warnings.length, 3);
});

Deno.test("the evaluation's help center loads cleanly", async () => {
  const dir = new URL("../../tests/bot_eval/help_center", import.meta.url).pathname;
  const { articles, warnings } = await loadDir(dir);
  assert.ok(articles.length >= 15 && articles.length <= 20);
  assert.deepEqual(warnings, []);
  assert.ok(articles.some((a) => a.questions.length > 0));
});
