/** Settings: defaults, and validation with one line naming the setting. */
import { assert, assertEquals } from "../tests/assert.ts";
import { ConfigError, parseConfig } from "./config.ts";

Deno.test("defaults follow the contract", () => {
  const c = parseConfig({});
  assertEquals([c.port, c.workers, c.kvPath, c.gemini, c.customerApi], [
    8000,
    1,
    undefined,
    null,
    null,
  ]);
  assert(c.knowledgeDir.endsWith("help_center/"));
  const g = parseConfig({ GEMINI_API_KEY: "k", GEMINI_BASE_URL: "http://127.0.0.1:9/" });
  assertEquals(g.gemini?.model, "gemini-2.5-flash");
  assertEquals(g.gemini?.baseUrl, "http://127.0.0.1:9/");
  assertEquals(g.gemini?.fallbackModel, null);
  const f = parseConfig({ GEMINI_API_KEY: "k", GEMINI_FALLBACK_MODEL: "gemini-2.5-flash-lite" });
  assertEquals(f.gemini?.fallbackModel, "gemini-2.5-flash-lite");
  // The BroadcastChannel fast path: on by default only when there are isolates to talk to.
  assertEquals(parseConfig({}).broadcast, false);
  assertEquals(parseConfig({ WORKERS: "2" }).broadcast, true);
  assertEquals(parseConfig({ BROADCAST: "1" }).broadcast, true);
  assertEquals(parseConfig({ WORKERS: "2", BROADCAST: "0" }).broadcast, false);
  const o = parseConfig({ ALLOWED_ORIGINS: "https://a.example, http://b.example:8080" });
  assertEquals(o.allowedOrigins, ["https://a.example", "http://b.example:8080"]);
  assertEquals(c.widgetSecret, null, "identify is off by default");
  assertEquals(parseConfig({ WIDGET_SECRET: "0123456789abcdef" }).widgetSecret, "0123456789abcdef");
});

Deno.test("edge defaults: no trusted proxy, lockout 5 / 1 min / 15 min, a small hashing pool", () => {
  const c = parseConfig({});
  assertEquals(c.trustProxy, null);
  assertEquals(c.signIn, { lockAfter: 5, lockMs: 60_000, lockMaxMs: 900_000 });
  assert(c.hashing.workers >= 1 && c.hashing.workers <= 2, `${c.hashing.workers}`);
  assertEquals(c.hashing.queue, 32);
  assertEquals(parseConfig({ HASH_WORKERS: "0" }).hashing.workers, 0);
  assertEquals(parseConfig({ WORKERS: "64", KV_PATH: "x" }).hashing.workers, 1);
  assertEquals(
    [c.limits.socketsPerAddress, c.limits.unauthSocketsPerAddress, c.limits.unauthSockets],
    [100, 10, 500],
  );
  assertEquals(parseConfig({ TRUST_PROXY: "1" }).trustProxy, { hops: 1 });
});

Deno.test("a bad value names the setting", async (t) => {
  const bad: [Record<string, string>, string][] = [
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ WORKERS: "0" }, "WORKERS"],
    [{ WORKERS: "2", KV_PATH: ":memory:" }, "WORKERS"],
    [{ CUSTOMER_API_URL: "not a url" }, "CUSTOMER_API_URL"],
    [{ GEMINI_BASE_URL: "ftp://x" }, "GEMINI_BASE_URL"],
    [{ ALLOWED_ORIGINS: "https://a.example/path" }, "ALLOWED_ORIGINS"],
    [{ ADMIN_EMAIL: "a@b.co" }, "ADMIN_EMAIL"],
    [{ ADMIN_EMAIL: "a@b.co", ADMIN_PASSWORD: "short" }, "ADMIN_PASSWORD"],
    [{ WIDGET_SECRET: "too-short" }, "WIDGET_SECRET"],
    [{ TRUST_PROXY: "everyone" }, "TRUST_PROXY"],
    [{ TRUST_PROXY: "10.0.0.0/40" }, "TRUST_PROXY"],
    [{ HASH_WORKERS: "-1" }, "HASH_WORKERS"],
    [{ HASH_QUEUE: "lots" }, "HASH_QUEUE"],
    [{ SIGNIN_LOCK_AFTER: "0" }, "SIGNIN_LOCK_AFTER"],
    [{ MAX_UNAUTH_SOCKETS: "0" }, "MAX_UNAUTH_SOCKETS"],
    [{ KV_POLL_MS: "-1" }, "KV_POLL_MS"],
    [{ KV_POLL_MS: "fast" }, "KV_POLL_MS"],
    [{ KV_POLL_MS: "5" }, "KV_POLL_MS"],
    [{ KV_ATTACHED: "yes" }, "KV_ATTACHED"],
  ];
  for (const [env, name] of bad) {
    await t.step(name, () => {
      try {
        parseConfig(env);
      } catch (err) {
        assert(err instanceof ConfigError);
        assert(err.message.startsWith(`Invalid setting ${name}`), err.message);
        return;
      }
      throw new Error(`accepted ${JSON.stringify(env)}`);
    });
  }
});

Deno.test("where the store lives decides the signal poll", () => {
  const kv = (env: Record<string, string>) => parseConfig(env).kv;
  assertEquals(kv({}), { location: "file", pollMs: 100, attached: undefined });
  assertEquals(kv({ KV_PATH: "/tmp/x.sqlite", KV_POLL_MS: "250" }).pollMs, 250);
  assertEquals(kv({ KV_PATH: "/tmp/x.sqlite", KV_POLL_MS: "0" }).pollMs, 0);
  assertEquals(kv({ KV_PATH: ":memory:" }), { location: "memory", pollMs: 0, attached: undefined });
  assertEquals(kv({ KV_PATH: "https://kv.example/db" }).location, "remote");
  assertEquals(kv({ KV_PATH: "https://kv.example/db" }).pollMs, 0);
  // KV_PATH unset on Deno Deploy: the platform's KV (attached, or an ephemeral store).
  const deploy = parseConfig({ DENO_DEPLOYMENT_ID: "d1" });
  assertEquals([deploy.kv.location, deploy.kv.pollMs, deploy.deploymentId], ["deploy", 0, "d1"]);
  assertEquals(kv({ DENO_DEPLOYMENT_ID: "d1", KV_ATTACHED: "1" }).attached, true);
  assertEquals(kv({ DENO_DEPLOYMENT_ID: "d1", KV_ATTACHED: "0" }).attached, false);
  // Deno opens DENO_KV_DEFAULT_PATH when Deno.openKv() gets no path: a URL is a remote database.
  const remoteDefault = { DENO_DEPLOYMENT_ID: "d1", DENO_KV_DEFAULT_PATH: "https://kv.example/x" };
  assertEquals(kv(remoteDefault).attached, true);
  assertEquals(kv({ ...remoteDefault, KV_ATTACHED: "0" }).attached, false, "the operator decides");
  assertEquals(
    kv({ DENO_DEPLOYMENT_ID: "d1", DENO_KV_DEFAULT_PATH: "/tmp/kv" }).attached,
    undefined,
  );
  assertEquals(kv({ DENO_DEPLOYMENT_ID: "d1", KV_PATH: "/tmp/x.sqlite" }).location, "file");
});
