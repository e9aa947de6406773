import assert from "node:assert/strict";
import { Hono } from "hono";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { signal } from "@preact/signals";
import { type IslandBuild, renderPage, SUBMIT_GUARD } from "../lib/islands/render.ts";
import { buildIslands } from "../lib/islands/build.ts";
import { islandAssets } from "../lib/islands/serve.ts";
import Counter from "./fixtures/islands/Counter.tsx";
import { BROWSER_TEST, collectErrors, newPage, screenshot, withBrowser } from "./browser.ts";

const FIXTURES = new URL("./fixtures/islands/", import.meta.url).pathname;
const XSS = "</script><script>alert(1)</script><!--";

let cached: Promise<IslandBuild> | undefined;
const fixtureBuild = () => cached ??= buildIslands({ dir: FIXTURES });

function counterPage(build: IslandBuild): string {
  return renderPage({
    title: "Counters",
    build,
    body: h(
      "main",
      null,
      h("h1", null, "Two counters"),
      h("section", { id: "first" }, h(Counter, { start: 5, label: XSS, step: signal(2) })),
      h("section", { id: "second" }, h(Counter, { start: 10, label: "plain" })),
    ),
  });
}

/** The text of `<script type="application/json" id="__ISLAND_PROPS">`, up to the first `</script>`. */
function propsScript(html: string): string {
  const open = '<script type="application/json" id="__ISLAND_PROPS">';
  const start = html.indexOf(open);
  assert.ok(start >= 0, "the page has a props script");
  return html.slice(start + open.length, html.indexOf("</script>", start));
}

Deno.test("buildIslands bundles islands and client in memory, content-hashed", async () => {
  const build = await fixtureBuild();
  assert.deepEqual(build.manifest, {
    Counter: { file: build.manifest.Counter.file, export: "default" },
  });
  assert.match(build.manifest.Counter.file, /^Counter-[A-Z0-9]{8}\.js$/);
  assert.match(build.client, /^islands_client-[A-Z0-9]{8}\.js$/);
  // Classic scripts keep their fixed names (the widget loader is /widget.js); the rest is hashed.
  assert.deepEqual(build.scripts, { widget: "widget.js" });
  for (const name of build.files.keys()) {
    if (name !== "widget.js") assert.match(name, /^[\w-]+-[A-Z0-9]{8}\.js$/);
  }
  assert.ok(
    [...build.files.keys()].some((name) => name.startsWith("chunk-")),
    "shared chunk split",
  );
  const again = await buildIslands({ dir: FIXTURES });
  assert.deepEqual([...again.files.keys()].sort(), [...build.files.keys()].sort(), "same input");
});

Deno.test("a changed island gets a new file name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const source = await Deno.readTextFile(`${FIXTURES}Counter.tsx`);
    await Deno.writeTextFile(`${dir}/Counter.tsx`, source.replace(">add<", ">plus<"));
    const changed = await buildIslands({ dir });
    const build = await fixtureBuild();
    assert.notEqual(changed.manifest.Counter.file, build.manifest.Counter.file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a page without islands ships no JavaScript", async () => {
  const html = renderPage({
    title: "Plain",
    build: await fixtureBuild(),
    body: h("p", null, "hi"),
  });
  assert.match(html, /^<!doctype html><html lang="en">/);
  assert.ok(html.includes('<link rel="stylesheet" href="/static/app.css">'));
  assert.ok(html.includes('<meta name="viewport"'));
  assert.ok(!html.includes("<script"), html);
});

Deno.test("island props are escaped and revivable", async () => {
  const html = counterPage(await fixtureBuild());
  const json = propsScript(html);
  assert.ok(!json.includes("<"), "no raw < inside the props script");
  assert.deepEqual(JSON.parse(json), [
    { props: { start: 5, label: XSS, step: 2 }, signals: [["step"]] },
    { props: { start: 10, label: "plain" } },
  ]);
  assert.ok(!html.includes("<script>alert(1)"), "the label is rendered as text");
  assert.equal(
    html.match(/<script/g)?.length,
    3,
    "the submit guard, the props script and one module script",
  );
  assert.ok(html.includes(`<head><meta charset="utf-8"><script>${SUBMIT_GUARD}</script>`));
  assert.ok(html.includes('<div data-island="Counter" data-props="1" style="display:contents">'));
});

Deno.test("islands reject props that can't cross to the browser", async () => {
  const build = await fixtureBuild();
  const body = h(Counter, { start: 1, label: "x", onClick: () => {} } as never);
  assert.throws(
    () => renderPage({ title: "x", build, body }),
    /Island Counter: prop "onClick" is a function/,
  );
});

Deno.test("an island rendered outside renderPage is a plain component", async () => {
  await fixtureBuild();
  const html = renderToString(h(Counter, { start: 3, label: "x" }));
  assert.ok(!html.includes("data-island"), html);
  assert.ok(html.includes("<output>3</output>"), html);
});

Deno.test("bundles are served immutable; anything else is 404", async () => {
  const build = await fixtureBuild();
  const app = new Hono().route("/_islands", islandAssets(build));
  const response = await app.request(`/_islands/${build.manifest.Counter.file}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.equal(response.headers.get("content-type"), "text/javascript; charset=utf-8");
  assert.ok((await response.text()).length > 0);
  for (const path of ["/_islands/Counter.js", "/_islands/", "/_islands/a/b.js"]) {
    const missing = await app.request(path);
    assert.equal(missing.status, 404, path);
    await missing.body?.cancel();
  }
});

Deno.test(
  "Chromium hydrates two counters and never runs the injected script",
  BROWSER_TEST,
  async () => {
    const build = await fixtureBuild();
    const app = new Hono()
      .route("/_islands", islandAssets(build))
      .get(
        "/static/app.css",
        (c) => c.body("body{font-family:sans-serif}", 200, { "Content-Type": "text/css" }),
      )
      .get("/favicon.ico", (c) => c.body(null, 204))
      .get("/", (c) => c.html(counterPage(build)));
    const ac = new AbortController();
    const server = Deno.serve({ port: 0, signal: ac.signal, onListen() {} }, app.fetch);
    try {
      await withBrowser(async (browser) => {
        const page = await newPage(browser);
        const errors = collectErrors(page);
        await page.goto(`http://localhost:${server.addr.port}/`);
        const first = page.locator("#first output");
        const second = page.locator("#second output");
        await page.click("#first button");
        await page.waitForFunction(() =>
          document.querySelector("#first output")?.textContent === "7"
        );
        await page.click("#second button");
        await page.waitForFunction(() =>
          document.querySelector("#second output")?.textContent === "11"
        );
        assert.equal(await first.textContent(), "7", "the step signal was revived");
        assert.equal(await page.locator("#first .label").textContent(), XSS);
        // The one classic script is the page's submit guard; nothing was injected.
        assert.deepEqual(
          await page.locator("script:not([type])").allTextContents(),
          [SUBMIT_GUARD],
          "no injected script element",
        );
        await screenshot(page, "islands-counters");
        assert.deepEqual(errors, []);
        assert.equal(await second.textContent(), "11");
      });
    } finally {
      ac.abort();
      await server.finished;
    }
  },
);
