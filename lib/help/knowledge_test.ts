import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { DEFAULT_KNOWLEDGE_DIR } from "../config.ts";
import { KnowledgeBase } from "./knowledge.ts";

Deno.test("the shipped help center loads with titles and sections", async () => {
  const kb = await KnowledgeBase.load(DEFAULT_KNOWLEDGE_DIR);
  const articles = kb.articles();
  assert(articles.length >= 8, `only ${articles.length} articles`);
  for (const article of articles) {
    assertMatch(article.slug, /^[a-z0-9-]+$/);
    assert(article.title && article.title !== article.slug, `${article.slug} has no # title`);
    assert((article.markdown.match(/^## /gm) ?? []).length >= 2, `${article.slug}: few sections`);
  }
  assertEquals(kb.article("business-hours")?.title, "Business hours and response times");
  assertEquals(kb.article("nope"), undefined);
});

Deno.test("search returns the section that answers, one hit per article", async () => {
  const kb = await KnowledgeBase.load(DEFAULT_KNOWLEDGE_DIR);
  const hits = kb.search("what are your opening hours", 5);
  assertEquals(hits[0].slug, "business-hours");
  assertEquals(hits[0].heading, "Opening hours");
  assertMatch(hits[0].passage, /Monday to Friday/);
  assert(!hits[0].passage.includes("**"), "passages are plain text");
  assertEquals(new Set(hits.map((h) => h.slug)).size, hits.length);
  assert(hits.every((h, i) => i === 0 || h.score <= hits[i - 1].score));
  assertEquals(kb.search("the and of", 3), [], "stop words alone match nothing");
});

Deno.test("search tolerates typos, word forms and synonyms", async () => {
  const kb = await KnowledgeBase.load(DEFAULT_KNOWLEDGE_DIR);
  assertEquals(kb.search("pasword resett")[0]?.slug, "resetting-your-password");
  assertEquals(kb.search("registering")[0]?.slug, "creating-an-account");
  assertEquals(kb.search("how do I sign up")[0]?.slug, "creating-an-account");
  assertEquals(kb.search("erase my account")[0]?.slug, "deleting-your-account");
});

Deno.test("load reads a folder of Markdown files and skips the rest", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/returns.md`, "# Returns\n\n## Window\n\n30 days to return.\n");
    await Deno.writeTextFile(`${dir}/no-title.md`, "Just text about shipping.\n");
    await Deno.writeTextFile(`${dir}/notes.txt`, "# Not an article\n");
    await Deno.writeTextFile(`${dir}/Bad Name.md`, "# Bad\n");
    const kb = await KnowledgeBase.load(dir);
    assertEquals(kb.articles().map((a) => a.slug).sort(), ["no-title", "returns"]);
    assertEquals(kb.article("no-title")?.title, "no-title");
    const [hit] = kb.search("return window");
    assertEquals([hit.slug, hit.title, hit.heading, hit.passage], [
      "returns",
      "Returns",
      "Window",
      "30 days to return.",
    ]);
    assertEquals(kb.search("shipping")[0].heading, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
