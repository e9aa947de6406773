import { z } from "zod";
import { assertEquals, assertMatch, assertRejects } from "../../tests/assert.ts";
import { AppError } from "../errors.ts";
import { defineSetting, Settings } from "./settings.ts";
import { keys } from "./keys.ts";

const colors = defineSetting(
  "colors",
  z.object({ accent: z.string().regex(/^#[0-9a-f]{6}$/), dark: z.boolean().default(false) }),
  { accent: "#000000", dark: false },
);

function setup(ttlMs = 1000) {
  const clock = { t: 0, now: () => clock.t };
  return {
    clock,
    open: (kv: Deno.Kv, onInvalid?: (n: string, p: string) => void) =>
      new Settings(kv, { clock, ttlMs, onInvalid }),
  };
}

Deno.test("settings: defaults until written, then versioned values", async () => {
  using kv = await Deno.openKv(":memory:");
  const { open } = setup();
  const settings = open(kv);
  assertEquals(await settings.get(colors), {
    value: { accent: "#000000", dark: false },
    revision: 0,
    updatedAt: null,
    updatedBy: null,
  });
  const first = await settings.set(colors, { accent: "#112233" }, { by: "u1" });
  assertEquals([first.revision, first.value, first.updatedBy], [1, {
    accent: "#112233",
    dark: false,
  }, "u1"]);
  assertEquals((await settings.get(colors)).value.accent, "#112233", "cache updated at once");
  const second = await settings.set(colors, { accent: "#445566", dark: true }, { revision: 1 });
  assertEquals(second.revision, 2);
});

Deno.test("settings: a bad value is a 400 naming the field, and changes nothing", async () => {
  using kv = await Deno.openKv(":memory:");
  const settings = setup().open(kv);
  const error = await assertRejects(() => settings.set(colors, { accent: "red" })) as AppError;
  assertEquals(error.code, "bad_request");
  assertMatch(error.message, /value\.accent/);
  assertEquals((await kv.get(keys.setting("colors"))).value, null);
});

Deno.test("settings: a write based on a stale revision is a 409", async () => {
  using kv = await Deno.openKv(":memory:");
  const settings = setup().open(kv);
  await settings.set(colors, { accent: "#111111" });
  await settings.set(colors, { accent: "#222222" }, { revision: 1 });
  const error = await assertRejects(() =>
    settings.set(colors, { accent: "#333333" }, { revision: 1 })
  ) as AppError;
  assertEquals(error.code, "conflict");
  assertEquals((await settings.get(colors)).value.accent, "#222222");
});

Deno.test("settings: another instance's write shows once the cache is older than the TTL", async () => {
  using kv = await Deno.openKv(":memory:");
  const { clock, open } = setup(1000);
  const one = open(kv), two = open(kv);
  assertEquals((await two.get(colors)).revision, 0);
  await one.set(colors, { accent: "#abcdef" });
  clock.t = 999;
  assertEquals((await two.get(colors)).revision, 0, "still cached");
  clock.t = 1000;
  assertEquals((await two.get(colors)).value.accent, "#abcdef", "re-read after the TTL");
});

Deno.test("settings: a stored value the schema no longer accepts reads as the defaults", async () => {
  using kv = await Deno.openKv(":memory:");
  const problems: string[] = [];
  const settings = setup().open(kv, (name, problem) => problems.push(`${name}: ${problem}`));
  await kv.set(keys.setting("colors"), {
    value: { accent: 42 },
    revision: 3,
    updatedAt: "2026-01-01T00:00:00.000Z",
    updatedBy: null,
  });
  const entry = await settings.get(colors);
  assertEquals([entry.value, entry.revision], [{ accent: "#000000", dark: false }, 3]);
  assertEquals(problems.length, 1);
  assertMatch(problems[0], /^colors: accent/);
});

Deno.test("defineSetting refuses defaults its schema rejects, and odd names", () => {
  let thrown = 0;
  try {
    defineSetting("x", z.object({ n: z.number() }), { n: "1" } as unknown as { n: number });
  } catch {
    thrown++;
  }
  try {
    defineSetting("Bad Name", z.number(), 1);
  } catch {
    thrown++;
  }
  assertEquals(thrown, 2);
});
