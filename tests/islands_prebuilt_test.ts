/**
 * Prebuilt islands (`deno task build`, ISLANDS=prebuilt, Deno Deploy): the folder reads back as
 * the build that wrote it, a server serves it, a bad folder stops start-up with one line, and a
 * prebuilt server never loads esbuild.
 */
import { assert, assertEquals, assertMatch, assertRejects } from "./assert.ts";
import { ConfigError, parseConfig } from "../lib/config.ts";
import type { IslandBuild } from "../lib/islands/render.ts";
import { buildIslands } from "../lib/islands/build.ts";
import {
  loadIslands,
  MANIFEST,
  readIslandBuild,
  writeIslandBuild,
} from "../lib/islands/prebuilt.ts";
import { spawnMain } from "./process.ts";
import { startTestServer } from "./helpers.ts";

const IMMUTABLE = "public, max-age=31536000, immutable";

let cached: Promise<IslandBuild> | undefined;
const freshBuild = () => cached ??= buildIslands();

/** A temp folder holding `deno task build`'s output; removed after `fn`. */
async function withPrebuilt(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "parley-islands-" });
  try {
    await writeIslandBuild(await freshBuild(), dir);
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** What a build serves: manifest, client, and every file's bytes and type. */
function served(build: IslandBuild) {
  const files = [...build.files].sort(([a], [b]) => a.localeCompare(b));
  return { manifest: build.manifest, client: build.client, files };
}

/** The module script of a page and the `/_islands/` URLs it imports. */
function moduleImports(html: string): string[] {
  const script = /<script type="module"[^>]*>([^<]*)<\/script>/.exec(html)?.[1];
  assert(script, `a module script in ${html.slice(0, 200)}`);
  return [...script.matchAll(/from"(\/_islands\/[^"]+)"/g)].map((m) => m[1]);
}

Deno.test("the written build reads back as a fresh build; old files are removed", async () => {
  await withPrebuilt(async (dir) => {
    const written = await freshBuild();
    const fresh = await buildIslands();
    const read = await readIslandBuild(dir);
    assertEquals(served(read), served(fresh));
    assertEquals(served(read), served(written));
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/${MANIFEST}`));
    assertEquals(manifest.islands, fresh.manifest);
    assertEquals(manifest.client, fresh.client);
    assert("ChatApp" in manifest.islands, JSON.stringify(manifest.islands));

    const old = "Gone-AAAAAAAA.js";
    const files = new Map(written.files);
    files.set(old, { contents: new TextEncoder().encode("1"), contentType: "text/javascript" });
    await writeIslandBuild({ ...written, files }, dir);
    assert(await Deno.stat(`${dir}/${old}`));
    await writeIslandBuild(written, dir);
    await assertRejects(() => Deno.stat(`${dir}/${old}`), "a file of the previous build stays");
  });
});

Deno.test("a server with ISLANDS=prebuilt serves the folder's bundles, immutable", async () => {
  await withPrebuilt(async (dir) => {
    const server = await startTestServer({ ISLANDS: "prebuilt", ISLANDS_DIR: dir });
    try {
      const page = await fetch(server.url);
      assertEquals(page.status, 200);
      const urls = moduleImports(await page.text());
      const build = await readIslandBuild(dir);
      assert(urls.includes(`/_islands/${build.client}`), urls.join());
      assert(urls.includes(`/_islands/${build.manifest.ChatApp.file}`), urls.join());
      for (const path of urls) {
        const res = await fetch(new URL(path, server.url));
        assertEquals(res.status, 200, path);
        assertEquals(res.headers.get("cache-control"), IMMUTABLE, path);
        const bytes = new Uint8Array(await res.arrayBuffer());
        assertEquals(bytes, await Deno.readFile(`${dir}/${path.slice("/_islands/".length)}`));
      }
    } finally {
      await server.shutdown();
    }
  });
});

Deno.test("ISLANDS: unset is build, on Deno Deploy auto; bad values name the setting", () => {
  assertEquals(parseConfig({}).islands.mode, "build");
  assertMatch(parseConfig({}).islands.dir, /\/_build\/islands\/$/);
  assertEquals(parseConfig({ DENO_DEPLOYMENT_ID: "d1" }).islands.mode, "auto");
  assertEquals(parseConfig({ DENO_DEPLOYMENT_ID: "d1", ISLANDS: "build" }).islands.mode, "build");
  assertEquals(parseConfig({ ISLANDS: "prebuilt", ISLANDS_DIR: "/x" }).islands, {
    mode: "prebuilt",
    dir: "/x",
  });
  try {
    parseConfig({ ISLANDS: "cdn" });
    throw new Error("accepted ISLANDS=cdn");
  } catch (err) {
    assert(err instanceof ConfigError, String(err));
    assertMatch(err.message, /^Invalid setting ISLANDS/);
  }
});

Deno.test("a missing, bad or stale prebuilt folder stops start-up with one line", async (t) => {
  await withPrebuilt(async (good) => {
    const manifest = JSON.parse(await Deno.readTextFile(`${good}/${MANIFEST}`));
    const cases: [string, (dir: string) => Promise<void>, RegExp][] = [
      ["no manifest", (dir) => Deno.remove(`${dir}/${MANIFEST}`), /manifest\.json is missing/],
      ["not JSON", (dir) => Deno.writeTextFile(`${dir}/${MANIFEST}`, "{"), /is not JSON/],
      ["a path outside the folder", (dir) => rewrite(dir, { client: "../x.js" }), /at "client"/],
      ["an island without its file", (dir) => rewrite(dir, { files: {} }), /is invalid/],
      [
        "a listed file missing",
        (dir) => Deno.remove(`${dir}/${manifest.client}`),
        /listed in manifest\.json, is missing/,
      ],
      [
        "islands/ changed since",
        (dir) => rewrite(dir, { islands: { ...manifest.islands, Gone: manifest.islands.ChatApp } }),
        /has islands .*Gone.* but islands\/ has/,
      ],
    ];
    async function rewrite(dir: string, patch: Record<string, unknown>) {
      await Deno.writeTextFile(`${dir}/${MANIFEST}`, JSON.stringify({ ...manifest, ...patch }));
    }
    for (const [name, spoil, reason] of cases) {
      await t.step(name, async () => {
        const dir = await Deno.makeTempDir({ prefix: "parley-islands-bad-" });
        try {
          for (const file of await readIslandBuild(good).then((b) => [...b.files.keys()])) {
            await Deno.copyFile(`${good}/${file}`, `${dir}/${file}`);
          }
          await Deno.copyFile(`${good}/${MANIFEST}`, `${dir}/${MANIFEST}`);
          await spoil(dir);
          const err = await assertRejects(() =>
            startTestServer({ ISLANDS: "prebuilt", ISLANDS_DIR: dir })
          );
          assert(err instanceof ConfigError, String(err));
          assertMatch(err.message, /^Invalid setting ISLANDS: /);
          assertMatch(err.message, reason);
          assert(!err.message.includes("\n"), err.message);
          if (name !== "no manifest") {
            // On Deno Deploy (auto), a manifest present means prebuilt: the same error.
            const auto = await assertRejects(() => loadIslands({ mode: "auto", dir }));
            assert(auto instanceof ConfigError, String(auto));
          }
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      });
    }
  });
});

Deno.test("on Deno Deploy without a prebuilt folder, the islands are built at start", async () => {
  const dir = await Deno.makeTempDir({ prefix: "parley-islands-none-" });
  try {
    const build = await loadIslands({ mode: "auto", dir });
    assertEquals(served(build), served(await freshBuild()));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---- main.ts as a real process, where esbuild can't be loaded or spawned ----

/**
 * Runs main.ts with `--deny-run` and an import map in which "esbuild" is a module that throws: any
 * import of esbuild, static or dynamic, fails start-up, and nothing can be spawned.
 */
async function spawnWithoutEsbuild(env: Record<string, string>, tmp: string) {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const imports = { ...config.imports, esbuild: "data:text/javascript,throw new Error('esbuild')" };
  await Deno.writeTextFile(`${tmp}/import_map.json`, JSON.stringify({ imports }));
  const denoArgs = ["--allow-net", "--allow-env", "--allow-read", "--allow-write", "--allow-sys"];
  denoArgs.push("--deny-run", "--import-map", `${tmp}/import_map.json`);
  const fullEnv = { PORT: "0", HOST: "127.0.0.1", KV_PATH: ":memory:", LOG_LEVEL: "error", ...env };
  const run = await spawnMain(fullEnv, denoArgs);
  return {
    url: run.url,
    /** Its exit code and what it printed after listening (at LOG_LEVEL=error: its errors). */
    async stop(): Promise<{ code: number; stderr: string }> {
      const { code, output } = await run.stop();
      return { code, stderr: output };
    },
  };
}

Deno.test("main.ts serves prebuilt islands without loading esbuild", async (t) => {
  await withPrebuilt(async (dir) => {
    await t.step("control: building at start needs esbuild, so it fails here", async () => {
      const run = await spawnWithoutEsbuild({ ISLANDS: "build" }, dir);
      const { code, stderr } = await run.stop();
      assertEquals(run.url, "");
      assert(code !== 0 && stderr.includes("Error: esbuild"), stderr);
    });
    const envs: Record<string, string>[] = [
      { ISLANDS: "prebuilt" },
      { DENO_DEPLOYMENT_ID: "test-deployment" },
    ];
    for (const env of envs) {
      await t.step(Object.keys(env)[0], async () => {
        const run = await spawnWithoutEsbuild({ ...env, ISLANDS_DIR: dir }, dir);
        try {
          assert(run.url, "Listening");
          const page = await fetch(run.url);
          assertEquals(page.status, 200);
          for (const path of moduleImports(await page.text())) {
            const res = await fetch(new URL(path, run.url));
            assertEquals([res.status, res.headers.get("cache-control")], [200, IMMUTABLE], path);
            await res.body?.cancel();
          }
        } finally {
          const { stderr } = await run.stop();
          assert(!stderr.includes("esbuild"), stderr);
        }
      });
    }
    await t.step("a corrupt manifest: exit 1 with one line naming ISLANDS", async () => {
      const bad = `${dir}/bad`;
      await Deno.mkdir(bad);
      await Deno.writeTextFile(`${bad}/${MANIFEST}`, '{"version": 1, "client": 7}');
      const run = await spawnWithoutEsbuild({ ISLANDS: "prebuilt", ISLANDS_DIR: bad }, dir);
      const { code, stderr } = await run.stop();
      assertEquals(code, 1);
      const lines = stderr.trim().split("\n");
      assertEquals(lines.length, 1, stderr);
      assertMatch(lines[0], /^Invalid setting ISLANDS: .*manifest\.json is invalid at "client"/);
    });
  });
});
