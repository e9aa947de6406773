/**
 * Two real processes (main.ts) on one KV file. A `kv.watch` on a local file hears only its own
 * process, so what one process commits reaches the other's sockets through the signal poll
 * (lib/realtime/signal_poll.ts): messages, typing, read receipts, state changes and the agents'
 * inbox. And a rolling restart — start B, SIGTERM A while a client is connected to it, the client
 * resumes on B with `after` — loses and duplicates nothing.
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { ADMIN, Api, messageFrom, WsClient } from "./helpers.ts";
import { GENEROUS_LIMITS } from "./instances.ts";
import { type MainProcess, spawnMain } from "./process.ts";
import { until } from "./wait.ts";

async function spawnParley(kvPath: string): Promise<MainProcess> {
  const proc = await spawnMain({
    PORT: "0",
    HOST: "127.0.0.1",
    KV_PATH: kvPath,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: "info",
    ...GENEROUS_LIMITS,
  });
  if (!proc.url) throw new Error(`server exited before listening: ${await proc.output()}`);
  return proc;
}

const wsUrl = (proc: MainProcess) => proc.url.replace(/^http/, "ws") + "ws";

/** Runs `fn` with a fresh KV file, and stops what it started. */
async function withKvFile(fn: (kvPath: string, started: MainProcess[]) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "parley-multiproc-" });
  const started: MainProcess[] = [];
  try {
    await fn(`${dir}/kv.sqlite`, started);
  } finally {
    for (const proc of started) await proc.stop("SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("two processes on one KV file hear each other's commits live", async () => {
  await withKvFile(async (kvPath, started) => {
    const a = await spawnParley(kvPath);
    started.push(a);
    const b = await spawnParley(kvPath);
    started.push(b);
    const apiA = new Api(a.url), apiB = new Api(b.url);
    const sockets: WsClient[] = [];
    try {
      const admin = await apiA.login(ADMIN.email, ADMIN.password);
      const dana = await apiB.agent(admin, "Dana", "dana@example.com", "available");

      // The agent's console is on B; the customer is on A.
      const agentWs = await WsClient.connect(wsUrl(b), dana.token);
      sockets.push(agentWs);
      agentWs.send({ type: "subscribe", inbox: true });
      agentWs.send({ type: "ping" });
      await agentWs.next((f) => f.type === "pong");
      const customer = await apiA.guest("Casey");
      const conv = await apiA.start(customer);
      await agentWs.next((f) => f.type === "conversation" && f.conversation.id === conv.id);
      const customerWs = await WsClient.connect(wsUrl(a), customer.token);
      sockets.push(customerWs);
      const seqsOnA: number[] = [];
      customerWs.ws.addEventListener("message", (e) => {
        const f = JSON.parse(e.data);
        if (f.type === "message" && f.message.conversationId === conv.id) {
          seqsOnA.push(f.message.seq);
        }
      });
      customerWs.send({ type: "subscribe", conversationId: conv.id });
      await customerWs.next(messageFrom("bot"));

      // A hands off; Dana (free) gets it, and B's inbox hears the new state.
      const handoff = await apiA.request("POST", `/api/conversations/${conv.id}/handoff`, {
        token: customer.token,
      });
      assertEquals(handoff.body.conversation.mode, "human");
      await agentWs.next((f) =>
        f.type === "conversation" && f.conversation.id === conv.id &&
        f.conversation.assigneeId === dana.user.id
      );
      agentWs.send({ type: "subscribe", conversationId: conv.id });
      await agentWs.next((f) => f.type === "conversation" && f.conversation.id === conv.id);

      // A message sent on A reaches the agent's socket on B, and back.
      customerWs.send({ type: "send", conversationId: conv.id, text: "Hi from A", clientId: "a1" });
      const ack = await customerWs.next((f) => f.type === "ack" && f.clientId === "a1");
      const heard = await agentWs.next(messageFrom("customer", conv.id));
      assertEquals([heard.message.seq, heard.message.text], [ack.message.seq, "Hi from A"]);
      agentWs.send({ type: "send", conversationId: conv.id, text: "Hello from B", clientId: "b1" });
      const reply = await customerWs.next(messageFrom("agent", conv.id));
      assertEquals(reply.message.text, "Hello from B");

      // Typing on A, a read receipt on B: through the feed, woken by the poll.
      customerWs.send({ type: "typing", conversationId: conv.id, typing: true });
      const typing = await agentWs.next((f) => f.type === "typing" && f.conversationId === conv.id);
      assertEquals([typing.userId, typing.typing], [customer.user.id, true]);
      agentWs.send({ type: "read", conversationId: conv.id, seq: ack.message.seq });
      const read = await customerWs.next((f) => f.type === "read" && f.userId === dana.user.id);
      assertEquals(read.seq, ack.message.seq);

      // A state change on B (resolve) reaches the customer on A.
      await apiB.request("POST", `/api/conversations/${conv.id}/resolve`, { token: dana.token });
      await customerWs.next((f) =>
        f.type === "conversation" && f.conversation.status === "resolved"
      );
      // The customer on A got every message once, in order.
      const stored = (await apiB.messages(dana, conv.id)).map((m) => m.seq);
      await until(() => seqsOnA.length >= stored.length, "every message on A");
      assertEquals(seqsOnA, stored);
    } finally {
      for (const s of sockets) await s.close();
    }
  });
});

