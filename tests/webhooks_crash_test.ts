/**
 * Two real processes on one KV file send webhooks. The process that is sending a delivery is
 * killed with SIGKILL mid-request (the receiver holds the request and finds the sender's pid from
 * the connection's port with `ss`); the other process sends it again once the lease has expired.
 * Nothing is lost (every delivery arrives, each id at least once) and no delivery id is ever open
 * at the receiver twice at once. (And an API token revoked on one process fails at once on the
 * other.)
 */
import { assert, assertEquals } from "./assert.ts";
import { ADMIN, Api } from "./helpers.ts";
import { GENEROUS_LIMITS } from "./instances.ts";
import { type MainProcess, spawnMain } from "./process.ts";
import { until } from "./wait.ts";
import { Receiver } from "./webhook_receiver.ts";

const ENV = {
  PORT: "0",
  HOST: "127.0.0.1",
  ADMIN_EMAIL: ADMIN.email,
  ADMIN_PASSWORD: ADMIN.password,
  LOG_LEVEL: "error",
  WEBHOOK_ALLOW_PRIVATE: "1",
  WEBHOOK_TIMEOUT_MS: "1500",
  OUTBOX_POLL_MS: "30",
  OUTBOX_RETRY_BASE_MS: "30",
  HASH_WORKERS: "0",
  ...GENEROUS_LIMITS,
};

/** The pid of the process whose TCP connection has local port `port` (`ss -tnp`). */
async function pidOfPort(port: number): Promise<number | null> {
  const out = await new Deno.Command("ss", {
    args: ["-tnpH", `( sport = :${port} )`],
    stdout: "piped",
    stderr: "null",
  }).output();
  const m = /pid=(\d+)/.exec(new TextDecoder().decode(out.stdout));
  return m ? Number(m[1]) : null;
}

Deno.test("a sender killed mid-delivery: another instance delivers it, never two at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "parley-hooks-" });
  const kvPath = `${dir}/kv.sqlite`;
  const procs: MainProcess[] = [];
  let held: { id: string; port: number } | null = null;
  const receiver = new Receiver((r) => {
    if (!held) {
      held = { id: r.id, port: r.remotePort };
      return "hang";
    }
    return new Response("ok");
  });
  try {
    for (let i = 0; i < 2; i++) {
      const p = await spawnMain({ ...ENV, KV_PATH: kvPath });
      if (!p.url) throw new Error(`no start: ${await p.output()}`);
      procs.push(p);
    }
    const api = new Api(procs[0].url);
    const admin = await api.login(ADMIN.email, ADMIN.password);
    const hook = await api.request("POST", "/api/webhooks", {
      token: admin.token,
      body: { url: receiver.url, events: ["conversation.created", "message.created"] },
    });
    assertEquals(hook.status, 201);
    // An API token revoked on one process fails at once on the other (read from KV each time).
    const apiB = new Api(procs[1].url);
    const made = await api.request("POST", "/api/tokens", {
      token: admin.token,
      body: { name: "ci", scopes: ["conversations:read"] },
    });
    const viaB = () => apiB.request("GET", "/api/conversations", { token: made.body.secret });
    assertEquals((await viaB()).status, 200);
    await api.request("DELETE", `/api/tokens/${made.body.token.id}`, { token: admin.token });
    assertEquals((await viaB()).status, 401);

    const guest = await api.guest("Casey");
    const conv = await api.start(guest);

    await until(() => held !== null, "the first delivery held by the receiver");
    const pid = await pidOfPort(held!.port);
    const victim = procs.find((p) => p.child.pid === pid);
    assert(victim, `the sender (pid ${pid}) is one of ours`);
    await victim.stop("SIGKILL"); // returns once it has exited: its sockets are closed
    receiver.senderDied(held!.id);
    const survivor = procs.find((p) => p !== victim)!;
    const api2 = new Api(survivor.url);

    // More events while only the survivor runs.
    for (let i = 0; i < 8; i++) {
      const res = await api2.request("POST", `/api/conversations/${conv.id}/messages`, {
        token: guest.token,
        body: { text: `message ${i}` },
      });
      assertEquals(res.status, 201);
    }
    // deno-lint-ignore no-explicit-any
    let list: any[] = [];
    await until(
      async () => {
        const res = await api2.request("GET", "/api/webhooks/deliveries?limit=200", {
          token: admin.token,
        });
        list = res.body.deliveries;
        return list.length >= 10 && list.every((d) => d.status === "delivered");
      },
      "every delivery delivered by the survivor",
      30_000,
    );

    for (const d of list) assert(receiver.ids().has(d.id), `delivery ${d.id} arrived`);
    const heldCount = receiver.received.filter((r) => r.id === held!.id).length;
    assert(heldCount >= 2, "the held delivery was sent again after the kill");
    assertEquals(receiver.overlaps, [], "no delivery open twice at once");
    const texts = receiver.received.filter((r) => r.event === "message.created")
      .map((r) => r.json.data.message.text);
    for (let i = 0; i < 8; i++) assert(texts.includes(`message ${i}`), `message ${i} arrived`);
  } finally {
    for (const p of procs) await p.stop("SIGKILL");
    await receiver.close();
    await Deno.remove(dir, { recursive: true });
  }
});
