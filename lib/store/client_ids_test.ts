/** The dedupe window's bounds (./client_ids.ts): per author, authors, order, and stripping. */
import { assertEquals } from "../../tests/assert.ts";
import {
  AUTHORS,
  candidates,
  PER_AUTHOR,
  publicRecord,
  type StoredConversation,
  withClientId,
} from "./client_ids.ts";

const base = { id: "c1" } as StoredConversation;

Deno.test("client ids: the newest PER_AUTHOR per author, AUTHORS authors, least recent out", () => {
  let c: StoredConversation = base;
  for (let i = 1; i <= PER_AUTHOR + 3; i++) {
    c = { ...c, recentClientIds: withClientId(c, "ann", `id${i}`, i) };
  }
  assertEquals(c.recentClientIds!.ann.length, PER_AUTHOR * 2);
  assertEquals(candidates(c, "ann", "id3"), [], "pushed out");
  assertEquals(candidates(c, "ann", "id4"), [4]);
  assertEquals(candidates(c, "bob", "id4"), [], "per author");
  for (let a = 0; a < AUTHORS; a++) {
    c = { ...c, recentClientIds: withClientId(c, `a${a}`, "x", 100 + a) };
  }
  assertEquals(Object.keys(c.recentClientIds!).length, AUTHORS);
  assertEquals(c.recentClientIds!.ann, undefined, "the least recent author went first");
  // An author writing again moves to the newest place.
  c = { ...c, recentClientIds: withClientId(c, "a0", "y", 200) };
  c = { ...c, recentClientIds: withClientId(c, "new", "z", 201) };
  assertEquals(Object.keys(c.recentClientIds!).includes("a0"), true);
  assertEquals(Object.keys(c.recentClientIds!).includes("a1"), false);
  assertEquals(candidates(c, "a0", "x"), [100]);
  assertEquals("recentClientIds" in publicRecord(c), false);
});