Deno.test("a rolling restart on one host loses no live delivery", async () => {
  await withKvFile(async (kvPath, started) => {
    const a = await spawnParley(kvPath);
    started.push(a);
    const apiA = new Api(a.url);
    const admin = await apiA.login(ADMIN.email, ADMIN.password);
    const dana = await apiA.agent(admin, "Dana", "dana@example.com", "available");
    const customer = await apiA.guest("Casey");
    const conv = await apiA.start(customer);
    await apiA.request("POST", `/api/conversations/${conv.id}/handoff`, { token: customer.token });

    // The customer's client, as lib/client/chat_socket.ts does: keep the highest seq, resume with
    // `after` on reconnect, drop a seq it already has (counted here: there must be none).
    const seen = new Map<number, string>();
    let duplicates = 0;
    const connect = async (proc: MainProcess) => {
      const ws = await WsClient.connect(wsUrl(proc), customer.token);
      ws.ws.addEventListener("message", (e) => {
        const f = JSON.parse(e.data);
        if (f.type !== "message" || f.message.conversationId !== conv.id) return;
        if (seen.has(f.message.seq)) duplicates++;
        else seen.set(f.message.seq, f.message.text);
      });
      ws.send({ type: "subscribe", conversationId: conv.id, after: Math.max(0, ...seen.keys()) });
      return ws;
    };
    let customerWs = await connect(a);
    await until(() => seen.size > 0, "the customer's history");

    // B starts on the same file (the overlap); the agent works from B.
    const b = await spawnParley(kvPath);
    started.push(b);
    const agentWs = await WsClient.connect(wsUrl(b), dana.token);
    try {
      agentWs.send({ type: "subscribe", conversationId: conv.id });
      await agentWs.next((f) => f.type === "conversation" && f.conversation.id === conv.id);
      const agentSends = async (from: number, to: number) => {
        for (let k = from; k < to; k++) {
          agentWs.send({ type: "send", conversationId: conv.id, text: `b${k}`, clientId: `b${k}` });
          await agentWs.next((f) => f.type === "ack" && f.clientId === `b${k}`);
        }
      };
      // While both run, B's messages reach the customer on A live, and A's reach B.
      await agentSends(0, 5);
      await until(
        () => [...seen.values()].filter((t) => /^b\d$/.test(t)).length === 5,
        "B's messages on A, live",
      );
      customerWs.send({ type: "send", conversationId: conv.id, text: "a0", clientId: "a0" });
      await agentWs.next((f) => f.type === "message" && f.message.text === "a0");

      // A is stopped (SIGTERM) while the customer is connected to it, and B keeps sending.
      const closed = customerWs.closed;
      const stopping = a.stop("SIGTERM");
      const sending = agentSends(5, 10);
      assertEquals((await closed).code, 1012, "service restart: reconnect elsewhere");
      customerWs = await connect(b);
      await sending;
      await agentSends(10, 15);
      const { code, output } = await stopping;
      assertEquals(code, 0);
      assertMatch(output, /"msg":"shut down"/);

      const stored = await new Api(b.url).messages(dana, conv.id);
      await until(() => seen.size === stored.length, "every message on the customer's side");
      assertEquals([...seen.keys()].sort((x, y) => x - y), stored.map((m) => m.seq));
      assertEquals(duplicates, 0);
      for (let k = 0; k < 15; k++) assert([...seen.values()].includes(`b${k}`), `b${k}`);
    } finally {
      await agentWs.close();
      await customerWs.close();
    }
  });
});
