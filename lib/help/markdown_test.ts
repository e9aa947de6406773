import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { DEFAULT_KNOWLEDGE_DIR } from "../config.ts";
import { KnowledgeBase } from "./knowledge.ts";
import { renderMarkdown } from "./markdown.ts";

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
