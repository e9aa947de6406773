/**
 * Search and notes across instances and restarts: the message's commit queues it for the indexer
 * (lib/store/search_indexer.ts), which one instance at a time (a KV lease) turns into index
 * entries in the shared KV, so a message sent through one instance is found through another
 * shortly after (waited for with a deadline), and an instance started later on the same store
 * finds it too. A note
 * written on one instance reaches the other instance's customer socket never (its catch-up from
 * KV filters it) and the mentioned colleague's socket there (through the feed).
 */
import { assert, assertEquals } from "./assert.ts";
import { GENEROUS_LIMITS, startCluster, WsClient } from "./instances.ts";
import { ADMIN, Api } from "./helpers.ts";
import { startWorker } from "../lib/server/workers.ts";
import { until } from "./wait.ts";

Deno.test("search: written on one instance, found on another and after a restart", async () => {
  const cluster = await startCluster(2);
  try {
    const [a, b] = cluster.instances;
    const admin = await cluster.admin();
    const agent = await a.api.agent(admin, "Ann", "ann@example.com");
    const bob = await a.api.agent(admin, "Bob", "bob@example.com");
    const customer = await a.api.register("Rita Quinn", "rita@example.com");
    const conv = await a.api.start(customer);
    // On the other instance: the customer's socket and Bob's inbox.
    const customerWs = await WsClient.connect(b.wsUrl, customer.token);
    const bobWs = await WsClient.connect(b.wsUrl, bob.token);
    customerWs.send({ type: "subscribe", conversationId: conv.id });
    await customerWs.next((f) => f.type === "message" && f.message.seq === 1);
    bobWs.send({ type: "subscribe", inbox: true });
    bobWs.send({ type: "ping" });
    await bobWs.next((f) => f.type === "pong");
    const sent = await a.api.request("POST", `/api/conversations/${conv.id}/messages`, {
      token: customer.token,
      body: { text: "The parcel tracking number does not work" },
    });
    assertEquals(sent.status, 201);
    const note = await a.api.request("POST", `/api/conversations/${conv.id}/messages`, {
      token: agent.token,
      body: { text: "courier confirmed delay", private: true },
    });
    assertEquals(note.status, 201);
    const mention = await a.api.request("POST", `/api/conversations/${conv.id}/messages`, {
      token: agent.token,
      body: { text: "@bob can you call the courier?", private: true },
    });
    const reply = await a.api.request("POST", `/api/conversations/${conv.id}/messages`, {
      token: agent.token,
      body: { text: "We are on it." },
    });
    // Across instances (KV catch-up, the feed): the mention reaches Bob; the customer gets the
    // reply and never a note.
    const told = await bobWs.next((f) => f.type === "mention");
    assertEquals([told.conversationId, told.seq], [conv.id, mention.body.message.seq]);
    await customerWs.next((f) => f.type === "message" && f.message.seq === reply.body.message.seq);
    assertEquals(customerWs.messages(conv.id).filter((m) => m.private).length, 0);
    assert(!JSON.stringify(customerWs.frames).includes("courier"));
    await customerWs.close();
    await bobWs.close();

    const find = async (api: Api, q: string) => {
      const res = await api.request("GET", `/api/search?q=${encodeURIComponent(q)}`, {
        token: agent.token,
      });
      assertEquals(res.status, 200);
      return res.body.results.map((
        r: { conversation: { id: string }; message?: { seq: number } },
      ) => [r.conversation.id, r.message?.seq ?? null]);
    };
    /** Waits (with a deadline) until `q` finds `expected`: the indexer runs shortly after. */
    const found = (api: Api, q: string, expected: unknown) =>
      until(
        async () => JSON.stringify(await find(api, q)) === JSON.stringify(expected),
        `"${q}" found through the index`,
      );
    await found(b.api, "tracking parcel", [[conv.id, sent.body.message.seq]]);
    await found(b.api, "courier confirmed", [[conv.id, note.body.message.seq]]);
    assertEquals(await find(b.api, "quinn"), [[conv.id, null]]);

    // Every instance stops; a new one on the same store finds the same.
    await Promise.all(cluster.instances.map((i) => i.handle.stop()));
    cluster.instances.length = 0;
    const again = await startWorker({
      PORT: "0",
      HOST: "127.0.0.1",
      KV_PATH: cluster.kvPath,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: "error",
      ...GENEROUS_LIMITS,
    }, { index: 0 });
    try {
      assertEquals(await find(new Api(again.url), "tracking parcel"), [[
        conv.id,
        sent.body.message.seq,
      ]]);
    } finally {
      await again.stop();
    }
  } finally {
    await cluster.close();
  }
});
