/**
 * `deno run -A bench/console_reads.ts [--conversations 200] [--agents 20] [--burst 20]
 * [--shape agents|customers|both] [--rate 0] [--instances 1|2] [--lockstep]`: KV reads and CPU per delivered message for a socket shape,
 * in one process (the server and its sockets), on a KV file (so the signal poll runs, as in
 * `deno task bench`). Each customer socket follows its one conversation, each agent socket the
 * agent's conversations (conversations / agents of them); every customer sends `--burst`
 * messages back to back. Counts (bench/counting_kv.ts) hold on a shared machine; the CPU figure
 * is the whole process's (server and clients).
 */
import { parseConfig } from "../lib/config.ts";
import { startServer } from "../lib/server/server.ts";
import { openKv } from "../lib/store/mod.ts";
import { countingKv, type KvCounts, reads, type ReadsByPrefix, zeroCounts } from "./counting_kv.ts";
import { closeAll, nextFrame, openParleySocket, ParleyApi, pool } from "./clients.ts";
import { cpuMs } from "./proc.ts";
import { LIFTED_LIMITS } from "./spawn.ts";

export interface ConsoleReadsOptions {
  conversations: number;
  agents: number;
  burst: number;
  /** Which sockets are open: agents' consoles, customers' sockets, or both. */
  shape: "agents" | "customers" | "both";
  /** Messages per second, paced as bench/load.ts does (0: all at once). */
  rate?: number;
  /** Send one message at a time, each after the previous one was delivered. */
  lockstep?: boolean;
  /** 2: the counted sockets on a second instance (same KV file) from the senders. */
  instances?: 1 | 2;
  /** A KV file (default: a fresh temp file). */
  kvPath?: string;
}

export interface ConsoleReadsResult {
  messages: number;
  /** Message frames received by the open sockets. */
  delivered: number;
  counts: KvCounts;
  /** Read calls of the counted instance by the first element of the key read. */
  byPrefix: ReadsByPrefix;
  readsPerMessage: number;
  messageListsPerMessage: number;
  cpuUsPerMessage: number;
}

/** The clientIds of the measured messages start with this. */
const TAG = "bench-";
const ADMIN = { email: "admin@bench.local", password: "bench-admin-password" };

