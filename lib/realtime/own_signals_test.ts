/**
 * OwnSignals: a watch wake-up is skipped only when every commit behind it was this instance's
 * own; any other instance's commit in between (even hidden behind a later own commit) wakes the
 * listeners, and a reading waits for own commits that were in flight when it arrived.
 */
import { assertEquals } from "../../tests/assert.ts";
import { OwnSignals } from "./own_signals.ts";

Deno.test("own signals: own commits are skipped, foreign ones never", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const key = ["signal", 0];
    const own = new OwnSignals();
    const bump = async (mine: boolean) => {
      const done = mine ? own.start() : null;
      const res = await kv.atomic().sum(key, 1n).commit();
      done?.(res.ok ? res.versionstamp : null, [0]);
    };
    const read = async () => {
      let woke = false;
      own.reading(0, await kv.get(key), () => woke = true);
      return woke;
    };

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

    // The watch reports an own commit before its caller hears back: the reading waits for it.
    const done = own.start();
    const res = await kv.atomic().sum(key, 1n).commit();
    let woke: boolean | null = null;
    own.reading(0, await kv.get(key), () => woke = true);
    assertEquals(woke, null, "judged only once the commit in flight has settled");
    done(res.ok ? res.versionstamp : null, [0]);
    assertEquals(woke, null, "and then skipped: it was our own");
    // A commit that fails still releases the readings waiting for it.
    const failed = own.start();
    await bump(false);
    woke = null;
    own.reading(0, await kv.get(key), () => woke = true);
    failed(null, [0]);
    assertEquals(woke, true);
  } finally {
    kv.close();
  }
});

Deno.test("own signals: the watch and the poll report the same commits once, in any order", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const key = ["signal", 0];
    const own = new OwnSignals();
    const bump = async (mine: boolean) => {
      const done = mine ? own.start() : null;
      const res = await kv.atomic().sum(key, 1n).commit();
      done?.(res.ok ? res.versionstamp : null, [0]);
    };
    const judge = (entry: Deno.KvEntryMaybe<unknown>) => {
      let woke = false;
      own.reading(0, entry, () => woke = true);
      return woke;
    };
    assertEquals(judge(await kv.get(key)), false, "baseline");
    await bump(false);
    const foreign = await kv.get(key);
    await bump(true);
    const later = await kv.get(key);
    assertEquals(judge(later), true, "the poll's newer reading carries the foreign commit");
    assertEquals(judge(foreign), false, "the watch's older reading, late: judged already");
    assertEquals(judge(later), false, "the same reading from the other source");
    await bump(true);
    const mine = await kv.get(key);
    assertEquals([judge(mine), judge(mine)], [false, false], "own commits, seen both ways");
    await bump(false);
    const other = await kv.get(key);
    assertEquals([judge(other), judge(other)], [true, false], "one wake-up for one commit");
  } finally {
    kv.close();
  }
});
