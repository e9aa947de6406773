/**
 * The server as a real process at the edges of its machine: running out of file descriptors
 * (a connection flood under a low `ulimit -n`), a disk that fills up (`ulimit -f`: /healthz says
 * 503 while reads still answer), and a KV file that is read-only or not a KV file at all (start-up
 * stops with one line).
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { Api, WsClient } from "./helpers.ts";
import { GENEROUS_LIMITS } from "./instances.ts";
import { spawnMain, type SpawnOptions } from "./process.ts";
import { until } from "./wait.ts";

const ADMIN = { ADMIN_EMAIL: "admin@edge.test", ADMIN_PASSWORD: "admin-password-1" };

async function tempKv(): Promise<{ dir: string; kvPath: string }> {
  const dir = await Deno.makeTempDir({ prefix: "parley-edge-" });
  return { dir, kvPath: `${dir}/kv.sqlite` };
}

async function spawn(kvPath: string, options: SpawnOptions, env: Record<string, string> = {}) {
  return await spawnMain(
    { PORT: "0", HOST: "127.0.0.1", KV_PATH: kvPath, LOG_LEVEL: "warn", ...ADMIN, ...env },
    ["-A"],
    options,
  );
}

/**
 * Open descriptors of a process (its /proc/PID/fd entries), counted by `ls`: Deno lets only
 * `--allow-all` read another process's /proc entries, and the test task names its permissions.
 */
async function openFds(pid: number): Promise<number> {
  const out = await new Deno.Command("sh", { args: ["-c", `ls /proc/${pid}/fd | wc -l`] }).output();
  return Number(new TextDecoder().decode(out.stdout).trim()) || 0;
}

Deno.test("fd exhaustion: a connection flood under ulimit -n 200 doesn't kill the server", async () => {
  const { dir, kvPath } = await tempKv();
  const proc = await spawn(kvPath, { shell: "ulimit -n 200" });
  if (!proc.url) throw new Error(`did not start: ${await proc.output()}`);
  let exited = false;
  proc.child.status.then(() => exited = true);
  const port = Number(new URL(proc.url).port);
  const held: Deno.Conn[] = [];
  let refused = false;
  try {
    // More idle connections than the server has descriptors (bash exec'd into deno: same pid).
    for (let i = 0; i < 400 && !refused; i++) {
      try {
        held.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      } catch {
        refused = true; // its accept loop failed (EMFILE) and it is listening again
      }
    }
    await until(
      async () => exited || refused || await openFds(proc.child.pid) >= 195,
      "the server to run out of descriptors",
      15_000,
    );
    assert(!exited, "the process survived running out of descriptors");
  } finally {
    for (const conn of held) conn.close();
  }
  try {
    // Once the flood is gone it serves HTTP and WebSockets again.
    await until(
      async () => {
        try {
          const res = await fetch(`${proc.url}healthz`);
          await res.body?.cancel();
          return res.status === 200;
        } catch {
          return false;
        }
      },
      "/healthz to answer after the flood",
      20_000,
    );
    const api = new Api(proc.url);
    const guest = await api.guest("After the flood");
    const ws = await WsClient.connect(proc.url.replace(/^http/, "ws") + "ws", guest.token);
    ws.send({ type: "ping" });
    await ws.next((f) => f.type === "pong");
    await ws.close();
    assert(!exited, "still running");
  } finally {
    const { output } = await proc.stop();
    await Deno.remove(dir, { recursive: true });
    assertMatch(output, /accepting connections failed; listening again/);
    assertMatch(output, /Too many open files/);
  }
});

Deno.test("a full disk: /healthz reports the failing write path while reads still answer", async () => {
  const { dir, kvPath } = await tempKv();
  // Files may grow to 1 MiB; past it writes fail (EFBIG) instead of killing the process (SIGXFSZ).
  const proc = await spawn(kvPath, { shell: 'trap "" XFSZ; ulimit -f 1024' }, GENEROUS_LIMITS);
  if (!proc.url) throw new Error(`did not start: ${await proc.output()}`);
  try {
    const api = new Api(proc.url);
    assertEquals((await api.request("GET", "/healthz")).body, { ok: true });
    const admin = await api.login(ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD);
    const guest = await api.guest("Filler");
    const conv = await api.start(guest);
    await api.request("POST", `/api/conversations/${conv.id}/takeover`, { token: admin.token });
    let size = 4000;
    let health = await api.request("GET", "/healthz");
    await until(
      async () => {
        const res = await api.request("POST", `/api/conversations/${conv.id}/messages`, {
          token: guest.token,
          body: { text: "x".repeat(size) },
        });
        if (res.status !== 201) size = Math.max(1, Math.floor(size / 4));
        health = await api.request("GET", "/healthz");
        return health.status !== 200;
      },
      "/healthz to notice the full disk",
      60_000,
    );
    assertEquals(health.status, 503);
    assertEquals(health.body, { ok: false, kv: "write_failed" });
    // Reads still answer: it is the write path that fails.
    assertEquals((await api.request("GET", "/api/auth/me", { token: guest.token })).status, 200);
  } finally {
    await proc.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

/** Runs main.ts to its exit: its code and its stderr lines. */
async function startUp(kvPath: string, options: SpawnOptions = {}) {
  const proc = await spawn(kvPath, options);
  assertEquals(proc.url, "", "it must not start");
  const status = await proc.child.status;
  const lines = (await proc.output()).trim().split("\n").filter(Boolean);
  return { code: status.code, lines };
}

/** Makes a KV file with something in it, as a finished server would leave it. */
async function makeKv(kvPath: string) {
  const kv = await Deno.openKv(kvPath);
  await kv.set(["something"], 1);
  kv.close();
}

Deno.test("a read-only KV file stops start-up with one line", async () => {
  const { dir, kvPath } = await tempKv();
  await makeKv(kvPath);
  await Deno.chmod(kvPath, 0o444);
  await Deno.chmod(dir, 0o555);
  try {
    // Root writes anything: drop the capability that lets it ignore file modes.
    const wrap = Deno.uid() === 0
      ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all"]
      : [];
    const { code, lines } = await startUp(kvPath, { wrap });
    assertEquals(code, 1);
    assertEquals(lines.length, 1, lines.join("\n"));
    assertMatch(lines[0], /^The KV store at .*kv\.sqlite \(KV_PATH\) is read-only/);
  } finally {
    await Deno.chmod(dir, 0o755);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a file that is not a KV store stops start-up with one line", async () => {
  const { dir, kvPath } = await tempKv();
  await Deno.writeFile(kvPath, crypto.getRandomValues(new Uint8Array(8192)));
  try {
    const { code, lines } = await startUp(kvPath);
    assertEquals(code, 1);
    assertEquals(lines.length, 1, lines.join("\n"));
    assertMatch(
      lines[0],
      /^Cannot open the KV store at .*kv\.sqlite \(KV_PATH\): file is not a database/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
