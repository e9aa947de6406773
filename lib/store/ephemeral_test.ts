/**
 * The ephemeral-store check: only for Deno Deploy's own KV (KV_PATH unset there); silent when the
 * operator says a database is attached or the store held data at start; a warning when the
 * operator says none is, or when nothing rules an ephemeral store out.
 */
import { assertEquals } from "../../tests/assert.ts";
import { ephemeralKvWarning } from "./ephemeral.ts";

Deno.test("ephemeral KV: warned only when it can't be ruled out", async (t) => {
  const kv = await Deno.openKv(":memory:");
  try {
    const check = async (location: "deploy" | "file" | "memory" | "remote", attached?: boolean) => {
      const warning = await ephemeralKvWarning(kv, { location, attached });
      return warning && [warning.reason, warning.emptyAtStart];
    };
    await t.step("an empty store on Deploy, nothing said: warned", async () => {
      assertEquals(await check("deploy"), ["not_ruled_out", true]);
      const warning = await ephemeralKvWarning(kv, { location: "deploy", attached: undefined });
      assertEquals(/KV_ATTACHED=1/.test(warning!.message), true, "says how to fix it");
    });
    await t.step("KV_ATTACHED=1: silent", async () => {
      assertEquals(await check("deploy", true), null);
    });
    await t.step("KV_ATTACHED=0: warned, whatever the store holds", async () => {
      assertEquals(await check("deploy", false), ["declared", true]);
      await kv.set(["users", "u1"], {});
      assertEquals(await check("deploy", false), ["declared", false]);
    });
    await t.step("data at start: an ephemeral store never has any, so silent", async () => {
      assertEquals(await check("deploy"), null);
    });
    await t.step("KV_PATH set (anywhere): it says what the store is, silent", async () => {
      await kv.delete(["users", "u1"]);
      for (const location of ["file", "memory", "remote"] as const) {
        assertEquals(await check(location), null, location);
        assertEquals(await check(location, false), null, location);
      }
    });
  } finally {
    kv.close();
  }
});
