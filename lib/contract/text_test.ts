import { assert, assertEquals } from "../../tests/assert.ts";
import {
  balanceBidi,
  graphemeCount,
  isInvisible,
  isolateName,
  longerThan,
  MAX_MESSAGE_LENGTH,
} from "./text.ts";
import { id } from "./schemas.ts";
import { guestBody, sendBody } from "./schemas.ts";

Deno.test("graphemeCount counts what people see as one character", () => {
  assertEquals(graphemeCount("hello"), 5);
  assertEquals(graphemeCount("😀😀"), 2); // 4 UTF-16 units
  assertEquals(graphemeCount("👨‍👩‍👧‍👦"), 1); // a ZWJ family: 11 units
  assertEquals(graphemeCount("🇫🇷"), 1); // a flag: 4 units
  assertEquals(graphemeCount("e\u0301"), 1); // e + combining acute
  assertEquals(graphemeCount("a\r\nb"), 3); // CR LF is one
  assertEquals(graphemeCount("😀".repeat(10), 3), 4, "stops counting past the limit");
});

Deno.test("longerThan: 2,001 emoji are within 4,000 characters; 4,001 are not", () => {
  const emoji = "😀".repeat(2001);
  assertEquals(emoji.length, 4002);
  assert(!longerThan(emoji, MAX_MESSAGE_LENGTH));
  assert(longerThan("😀".repeat(4001), MAX_MESSAGE_LENGTH));
  assert(longerThan("x".repeat(4001), MAX_MESSAGE_LENGTH));
  assert(!longerThan("x".repeat(4000), MAX_MESSAGE_LENGTH));
});

Deno.test("isInvisible: only blanks, format and control characters", () => {
  const invisible = [
    "",
    " \t\n",
    "\u200b\u200c\u200d", // zero-width space, non-joiner, joiner
    "\u202e\u202d\u202c", // bidi overrides
    "\u2066\u2069\u200e\u200f", // isolates and marks
    "\ufeff\u2060\u00ad", // BOM, word joiner, soft hyphen
    "\u3164\u115f", // Hangul fillers
    "\u2800", // blank Braille pattern
    "\u034f\ufe0f", // combining grapheme joiner, variation selector
    "\u{e0041}\u{e007f}", // tag characters
    "\u0000\u0007",
  ];
  for (const text of invisible) assert(isInvisible(text), JSON.stringify(text));
  for (const text of ["a", "\u200bhi", "😀", "\u202eolleh", "٠", "."]) {
    assert(!isInvisible(text), JSON.stringify(text));
  }
});

Deno.test("schemas: invisible-only text and names are refused, naming the field", () => {
  const text = sendBody.safeParse({ text: "\u200b\u202e\u2066" });
  assert(!text.success);
  assertEquals(text.error.issues[0].path, ["text"]);
  assert(sendBody.safeParse({ text: "😀".repeat(2001) }).success);
  const name = guestBody.safeParse({ name: "\u200b\u200b" });
  assert(!name.success);
  assertEquals(name.error.issues[0].path, ["name"]);
  assert(guestBody.safeParse({ name: "😀".repeat(80) }).success, "80 emoji are 80 characters");
  assert(!guestBody.safeParse({ name: "😀".repeat(81) }).success);
});

Deno.test("id: only a ULID's shape", () => {
  assert(id.safeParse("01J9ZQ3V7X8Y9Z0A1B2C3D4E5F").success);
  for (
    const bad of [
      "",
      "nope",
      "x".repeat(3000),
      "01j9zq3v7x8y9z0a1b2c3d4e5f",
      "01NOSUCHCONVERSATION000000",
    ]
  ) {
    assert(!id.safeParse(bad).success, bad.slice(0, 30));
  }
});

Deno.test("balanceBidi: closers without openers dropped, open ones closed", () => {
  assertEquals(balanceBidi("Ann"), "Ann");
  assertEquals(balanceBidi("\u202eevil"), "\u202eevil\u202c");
  assertEquals(balanceBidi("\u2069\u202eevil"), "\u202eevil\u202c", "a stray PDI can't escape");
  assertEquals(balanceBidi("a\u202c\u2069b"), "ab");
  assertEquals(balanceBidi("\u2067x\u202by\u2069z"), "\u2067x\u202by\u202c\u2069z");
});

Deno.test("isolateName: plain names unchanged, others wrapped in FSI…PDI", () => {
  assertEquals(isolateName("Ann Agent"), "Ann Agent");
  assertEquals(isolateName("\u202eBob"), "\u2068\u202eBob\u202c\u2069");
  assertEquals(isolateName("محمد"), "\u2068محمد\u2069");
});
