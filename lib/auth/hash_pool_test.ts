/** The hashing pool: argon2id in Workers with the semantics of ./passwords.ts, and a bounded queue. */
import { assert, assertEquals } from "../../tests/assert.ts";
import { AppError } from "../errors.ts";
import { createLogger } from "../log.ts";
import { HashPool } from "./hash_pool.ts";

const log = createLogger("error");

for (const workers of [1, 0]) {
  Deno.test(`hash pool (${workers ? "a Worker" : "main thread"}): hash and verify`, async () => {
    const pool = new HashPool({ workers, queue: 4 }, log);
    try {
      const encoded = await pool.hash("correct horse");
      assert(encoded.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), encoded);
      assertEquals(await pool.reserve().verify("correct horse", encoded), true);
      assertEquals(await pool.reserve().verify("wrong horse", encoded), false);
      assertEquals(await pool.reserve().verify("x", "not a hash"), false, "a bad hash is false");
      assertEquals(await pool.reserve().verify("x", null), false, "the dummy hash is nobody's");
      assertEquals(pool.load, 0);
    } finally {
      pool.close();
    }
  });
}

Deno.test("hash pool: full → 503 with Retry-After at once; places come back", async () => {
  const pool = new HashPool({ workers: 1, queue: 1 }, log);
  try {
    assertEquals(pool.capacity, 2);
    const first = pool.reserve();
    const second = pool.reserve();
    let refused: unknown;
    try {
      pool.reserve();
    } catch (err) {
      refused = err;
    }
    assert(refused instanceof AppError && refused.code === "unavailable", String(refused));
    assertEquals((refused as AppError).retryAfterS, 1);
    second.release();
    const hashing = first.hash("one");
    const third = pool.reserve(); // the released place
    assertEquals(pool.load, 2);
    const [a, b] = await Promise.all([hashing, third.hash("two")]);
    assert(a !== b);
    assertEquals(pool.load, 0);
    // A ticket runs one job.
    const ticket = pool.reserve();
    await ticket.hash("x");
    let again: unknown;
    try {
      await ticket.hash("y");
    } catch (err) {
      again = err;
    }
    assert(again instanceof Error);
    assertEquals(pool.load, 0);
  } finally {
    pool.close();
  }
});
