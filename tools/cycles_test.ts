import { assertEquals } from "../tests/assert.ts";
import { findCycles } from "./cycles.ts";

Deno.test("lib/ has no import cycles between its rooms", async () => {
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  assertEquals(await findCycles(root), []);
});

Deno.test("a cycle through a type-only import is found", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/lib/a`, { recursive: true });
    await Deno.mkdir(`${root}/lib/b`, { recursive: true });
    await Deno.writeTextFile(`${root}/lib/a/x.ts`, 'import type { Y } from "../b/y.ts";\n');
    await Deno.writeTextFile(`${root}/lib/b/y.ts`, 'export { x } from "../a/x.ts";\n');
    await Deno.writeTextFile(`${root}/lib/b/y_test.ts`, 'import "../util.ts";\n');
    const cycles = await findCycles(root);
    assertEquals(cycles.map((c) => c.rooms), [["lib/a/", "lib/b/"]]);
    assertEquals(cycles[0].edges.sort(), [
      "lib/a/x.ts imports lib/b/y.ts",
      "lib/b/y.ts imports lib/a/x.ts",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
