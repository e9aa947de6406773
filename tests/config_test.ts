/** Start-up with settings: refusing bad values in one line, and the `Listening on` line. */
import { assert, assertEquals } from "./assert.ts";
import { spawnMain } from "./process.ts";

Deno.test("start-up stops with one line naming the bad setting", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../main.ts", import.meta.url).pathname],
    env: { PORT: "nope", KV_PATH: ":memory:" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 1);
  const err = new TextDecoder().decode(out.stderr).trim().split("\n");
  assertEquals(err.length, 1);
  assert(err[0].startsWith("Invalid setting PORT"), err[0]);
});

Deno.test("PORT=0 prints one Listening line; the first admin is created once", async () => {
  const dir = await Deno.makeTempDir();
  const env = { PORT: "0", KV_PATH: `${dir}/kv.sqlite` };
  try {
    const first = await spawnMain(env);
    try {
      // One Listening line, and the admin line before it.
      assertEquals(first.banner.match(/^Listening on /gm)?.length, 1);
      assert(first.url, first.banner);
      assert(
        /Created the first admin: admin@parley\.local \/ \S+/.test(first.banner),
        first.banner,
      );
      assertEquals(await (await fetch(first.url + "healthz")).json(), { ok: true });
    } finally {
      await first.stop();
    }
    const second = await spawnMain(env);
    await second.stop();
    assert(second.url, second.banner);
    assert(!second.banner.includes("Created the first admin"), second.banner);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
