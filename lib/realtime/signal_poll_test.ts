/**
 * SignalPoller: each poll reports the shards whose versionstamp moved (all of them the first
 * time), nothing when nothing moved; started, it keeps polling until stopped, and a failed read is
 * told once.
 */
import { assert, assertEquals } from "../../tests/assert.ts";
import { until } from "../../tests/wait.ts";
import { SignalPoller } from "./signal_poll.ts";

const KEYS = [["signal", 0], ["signal", 1], ["signal", 2]];

Deno.test("signal poll: reports the shards that moved, once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "parley-poll-" });
  const kv = await Deno.openKv(`${dir}/kv.sqlite`);
  const other = await Deno.openKv(`${dir}/kv.sqlite`); // another handle on the same file
  try {
    const seen: [number, bigint][] = [];
    const poller = new SignalPoller(kv, KEYS, {
      intervalMs: 10,
      onChange: (shard, entry) =>
        seen.push([shard, entry.value instanceof Deno.KvU64 ? entry.value.value : 0n]),
      onError: (err) => {
        throw err;
      },
    });
    await poller.poll();
    assertEquals(seen, [[0, 0n], [1, 0n], [2, 0n]], "the first poll is the baseline of each");
    await poller.poll();
    assertEquals(seen.length, 3, "nothing moved");
    await other.atomic().sum(KEYS[1], 1n).sum(KEYS[2], 1n).commit();
    await other.atomic().sum(KEYS[2], 1n).commit();
    await poller.poll();
    assertEquals(seen.slice(3), [[1, 1n], [2, 2n]]);

    poller.start();
    await other.atomic().sum(KEYS[0], 1n).commit();
    await until(() => seen.length === 6, "the running poll to see shard 0 move");
    assertEquals(seen[5], [0, 1n]);
    poller.stop();
  } finally {
    other.close();
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("signal poll: a failing read is told once, and polling goes on", async () => {
  const kv = await Deno.openKv(":memory:");
  let fail = true;
  let reads = 0;
  const failing = {
    getMany: (keys: Deno.KvKey[]) => {
      reads++;
      return fail ? Promise.reject(new Error("locked")) : kv.getMany(keys);
    },
  } as unknown as Deno.Kv;
  const errors: unknown[] = [];
  let changes = 0;
  const poller = new SignalPoller(failing, KEYS, {
    intervalMs: 5,
    onChange: () => changes++,
    onError: (err) => errors.push(err),
  });
  try {
    poller.start();
    await until(() => reads >= 3, "three failed reads");
    fail = false;
    await until(() => changes === KEYS.length, "a poll after the failures");
    assertEquals(errors.length, 1);
    assert(String(errors[0]).includes("locked"));
  } finally {
    poller.stop();
    kv.close();
  }
});

Deno.test("signal poll: sleeps while nobody listens, reads at once on resume", async () => {
  const kv = await Deno.openKv(":memory:");
  let listening = false;
  let reads = 0;
  const counting = {
    getMany: (keys: Deno.KvKey[]) => {
      reads++;
      return kv.getMany(keys);
    },
  } as unknown as Deno.Kv;
  const moved: number[] = [];
  const poller = new SignalPoller(counting, KEYS, {
    intervalMs: 5,
    onChange: (shard) => moved.push(shard),
    onError: (err) => {
      throw err;
    },
    active: () => listening,
  });
  try {
    poller.start();
    await until(() => poller.sleeping, "the poll to fall asleep");
    assertEquals(reads, 0, "no reads while nobody listens");
    await kv.atomic().sum(KEYS[1], 1n).commit();
    listening = true;
    poller.resume();
    assertEquals(poller.sleeping, false);
    await until(() => reads >= 2, "reads again");
    assertEquals(moved, [0, 1, 2], "the first reading after the sleep");
    listening = false;
    await until(() => poller.sleeping, "asleep again");
  } finally {
    poller.stop();
    kv.close();
  }
});
