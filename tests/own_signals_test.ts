/**
 * OwnSignals: a watch wake-up is skipped only when every commit behind it was this instance's
 * own; any other instance's commit in between (even hidden by a later own commit) wakes listeners.
 */
import { assertEquals } from "./assert.ts";
import { OwnSignals } from "../lib/own_signals.ts";

Deno.test("own signals: own commits are skipped, foreign ones never", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const key = ["signal", 0];
    const own = new OwnSignals();
    const bump = async (mine: boolean) => {
      const res = await kv.atomic().sum(key, 1n).commit();
      if (mine && res.ok) own.note(res.versionstamp, [0]);
    };
    const read = async () => own.foreign(0, await kv.get(key));

    await bump(true); // before the first reading: not tracked, part of the baseline
    assertEquals(await read(), false, "the first reading is the baseline");
    await bump(true);
    await bump(true);
    assertEquals(await read(), false, "only own commits");
    assertEquals(await read(), false, "no change");
    await bump(false);
    assertEquals(await read(), true, "another instance's commit");
    await bump(false);
    await bump(true);
    assertEquals(await read(), true, "a foreign commit hidden behind an own one");
    // An own commit learned of after the reading that included it: counted as foreign once.
    const res = await kv.atomic().sum(key, 1n).commit();
    assertEquals(await read(), true);
    if (res.ok) own.note(res.versionstamp, [0]);
    await bump(true);
    assertEquals(await read(), false, "and not counted again later");
  } finally {
    kv.close();
  }
});
