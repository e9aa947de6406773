/**
 * Deno Deploy without an attached KV database, as a real process: DENO_DEPLOYMENT_ID set, KV_PATH
 * unset, and `DENO_KV_DB_MODE=memory` so that `Deno.openKv()` gives an in-memory store — what
 * Deploy gives an app with no database. Parley says so in its log at start (an error line, even
 * at LOG_LEVEL=error) and on /admin (server-rendered, role "alert"); with KV_ATTACHED=1 neither.
 */
import { assert, assertEquals } from "./assert.ts";
import { ADMIN, Api } from "./helpers.ts";
import { spawnMain } from "./process.ts";

async function onDeploy(env: Record<string, string>) {
  const proc = await spawnMain({
    PORT: "0",
    HOST: "127.0.0.1",
    DENO_DEPLOYMENT_ID: "test-deployment",
    DENO_KV_DB_MODE: "memory",
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: "error",
    ...env,
  });
  if (!proc.url) throw new Error(`server exited before listening: ${await proc.output()}`);
  try {
    const api = new Api(proc.url);
    const admin = await api.login(ADMIN.email, ADMIN.password);
    const res = await fetch(new URL("admin", proc.url), {
      headers: { cookie: `session=${admin.token}` },
    });
    assertEquals(res.status, 200);
    const html = await res.text();
    const { code, output } = await proc.stop("SIGTERM");
    assertEquals(code, 0);
    const lines = output.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    return { html, warnings: lines.filter((l) => l.event === "kv_ephemeral") };
  } finally {
    await proc.stop("SIGKILL");
  }
}

Deno.test("on Deno Deploy without an attached KV, the log and /admin say so", async () => {
  const { html, warnings } = await onDeploy({});
  assertEquals(warnings.length, 1, "one line at start");
  assertEquals([warnings[0].level, warnings[0].reason], ["error", "not_ruled_out"]);
  assertEquals(warnings[0].emptyAtStart, true);
  assert(/may be ephemeral/.test(warnings[0].msg) && /KV_ATTACHED=1/.test(warnings[0].msg));
  const banner = html.match(/<p class="alert-banner" role="alert"[^>]*>(.*?)<\/p>/s);
  assert(banner, "a banner on /admin");
  assert(/Data may be lost/.test(banner[1]) && /Attach a Deno KV database/.test(banner[1]));
});

Deno.test("on Deno Deploy with KV_ATTACHED=1, no warning", async () => {
  const { html, warnings } = await onDeploy({ KV_ATTACHED: "1" });
  assertEquals(warnings, []);
  assert(!html.includes("alert-banner"));
  assert(html.includes("<h1>Admin</h1>"), "the admin page itself");
});
