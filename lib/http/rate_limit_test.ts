import { Hono } from "hono";
import { assertEquals, assertMatch } from "../../tests/assert.ts";
import { BucketMap } from "../token_bucket.ts";
import { rateLimit } from "./rate_limit.ts";

function app(clock: { now(): number }) {
  const buckets = new BucketMap(1, 2, clock);
  return new Hono()
    .use(rateLimit({ buckets, key: (c) => c.req.header("x-who") ?? "?", message: "Slow down." }))
    .all("/", (c) => c.text("ok"));
}

Deno.test("rateLimit: 429 with Retry-After over the limit, per key, POST only", async () => {
  const clock = { t: 0, now: () => clock.t };
  const a = app(clock);
  const post = (who: string) => a.request("/", { method: "POST", headers: { "x-who": who } });
  assertEquals([(await post("ann")).status, (await post("ann")).status], [200, 200]);
  const refused = await post("ann");
  assertEquals(refused.status, 429);
  assertEquals(refused.headers.get("retry-after"), "1");
  const body = await refused.json();
  assertEquals(body.error.code, "rate_limited");
  assertMatch(body.error.message, /Slow down/);
  assertEquals((await post("bob")).status, 200, "another key is not affected");
  assertEquals((await a.request("/", { headers: { "x-who": "ann" } })).status, 200, "GET is free");
  clock.t += 1000;
  assertEquals((await post("ann")).status, 200, "a token came back");
});
