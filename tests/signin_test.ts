/**
 * Sign-in under attack, against real servers: the per-account lockout answers alike for real and
 * unknown emails; it and the per-address budget hold across two instances on one KV file; and 200
 * concurrent logins are all answered (200, 401, 429 or 503 with Retry-After, never a hang) while
 * sockets keep answering, after which the hashing pool is idle and serves again.
 * (How long a ping takes during such a burst is measured by `deno task bench`, not here.)
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { type Api, type ApiResponse, withTestServer, WsClient } from "./helpers.ts";
import { type Instance, startCluster } from "./instances.ts";
import { until, within } from "./wait.ts";

const login = (api: Api, email: string, password: string) =>
  api.request("POST", "/api/auth/login", { body: { email, password } });

// deno-lint-ignore no-explicit-any
function assertLocked(res: ApiResponse<any>) {
  assertEquals(res.status, 429);
  assertEquals(res.body.error.code, "rate_limited");
  assertMatch(
    res.body.error.message,
    /^Too many failed sign-ins for this email\. Try again in \d+ (seconds?|minutes)\.$/,
  );
  assert(Number(res.headers.get("retry-after")) >= 1, "Retry-After");
}

Deno.test("lockout: 5 failures lock the email; unknown emails get the same answers", async () => {
  // The server's clock runs with the test's, plus whatever the test skips ahead.
  const clock = { skew: 0, now: () => Date.now() + clock.skew };
  await withTestServer(
    async ({ api }) => {
      await api.register("Lock", "lock@example.com");
      for (const email of ["lock@example.com", "nobody@example.com"]) {
        const statuses = [];
        for (let i = 0; i < 5; i++) statuses.push((await login(api, email, `guess-${i}`)).status);
        assertEquals(statuses, [401, 401, 401, 401, 401], email);
        const locked = await login(api, email, "guess-6");
        assertLocked(locked);
        const retryAfter = Number(locked.headers.get("retry-after"));
        assert(retryAfter > 30 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      }
      // Even the right password waits out the lockout...
      assertLocked(await login(api, "lock@example.com", "password-123"));
      clock.skew += 60_000;
      // ...and works after it; tries while it was locked didn't count.
      assertEquals((await login(api, "lock@example.com", "password-123")).status, 200);
      // A success reset the count: four more failures are just 401s.
      for (let i = 0; i < 4; i++) {
        assertEquals((await login(api, "lock@example.com", "nope-nope")).status, 401);
      }
      assertEquals((await login(api, "lock@example.com", "password-123")).status, 200);
      // The unknown email's next lockout is twice as long, as a real account's would be.
      clock.skew += 60_000;
      for (let i = 0; i < 5; i++) {
        assertEquals((await login(api, "nobody@example.com", "guess")).status, 401);
      }
      const again = await login(api, "nobody@example.com", "guess");
      assertLocked(again);
      assert(Number(again.headers.get("retry-after")) > 60, "doubled");
    },
    { RATE_AUTH_PER_MIN: "1000" },
    { clock },
  );
});

Deno.test("lockout and address budget hold across two instances on one KV file", async () => {
  // Behind a trusted proxy (TRUST_PROXY=1), so each part can speak for its own client address.
  const cluster = await startCluster(2, {
    SIGNIN_LOCK_AFTER: "5",
    RATE_AUTH_PER_MIN: "2",
    TRUST_PROXY: "1",
  });
  let n = 0;
  const fresh = () => ({ "x-forwarded-for": `198.51.100.${++n}` }); // a budget of its own
  const signIn = (instance: Instance, password: string, headers = fresh()) =>
    instance.api.request("POST", "/api/auth/login", {
      body: { email: "twin@example.com", password },
      headers,
    });
  try {
    const [a, b] = cluster.instances;
    const reg = await a.api.request("POST", "/api/auth/register", {
      body: { name: "Twin", email: "twin@example.com", password: "password-123" },
      headers: fresh(),
    });
    assertEquals(reg.status, 201);
    for (let i = 0; i < 3; i++) assertEquals((await signIn(a, "x-x-x-x-x")).status, 401);
    for (let i = 0; i < 2; i++) assertEquals((await signIn(b, "y-y-y-y-y")).status, 401);
    assertLocked(await signIn(a, "z-z-z-z-z"));
    assertLocked(await signIn(b, "password-123"));
    // One address's budget (2 a minute) is spent on both instances together.
    const one = { "x-forwarded-for": "203.0.113.7" };
    const guest = (instance: Instance) =>
      instance.api.request("POST", "/api/auth/guest", { body: {}, headers: one });
    assertEquals((await guest(a)).status, 201);
    assertEquals((await guest(b)).status, 201);
    for (const instance of [a, b]) {
      const over = await guest(instance);
      assertEquals(over.status, 429);
      assertMatch(over.body.error.message, /from your address\. Try again in \d+ seconds?\./);
    }
  } finally {
    await cluster.close();
  }
});

Deno.test("200 concurrent logins are all answered, sockets keep answering, the pool recovers", async () => {
  await withTestServer(async (server) => {
    const { api } = server;
    const accounts = ["p1", "p2", "p3", "p4"].map((n) => `${n}@example.com`);
    for (const email of accounts) await api.register(email, email);
    const watcher = await api.guest("Watcher");
    const ws = await WsClient.connect(server.wsUrl, watcher.token);
    try {
      const burst = Array.from(
        { length: 200 },
        (_, i) => login(api, accounts[i % 4], i % 2 === 0 ? "password-123" : "wrong-password"),
      );
      // While the burst is in flight the socket still answers.
      ws.send({ type: "ping" });
      await ws.next((f) => f.type === "pong", 30_000);
      const answers = await within(Promise.all(burst), "every login to be answered", 90_000);
      const count = (status: number) => answers.filter((r) => r.status === status).length;
      const tally = Object.fromEntries([200, 401, 429, 503].map((s) => [s, count(s)]));
      assertEquals(
        answers.length,
        count(200) + count(401) + count(429) + count(503),
        JSON.stringify(tally),
      );
      assert(count(503) > 0, `the queue bound was reached: ${JSON.stringify(tally)}`);
      for (const res of answers.filter((r) => r.status === 503)) {
        assertEquals(res.body.error.code, "unavailable");
        assertEquals(res.headers.get("retry-after"), "1");
      }
      assert(count(200) > 0, JSON.stringify(tally));
      console.log(JSON.stringify(tally));
      // The pool is idle again and signs people in.
      await until(() => server.services.passwords.load === 0, "the pool to drain");
      await api.register("After", "after@example.com");
      assertEquals((await login(api, "after@example.com", "password-123")).status, 200);
    } finally {
      await ws.close();
    }
  }, {
    RATE_AUTH_PER_MIN: "100000",
    SIGNIN_LOCK_AFTER: "100000", // the pool is the subject here (lockouts answer without hashing)
    HASH_WORKERS: "2",
    HASH_QUEUE: "32",
  });
});