export async function consoleReads(opts: ConsoleReadsOptions): Promise<ConsoleReadsResult> {
  const dir = opts.kvPath ? null : await Deno.makeTempDir({ prefix: "parley-console-reads-" });
  const path = opts.kvPath ?? `${dir}/kv.sqlite`;
  const counting = countingKv(await openKv(path));
  const config = parseConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    KV_PATH: path,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: "error",
    ...LIFTED_LIMITS,
  });
  // With two instances, customers use the first and the counted sockets the second: every
  // message then reaches the counted sockets through the KV signal (watch or poll), as across
  // instances. The second instance's KV is the one counted.
  const other = opts.instances === 2 ? countingKv(await openKv(path)) : null;
  const server = await startServer(config, { kv: other ? other.kv : counting.kv });
  const counted = other ? await startServer(config, { kv: counting.kv }) : server;
  const sockets: WebSocket[] = [];
  try {
    const api = new ParleyApi(server.url);
    const wsUrl = server.url.replace(/^http/, "ws") + "ws";
    const countedWsUrl = counted.url.replace(/^http/, "ws") + "ws";
    const admin = await api.login(ADMIN.email, ADMIN.password);
    const A = opts.agents, C = opts.conversations;
    const agents = await pool(
      Array.from({ length: A }),
      2,
      (_, i) => api.createAgent(admin.token, i, "bench-agent-password"),
    );
    const guests = await pool(Array.from({ length: C }), 16, (_, i) => api.guest(`Customer ${i}`));
    const ids = await pool(guests, 16, (g) => api.startConversation(g.token));
    await pool(ids, 16, (id, i) => api.takeover(agents[i % A].token, id));
    const subscribe = async (token: string, conversationIds: string[], url = countedWsUrl) => {
      const ws = await openParleySocket(url, token);
      sockets.push(ws);
      let pending = conversationIds.length;
      const done = new Promise<void>((resolve) => {
        ws.addEventListener("message", function on(e) {
          if (JSON.parse(e.data).type === "conversation" && --pending === 0) {
            ws.removeEventListener("message", on);
            resolve();
          }
        });
      });
      for (const id of conversationIds) {
        ws.send(JSON.stringify({ type: "subscribe", conversationId: id }));
      }
      await done;
      return ws;
    };
    // Customers send over their sockets; only the sockets of the shape count their frames.
    const customers = await pool(ids, 16, (id, i) => subscribe(guests[i].token, [id], wsUrl));
    const agentSockets = opts.shape === "customers" ? [] : await pool(
      agents,
      4,
      (a, j) => subscribe(a.token, ids.filter((_, i) => i % A === j)),
    );
    const customerReceivers = opts.shape === "agents" ? [] : other // the customers' own second sockets, on the counted instance
      ? await pool(ids, 16, (id, i) => subscribe(guests[i].token, [id]))
      : customers;
    const receivers = [...customerReceivers, ...agentSockets];
    // Every subscription's first read is done (a ping answers after the socket's earlier frames).
    await Promise.all(receivers.map((ws) => {
      const pong = nextFrame(ws, (f) => f.type === "pong", 60_000);
      ws.send('{"type":"ping"}');
      return pong;
    }));
    const messages = C * opts.burst;
    const perMessage = opts.shape === "both" ? 2 : 1;
    let delivered = 0;
    let until = { n: messages * perMessage, resolve: () => {} };
    // Every wait has a deadline: a lost message fails the run instead of hanging it.
    const reached = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`delivered ${delivered} of ${n} after 60 s`)),
          60_000,
        );
        until = { n, resolve: () => (clearTimeout(timer), resolve()) };
        if (delivered >= n) until.resolve();
      });
    for (const ws of receivers) {
      ws.addEventListener("message", (e) => {
        const data = e.data as string;
        if (!data.startsWith('{"type":"message"')) return;
        if (!JSON.parse(data).message.clientId?.startsWith(TAG)) return;
        if (++delivered >= until.n) until.resolve();
      });
    }
    const before = { ...counting.counts }, beforeByPrefix = { ...counting.byPrefix };
    const cpu0 = cpuMs("self");
    const send = (i: number) => {
      const c = Math.floor(i / opts.burst) % C;
      customers[c].send(JSON.stringify({
        type: "send",
        conversationId: ids[c],
        text: "Hello, my order has not arrived yet.",
        clientId: `${TAG}${i}`,
      }));
    };
    if (opts.lockstep) {
      // One at a time: each message is delivered before the next is sent.
      for (let i = 0; i < messages; i++) {
        send(i);
        await reached((i + 1) * perMessage);
      }
    } else if (!opts.rate) {
      for (let i = 0; i < messages; i++) send(i);
    } else {
      // Paced like bench/load.ts: what is due each millisecond.
      const t0 = performance.now();
      let sent = 0;
      while (sent < messages) {
        const due = Math.min(
          messages,
          Math.floor(((performance.now() - t0) * opts.rate) / 1000) + 1,
        );
        for (; sent < due; sent++) send(sent);
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    await reached(messages * perMessage);
    const cpu = cpuMs("self") - cpu0;
    const counts = zeroCounts();
    for (const k of Object.keys(counts) as (keyof KvCounts)[]) {
      counts[k] = counting.counts[k] - before[k];
    }
    const byPrefix: ReadsByPrefix = {};
    for (const [name, n] of Object.entries(counting.byPrefix)) {
      const moved = n - (beforeByPrefix[name] ?? 0);
      if (moved) byPrefix[name] = moved;
    }
    return {
      messages,
      delivered,
      counts,
      byPrefix,
      readsPerMessage: round(reads(counts) / messages),
      messageListsPerMessage: round(counts.messageLists / messages),
      cpuUsPerMessage: Math.round((cpu * 1000) / messages),
    };
  } finally {
    await closeAll(sockets);
    if (counted !== server) await counted.shutdown();
    await server.shutdown();
    if (dir) await Deno.remove(dir, { recursive: true });
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

if (import.meta.main) {
  const arg = (name: string, fallback: string) => {
    const i = Deno.args.indexOf(`--${name}`);
    return i >= 0 ? Deno.args[i + 1] : fallback;
  };
  const shape = arg("shape", "agents") as ConsoleReadsOptions["shape"];
  const result = await consoleReads({
    conversations: Number(arg("conversations", "200")),
    agents: Number(arg("agents", "20")),
    burst: Number(arg("burst", "20")),
    shape,
    rate: Number(arg("rate", "0")),
    instances: arg("instances", "1") === "2" ? 2 : 1,
    lockstep: Deno.args.includes("--lockstep"),
  });
  console.log(JSON.stringify({
    shape,
    ...result,
    loadAverage: Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" "),
  }));
}
