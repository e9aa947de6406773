/** Sign-in limits on an injected clock: the per-address budget and the progressive lockout. */
import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { AppError } from "../errors.ts";
import { Throttles } from "../store/throttle.ts";
import { SignInLimits } from "./signin_limits.ts";

async function setup(perMinute = 60) {
  const kv = await Deno.openKv(":memory:");
  const clock = { t: 1_000_000, now: () => clock.t };
  const settings = { authPerMinute: perMinute, lockAfter: 5, lockMs: 60_000, lockMaxMs: 240_000 };
  return { kv, clock, limits: new SignInLimits(new Throttles(kv, clock), settings, clock) };
}

/** The 429 a call throws, or null if it went through. */
async function refusal(call: Promise<void>): Promise<AppError | null> {
  try {
    await call;
    return null;
  } catch (err) {
    assert(err instanceof AppError && err.code === "rate_limited", String(err));
    return err;
  }
}

Deno.test("lockout: 5 failures lock for 1 min, doubling, capped; a success resets", async () => {
  const { kv, clock, limits } = await setup();
  try {
    const attempts = async (n: number, email = "ann@example.com") => {
      for (let i = 0; i < n; i++) assertEquals(await refusal(limits.attempt(email)), null, `#${i}`);
    };
    await attempts(5);
    let locked = await refusal(limits.attempt("ann@example.com"));
    assertEquals(locked?.retryAfterS, 60);
    assertMatch(
      locked!.message,
      /Too many failed sign-ins for this email\. Try again in 60 seconds\./,
    );
    // Case and spaces don't make another account.
    assert(await refusal(limits.attempt("  ANN@example.com")));
    clock.t += 30_000;
    assertEquals((await refusal(limits.attempt("ann@example.com")))?.retryAfterS, 30);
    clock.t += 30_000;
    await attempts(5); // the second lockout: 2 minutes
    assertEquals((await refusal(limits.attempt("ann@example.com")))?.retryAfterS, 120);
    clock.t += 120_000;
    await attempts(5);
    locked = await refusal(limits.attempt("ann@example.com"));
    assertEquals(locked?.retryAfterS, 240);
    assertMatch(locked!.message, /Try again in 4 minutes\./);
    clock.t += 240_000;
    await attempts(5);
    assertEquals((await refusal(limits.attempt("ann@example.com")))?.retryAfterS, 240, "capped");
    // A success resets everything.
    clock.t += 240_000;
    await attempts(1);
    await limits.succeeded("ann@example.com");
    await attempts(4);
    await limits.succeeded("ann@example.com");
    await attempts(5);
    assertEquals((await refusal(limits.attempt("ann@example.com")))?.retryAfterS, 60);
    // Another email is unaffected; an unknown one is counted the same way.
    await attempts(5, "nobody@example.com");
    assertEquals((await refusal(limits.attempt("nobody@example.com")))?.retryAfterS, 60);
  } finally {
    kv.close();
  }
});

Deno.test("lockout: parallel attempts can't slip past the count", async () => {
  const { kv, limits } = await setup();
  try {
    const results = await Promise.all(
      Array.from({ length: 40 }, () => refusal(limits.attempt("bob@example.com"))),
    );
    assertEquals(results.filter((r) => r === null).length, 5);
  } finally {
    kv.close();
  }
});

Deno.test("per address: the minute's budget, then 429 saying when", async () => {
  const { kv, clock, limits } = await setup(3);
  try {
    for (let i = 0; i < 3; i++) assertEquals(await refusal(limits.spendAddress("192.0.2.1")), null);
    const over = await refusal(limits.spendAddress("192.0.2.1"));
    assertEquals(over?.retryAfterS, 20);
    assertMatch(over!.message, /from your address\. Try again in 20 seconds\./);
    assertEquals(await refusal(limits.spendAddress("192.0.2.2")), null, "another address");
    clock.t += 20_000;
    assertEquals(await refusal(limits.spendAddress("192.0.2.1")), null, "one came back");
    assert(await refusal(limits.spendAddress("192.0.2.1")));
  } finally {
    kv.close();
  }
});
