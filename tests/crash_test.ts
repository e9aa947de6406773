/**
 * `kill -9` of the whole server process (main.ts, WORKERS=2) during a burst, then a restart on the
 * same KV file: every acknowledged message is there, once, with the seq it was acknowledged with.
 * Also: SIGTERM shuts down gracefully — sockets closed with 1012, exit within the 5 s grace.
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { Api, type Frame, WsClient } from "./helpers.ts";
import { GENEROUS_LIMITS } from "./instances.ts";
import { spawnMain } from "./process.ts";

async function spawnServer(kvPath: string, workers: number, env: Record<string, string> = {}) {
  const proc = await spawnMain({
    PORT: "0",
    HOST: "127.0.0.1",
    KV_PATH: kvPath,
    WORKERS: String(workers),
    ADMIN_EMAIL: "admin@crash.test",
    ADMIN_PASSWORD: "admin-password-1",
    LOG_LEVEL: "warn",
    ...GENEROUS_LIMITS,
    ...env,
  });
  if (!proc.url) throw new Error(`server exited before listening: ${await proc.output()}`);
  return proc;
}

Deno.test("kill -9 during a burst, restart on the same file: every ack is stored", async () => {
  const dir = await Deno.makeTempDir({ prefix: "parley-crash-" });
  const kvPath = `${dir}/kv.sqlite`;
  let proc = await spawnServer(kvPath, 2);
  try {
    let api = new Api(proc.url);
    const customer = await api.guest("Crash");
    const conv = await api.start(customer);
    const ws = await WsClient.connect(proc.url.replace(/^http/, "ws") + "ws", customer.token);
    // 400 sends in flight, and one more for each ack: however fast the server commits, sends are
    // still unacknowledged when the kill lands.
    const BURST = 400, MAX = 20_000;
    let sent = 0;
    const send = () => {
      const k = sent++;
      ws.send({ type: "send", conversationId: conv.id, text: `burst ${k}`, clientId: `b${k}` });
    };
    const acks: Frame[] = [];
    ws.ws.addEventListener("message", (e) => {
      const f = JSON.parse(e.data);
      if (f.type !== "ack") return;
      acks.push(f);
      if (sent < MAX && ws.ws.readyState === WebSocket.OPEN) send();
    });
    while (sent < BURST) send();
    // Kill the whole process while acks are still coming in.
    while (acks.length < 50) await ws.next((f) => f.type === "ack", 10_000);
    proc.child.kill("SIGKILL");
    await ws.closed;
    await proc.child.status;
    const acked = acks.map((f) => f.message);
    assert(acked.length < sent, "the kill landed mid-burst");

    proc = await spawnServer(kvPath, 1);
    api = new Api(proc.url);
    const stored = await api.messages(customer, conv.id);
    assertEquals(stored.map((m) => m.seq), stored.map((_, i) => i + 1));
    const byId = new Map(stored.map((m) => [m.id, m]));
    let lost = 0;
    for (const m of acked) {
      const s = byId.get(m.id);
      if (!s || s.seq !== m.seq || s.clientId !== m.clientId) lost++;
    }
    const clientIds = stored.filter((m) => m.clientId).map((m) => m.clientId);
    assertEquals(new Set(clientIds).size, clientIds.length, "no clientId stored twice");
    assertEquals(lost, 0);
    console.log(JSON.stringify({
      sent,
      acked: acked.length,
      stored: stored.length - 1,
      lost,
    }));
  } finally {
    try {
      proc.child.kill("SIGKILL");
    } catch { /* already gone */ }
    await proc.child.status;
    await proc.output();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGTERM: sockets closed with 1012, exit within the grace period", async () => {
  const dir = await Deno.makeTempDir({ prefix: "parley-term-" });
  const proc = await spawnServer(`${dir}/kv.sqlite`, 2, { LOG_LEVEL: "info" });
  try {
    const api = new Api(proc.url);
    const customer = await api.guest("Term");
    const conv = await api.start(customer);
    const ws = await WsClient.connect(proc.url.replace(/^http/, "ws") + "ws", customer.token);
    ws.send({ type: "subscribe", conversationId: conv.id });
    await ws.next((f) => f.type === "message");
    const started = Date.now();
    proc.child.kill("SIGTERM");
    const closed = await ws.closed;
    assertEquals(closed.code, 1012);
    const status = await proc.child.status;
    const tookMs = Date.now() - started;
    assertEquals(status.code, 0);
    assert(tookMs < 5000, `exited after ${tookMs} ms`);
    assertMatch(await proc.output(), /"msg":"shut down"/);
    console.log(JSON.stringify({ shutdownMs: tookMs }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
