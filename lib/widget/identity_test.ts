import { assertEquals } from "../../tests/assert.ts";
import { userHashFor, verifyUserHash } from "./identity.ts";

// RFC 4231-style check against a widely published HMAC-SHA256 vector.
const KEY = "key";
const MESSAGE = "The quick brown fox jumps over the lazy dog";
const HASH = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";

Deno.test("userHashFor is hex HMAC-SHA256(secret, userId)", async () => {
  assertEquals(await userHashFor(KEY, MESSAGE), HASH);
});

Deno.test("verifyUserHash: the right hash in any case passes; anything else fails", async () => {
  assertEquals(await verifyUserHash(KEY, MESSAGE, HASH), true);
  assertEquals(await verifyUserHash(KEY, MESSAGE, HASH.toUpperCase()), true);
  const flipped = HASH.slice(0, 63) + (HASH[63] === "8" ? "9" : "8");
  assertEquals(await verifyUserHash(KEY, MESSAGE, flipped), false);
  assertEquals(await verifyUserHash(KEY, MESSAGE + " ", HASH), false, "another user id");
  assertEquals(await verifyUserHash("other", MESSAGE, HASH), false, "another secret");
  assertEquals(await verifyUserHash(KEY, MESSAGE, HASH.slice(2)), false, "too short");
  assertEquals(await verifyUserHash(KEY, MESSAGE, HASH + "00"), false, "too long");
  assertEquals(await verifyUserHash(KEY, MESSAGE, "zz" + HASH.slice(2)), false, "not hex");
});
