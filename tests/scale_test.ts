/**
 * Two and four instances (Workers, one KV file), customers and agents deliberately on different
 * instances: every message reaches every subscriber exactly once, in seq order, with the
 * BroadcastChannel fast path on and off; the inbox, typing and sign-outs cross instances too.
 */
import { assert, assertEquals } from "./assert.ts";
import { type Frame, type Session, WsClient } from "./helpers.ts";
import { type Cluster, startCluster, until } from "./instances.ts";
import type { Conversation, Message } from "../lib/contract/types.ts";

const PER_CUSTOMER = 8;
const PER_AGENT = 4;

/** Seqs of the message frames of one conversation, in arrival order. */
const seqsOf = (c: WsClient, id: string) => c.messages(id).map((m) => m.seq);
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

async function deliveryScenario(cluster: Cluster, figures: Record<string, number>) {
  const { instances } = cluster;
  const n = instances.length;
  const at = (i: number) => instances[i % n];
  const admin = await cluster.admin();
  const sockets: WsClient[] = [];
  try {
    // One agent per instance; each watches the inbox from instance i + 1.
    const agents: Session[] = [];
    const agentWs: WsClient[] = [];
    for (let i = 0; i < n; i++) {
      agents.push(await at(i).api.agent(admin, `Agent ${i}`, `agent${i}@x.test`, "busy"));
      const ws = await WsClient.connect(at(i + 1).wsUrl, agents[i].token);
      ws.send({ type: "subscribe", inbox: true });
      agentWs.push(ws);
      sockets.push(ws);
    }
    // Two customers per instance; each conversation is taken over by an agent on another one.
    const convs: { id: string; customer: Session; ws: WsClient; agent: number }[] = [];
    for (let i = 0; i < 2 * n; i++) {
      const customer = await at(i).api.guest(`Guest ${i}`);
      const conv = await at(i).api.start(customer);
      const ws = await WsClient.connect(at(i).wsUrl, customer.token);
      ws.send({ type: "subscribe", conversationId: conv.id, after: 0 });
      sockets.push(ws);
      convs.push({ id: conv.id, customer, ws, agent: (i + 1) % n });
    }
    // Every inbox sees every new conversation, whichever instance created it.
    for (const ws of agentWs) {
      await until(
        () =>
          convs.every((c) =>
            ws.frames.some((f) => f.type === "conversation" && f.conversation.id === c.id)
          ),
        "inbox: new conversations",
      );
    }
    for (const c of convs) {
      const res = await at(c.agent).api.request(
        "POST",
        `/api/conversations/${c.id}/takeover`,
        { token: agents[c.agent].token },
      );
      assertEquals(res.status, 200);
    }
    for (const ws of agentWs) {
      for (const c of convs) ws.send({ type: "subscribe", conversationId: c.id, after: 0 });
    }

    for (const ws of agentWs) {
      await until(() => convs.every((c) => seqsOf(ws, c.id).length > 0), "subscriptions");
    }

    // Typing crosses instances (customer on i, agent on i + 2).
    const typer = convs[0];
    const watcher = agentWs[(typer.agent + 1) % n];
    typer.ws.send({ type: "typing", conversationId: typer.id, typing: true });
    await watcher.next((f) =>
      f.type === "typing" && f.conversationId === typer.id && f.userId === typer.customer.user.id
    );

    // Everyone talks at once.
    const acked: Message[] = [];
    const sends: Promise<Frame>[] = [];
    for (const c of convs) {
      for (let k = 0; k < PER_CUSTOMER; k++) {
        const clientId = `c-${c.id}-${k}`;
        c.ws.send({ type: "send", conversationId: c.id, text: `hello ${k}`, clientId });
        sends.push(c.ws.next((f) => f.type === "ack" && f.clientId === clientId, 15_000));
      }
      const aws = agentWs[c.agent];
      for (let k = 0; k < PER_AGENT; k++) {
        const clientId = `a-${c.id}-${k}`;
        aws.send({ type: "send", conversationId: c.id, text: `reply ${k}`, clientId });
        sends.push(aws.next((f) => f.type === "ack" && f.clientId === clientId, 15_000));
      }
    }
    for (const ack of await Promise.all(sends)) acked.push(ack.message);

    // Every subscriber ends with exactly 1..lastSeq of each conversation, once each, in order.
    let deliveries = 0, duplicates = 0;
    for (const c of convs) {
      const stored = await at(0).api.messages(admin, c.id);
      const last = stored.length;
      assertEquals(stored.map((m) => m.seq), range(last));
      for (const ws of [c.ws, ...agentWs]) {
        await until(() => seqsOf(ws, c.id).includes(last), `delivery of seq ${last}`);
        const seqs = seqsOf(ws, c.id);
        duplicates += seqs.length - new Set(seqs).size;
        assertEquals(seqs, range(last), `subscriber of ${c.id}`);
        deliveries += seqs.length;
        const ids = new Set(ws.messages(c.id).map((m) => m.id));
        assert(stored.every((m) => ids.has(m.id)));
      }
      // The inbox ends on the conversation's final state.
      for (const ws of agentWs) {
        await until(
          () =>
            ws.frames.some((f) =>
              f.type === "conversation" && f.conversation.id === c.id &&
              (f.conversation as Conversation).lastSeq === last
            ),
          "inbox: final state",
        );
      }
    }
    const storedIds = new Set<string>();
    for (const c of convs) {
      for (const m of await at(0).api.messages(admin, c.id)) storedIds.add(m.id);
    }
    const lost = acked.filter((m) => !storedIds.has(m.id)).length;
    assertEquals(lost, 0);
    assertEquals(duplicates, 0);
    figures.acked = acked.length;
    figures.deliveries = deliveries;
    figures.lost = lost;
    figures.duplicated = duplicates;

    // Signing out on one instance closes that session's socket on another.
    const leaver = convs[1];
    const out = await at(leaver.agent).api.request("POST", "/api/auth/logout", {
      token: leaver.customer.token,
    });
    assertEquals(out.status, 204);
    const closed = await leaver.ws.closed;
    assertEquals(closed.code, 4401);
  } finally {
    for (const s of sockets) await s.close();
  }
}

// Four instances run once, with the BroadcastChannel off: every message then crosses through KV
// alone, the path the fast one only shortcuts (two instances cover both).
for (const n of [2, 4]) {
  for (const broadcast of n === 4 ? ["0"] : ["1", "0"]) {
    Deno.test(`${n} instances, BroadcastChannel ${broadcast === "1" ? "on" : "off"}`, async () => {
      const cluster = await startCluster(n, { BROADCAST: broadcast });
      const figures: Record<string, number> = {};
      try {
        await deliveryScenario(cluster, figures);
        console.log(JSON.stringify({ instances: n, broadcast: broadcast === "1", ...figures }));
      } finally {
        await cluster.close();
      }
    });
  }
}
