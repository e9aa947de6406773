/** One-at-a-time tasks: triggers during a run cost exactly one more run, in order. */
import { assertEquals } from "../tests/assert.ts";
import { coalesced } from "./coalesce.ts";

Deno.test("calls during a run coalesce into one more run, and all settle after it", async () => {
  const gates: (() => void)[] = [];
  let runs = 0;
  const task = coalesced(async () => {
    runs++;
    await new Promise<void>((resolve) => gates.push(resolve));
  });
  const first = task();
  const during = [task(), task(), task()];
  assertEquals(runs, 1);
  gates.shift()!(); // the first run ends; one more starts for the three calls made during it
  await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
  assertEquals(runs, 2);
  let settled = false;
  Promise.all([first, ...during]).then(() => settled = true);
  await new Promise((r) => setTimeout(r, 0));
  assertEquals(settled, false);
  gates.shift()!();
  await Promise.all([first, ...during]);
  assertEquals(runs, 2);
  // Idle again: the next call starts a fresh run.
  const next = task();
  assertEquals(runs, 3);
  gates.shift()!();
  await next;
});

Deno.test("a failing run rejects its callers and leaves the task usable", async () => {
  let fail = true;
  const task = coalesced(() => fail ? Promise.reject(new Error("boom")) : Promise.resolve());
  let error = "";
  await task().catch((e) => error = e.message);
  assertEquals(error, "boom");
  fail = false;
  await task();
});
