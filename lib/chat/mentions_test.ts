/** Which colleagues a note's `@Name` mentions. */
import { assertEquals } from "../../tests/assert.ts";
import { mentioned } from "./mentions.ts";

const staff = [
  { id: "a", name: "Ann" },
  { id: "b", name: "Ann Lee" },
  { id: "c", name: "Bob" },
];

Deno.test("mentions: whole names, any case, longest name first", () => {
  assertEquals(mentioned("ask @ann lee please", staff), ["b"]);
  assertEquals(mentioned("@Bob, can you look?", staff), ["c"]);
  assertEquals(mentioned("@Annie and @Bobby", staff), []);
  assertEquals(mentioned("no mention of Bob here", staff), []);
  assertEquals(mentioned("@ann and @BOB", staff).sort(), ["a", "c"]);
});
