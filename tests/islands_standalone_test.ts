/**
 * Standalone islands (`export const standalone = true`): bundled on their own with their own
 * hydration client, so their page loads none of the chunks the other islands share; such an island
 * must be alone on its page; prebuilt manifests keep the distinction.
 */
import assert from "node:assert/strict";
import { h } from "preact";
import { renderPage } from "../lib/islands/render.ts";
import { buildIslands } from "../lib/islands/build.ts";
import { readIslandBuild, writeIslandBuild } from "../lib/islands/prebuilt.ts";
import LoneIsland from "./fixtures/standalone/LoneIsland.tsx";
import PlainIsland from "./fixtures/standalone/PlainIsland.tsx";

const FIXTURES = new URL("./fixtures/standalone/", import.meta.url).pathname;

/** Every file a module imports, transitively, from `from` (esbuild's `from"./x.js"`). */
function closure(files: Map<string, { contents: Uint8Array }>, from: string): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const text = new TextDecoder().decode(files.get(name)!.contents);
    for (const m of text.matchAll(/from\s*"\.\/([\w-]+\.js)"/g)) visit(m[1]);
  };
  visit(from);
  return seen;
}

Deno.test("a standalone island gets its own client and loads only what it uses", async () => {
  const build = await buildIslands({ dir: FIXTURES });
  const lone = build.manifest.LoneIsland;
  const plain = build.manifest.PlainIsland;
  assert.ok(lone.client, "its own client");
  assert.equal(plain.client, undefined);
  const text = (names: Set<string>) =>
    [...names].map((n) => new TextDecoder().decode(build.files.get(n)!.contents)).join("\n");
  const lonePage = text(
    new Set([...closure(build.files, lone.file), ...closure(build.files, lone.client)]),
  );
  const plainPage = text(
    new Set([...closure(build.files, plain.file), ...closure(build.files, build.client)]),
  );
  assert.ok(lonePage.includes("small-part") && plainPage.includes("BIG-PART"));
  // Bundled together, the shared module's chunk would carry `big` to the lone island's page too.
  assert.ok(!lonePage.includes("BIG-PART"), "the lone page loads only what it uses");

  const page = renderPage({ title: "Alone", build, body: h(LoneIsland, { label: "one" }) });
  assert.ok(page.includes(`import{hydrateIslands}from"/_islands/${lone.client}"`));
  // With a client of its own that differs from the shared one, it can't share a page.
  const split = {
    ...build,
    manifest: { ...build.manifest, LoneIsland: { ...lone, client: "islands_client-OTHER.js" } },
  };
  assert.throws(
    () =>
      renderPage({
        title: "Mixed",
        build: split,
        body: h("main", null, h(LoneIsland, { label: "a" }), h(PlainIsland, { label: "b" })),
      }),
    /must be the only island on its page/,
  );

  const dir = await Deno.makeTempDir();
  try {
    await writeIslandBuild(build, dir);
    const read = await readIslandBuild(dir);
    assert.deepEqual(read.manifest, build.manifest);
    assert.deepEqual(read.scripts, build.scripts);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
