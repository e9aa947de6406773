import { assert, assertEquals, assertMatch } from "./assert.ts";
import { DEFAULT_KNOWLEDGE_DIR } from "../lib/config.ts";
import { KnowledgeBase } from "../lib/help/knowledge.ts";
import { renderMarkdown } from "../lib/help/markdown.ts";

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
  assertEquals(kb.search("registering")[0]?.slug, "guest-vs-account");
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

Deno.test("renderMarkdown renders headings, paragraphs, lists, code and links", () => {
  const html = renderMarkdown(
    "# Title\n\nSome **bold**, *italic* and `code`.\nSecond line.\n\n- one\n- two [link](/help/x)\n\n" +
      "1. first\n2. second\n\n## Part\n\n```\na < b\n```\n",
  );
  // Whitespace between block tags and line breaks inside text are the renderer's to choose.
  const normalized = html.replace(/>\s+</g, "><").replace(/\s+<\//g, "</").replace(/\n/g, " ");
  assertEquals(
    normalized,
    [
      "<h1>Title</h1>",
      "<p>Some <strong>bold</strong>, <em>italic</em> and <code>code</code>. Second line.</p>",
      '<ul><li>one</li><li>two <a href="/help/x">link</a></li></ul>',
      "<ol><li>first</li><li>second</li></ol>",
      "<h2>Part</h2>",
      "<pre><code>a &lt; b</code></pre>",
    ].join(""),
  );
});

Deno.test("renderMarkdown is safe against markup and script URLs", async (t) => {
  const attacks = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[x](javascript:alert(1))",
    "[x](JavaScript:alert`1`)",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    '[x](https://ok.example/" onmouseover="alert(1))',
    "[x](//evil.example/path)",
    "**<b>bold</b>** `<i>`",
  ];
  for (const attack of attacks) {
    await t.step(attack, () => {
      const html = renderMarkdown(attack);
      assert(!/<(script|img|b|i)[\s>]/i.test(html), html);
      assert(!/href="(?!https?:\/\/|\/[^/])/i.test(html), html);
      assert(!/\son\w+="/i.test(html), html);
    });
  }
  await t.step("every shipped article renders with only known tags", async () => {
    const kb = await KnowledgeBase.load(DEFAULT_KNOWLEDGE_DIR);
    for (const article of kb.articles()) {
      const tags = renderMarkdown(article.markdown).match(/<\/?([a-z0-9]+)/g) ?? [];
      for (const tag of tags) assertMatch(tag, /^<\/?(h[1-6]|p|ul|ol|li|strong|em|code|pre|a)$/);
    }
  });
});
