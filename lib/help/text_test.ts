/** Tests for text.ts: normalization, stemming, stop words, specificity and edit distance. */
import assert from "node:assert/strict";
import { contentWords, editDistance, normalize, specificity, stem, words } from "./text.ts";

Deno.test("normalize: case, apostrophes, punctuation, length cap", () => {
  assert.equal(normalize("  Hello,   WORLD!! It’s <b>me</b> "), "hello world it's b me b");
  assert.equal(normalize("x".repeat(10_000)).length, 4000);
  assert.equal(normalize(undefined as unknown as string), "");
  assert.deepEqual(words("E-mail & 2FA?"), ["e", "mail", "2fa"]);
});

Deno.test("stem and content words", () => {
  assert.equal(stem("invoices"), stem("invoice"));
  assert.equal(stem("renewal"), stem("renews"));
  assert.equal(stem("x".repeat(100)), "x".repeat(100));
  assert.deepEqual(contentWords("Hi, how can I get my money back please?"), ["money", "back"]);
});

Deno.test("specificity: rare words weigh more than common ones", () => {
  assert.ok(specificity("hipaa") > specificity("invoice"));
  assert.ok(specificity("invoice") > specificity("different"));
  assert.equal(specificity("zzzqqq"), 1);
});

Deno.test("edit distance with transpositions and early stop", () => {
  assert.equal(editDistance("conect", "connect"), 1);
  assert.equal(editDistance("form", "from"), 1);
  assert.equal(editDistance("abc", "xyzxyz", 2), 3);
});
