/**
 * Two Parley processes on one KV file (`deno task bench:multiproc`): what the signal poll
 * (lib/realtime/signal_poll.ts, KV_POLL_MS) costs an idle server, and how soon a message sent on
 * one process reaches a socket on the other.
 *
 *   --idle S      seconds of idle CPU measured per setting (default 30)
 *   --messages N  messages timed from process A to process B (default 50)
 *
 * Idle CPU is read from /proc/<pid>/stat (user + system) after the server has settled, each run on
 * a fresh KV file: KV_POLL_MS=0 and the default, with one idle socket connected (the poll runs
 * while anyone listens), and the default with no socket (the poll sleeps).
 */
import { parseArgs } from "node:util";
import { nextFrame, openParleySocket, ParleyApi } from "./clients.ts";
import { cpuMs, latencyStats, sleep } from "./proc.ts";
import { startServer, startTaskFlags, stop } from "./spawn.ts";

const ADMIN = { email: "admin@bench.local", password: "bench-password-1" };

const { values } = parseArgs({
  args: Deno.args,
  options: { idle: { type: "string", default: "30" }, messages: { type: "string", default: "50" } },
});
const idleSeconds = Number(values.idle);
const messages = Number(values.messages);

/** A Parley process as `deno task start` runs it (./spawn.ts), on `kvPath`. */
async function startParley(kvPath: string, env: Record<string, string> = {}) {
  const { child, url, pid } = await startServer([...await startTaskFlags(), "main.ts"], {
    HOST: "127.0.0.1",
    KV_PATH: kvPath,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: "warn",
    ...env,
  });
  return { url, pid, stop: () => stop(child) };
}

async function idleCpu(pollMs: string, socket: boolean): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "parley-idle-" });
  const server = await startParley(`${dir}/kv.sqlite`, { KV_POLL_MS: pollMs });
  let ws: WebSocket | null = null;
  try {
    if (socket) {
      const guest = await new ParleyApi(server.url).guest("Idle");
      ws = await openParleySocket(server.url.replace(/^http/, "ws") + "ws", guest.token);
    }
    await sleep(3_000); // start-up work (islands, admin, first reads) is over
    const before = cpuMs(server.pid);
    await sleep(idleSeconds * 1000);
    return (cpuMs(server.pid) - before) / idleSeconds; // ms of CPU per second
  } finally {
    ws?.close();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

async function crossProcessLatency(): Promise<number[]> {
  const dir = await Deno.makeTempDir({ prefix: "parley-2proc-" });
  const a = await startParley(`${dir}/kv.sqlite`);
  const b = await startParley(`${dir}/kv.sqlite`);
  const apiA = new ParleyApi(a.url), apiB = new ParleyApi(b.url);
  const ws = (url: string) => url.replace(/^http/, "ws") + "ws";
  try {
    const admin = await apiA.login(ADMIN.email, ADMIN.password);
    const agent = await apiB.createAgent(admin.token, 1, "agent-password-1");
    const customer = await apiA.guest("Bench");
    const conversationId = await apiA.startConversation(customer.token);
    await apiB.takeover(agent.token, conversationId);
    const customerWs = await openParleySocket(ws(a.url), customer.token);
    const agentWs = await openParleySocket(ws(b.url), agent.token);
    agentWs.send(JSON.stringify({ type: "subscribe", conversationId }));
    await nextFrame(agentWs, (f) => f.type === "conversation");
    const samples: number[] = [];
    for (let k = 0; k < messages; k++) {
      await sleep(50 + Math.random() * 200); // arrivals out of step with the poll
      const text = `m${k}`;
      const heard = nextFrame(agentWs, (f) => f.type === "message" && f.message.text === text);
      const sent = performance.now();
      customerWs.send(JSON.stringify({ type: "send", conversationId, text, clientId: text }));
      await heard;
      samples.push(performance.now() - sent);
    }
    customerWs.close();
    agentWs.close();
    return samples;
  } finally {
    await a.stop();
    await b.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

const off = await idleCpu("0", true);
const on = await idleCpu("100", true);
const asleep = await idleCpu("100", false);
const latency = latencyStats(await crossProcessLatency());
const pct = (msPerS: number) => `${(msPerS / 10).toFixed(2)}% of a core`;
console.log(`Idle server, ${idleSeconds} s each (CPU ms per second):`);
console.log(`  one socket, KV_POLL_MS=0    ${off.toFixed(2)} ms/s  (${pct(off)})`);
console.log(`  one socket, KV_POLL_MS=100  ${on.toFixed(2)} ms/s  (${pct(on)})`);
console.log(`  the poll costs              ${(on - off).toFixed(2)} ms/s  (${pct(on - off)})`);
console.log(`  no socket, KV_POLL_MS=100   ${asleep.toFixed(2)} ms/s  (${pct(asleep)}: asleep)`);
console.log(
  `Message on A → socket on B, ${latency.count} messages: p50 ${latency.p50} / p90 ${latency.p90} / p99 ${latency.p99} / max ${latency.max} ms`,
);
console.log(JSON.stringify({ idleCpuMsPerS: { off, on, asleep }, crossProcess: latency }));
