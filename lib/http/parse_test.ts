import { assert, assertEquals } from "../../tests/assert.ts";
import { shortPath } from "./parse.ts";

Deno.test("shortPath: long paths are cut for logs and messages, with their length", () => {
  assertEquals(shortPath("/api/conversations/x"), "/api/conversations/x");
  const long = "/api/conversations/" + "A".repeat(2_000_000);
  const cut = shortPath(long);
  assert(cut.length < 260, `${cut.length} characters`);
  assert(cut.endsWith(`(${long.length} characters)`));
});
