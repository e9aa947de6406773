/**
 * Who's viewing and typing: `colleague` frames from an agent reach the other agents following the
 * conversation and never its customer (a note being typed above all); a customer can't send one.
 */
import { assert, assertEquals } from "./assert.ts";
import { withServerAndSockets, WsClient } from "./helpers.ts";
import { startCluster } from "./instances.ts";

Deno.test("colleague frames: staff only, never to the customer", async () => {
  await withServerAndSockets(async (server, open) => {
    const { api } = server;
    const admin = await server.admin();
    const ann = await api.agent(admin, "Ann", "ann@example.com");
    const bob = await api.agent(admin, "Bob", "bob@example.com");
    const carol = await api.guest("Carol");
    const conv = await api.start(carol);
    const [annWs, bobWs, carolWs] = await Promise.all(
      [ann, bob, carol].map((s) => open(server.wsUrl, s.token)),
    );
    for (const ws of [annWs, bobWs, carolWs]) {
      ws.send({ type: "subscribe", conversationId: conv.id });
      await ws.next((f) => f.type === "conversation");
    }
    annWs.send({ type: "colleague", conversationId: conv.id, activity: "viewing" });
    annWs.send({ type: "colleague", conversationId: conv.id, activity: "note" });
    const seen = await bobWs.next((f) => f.type === "colleague" && f.activity === "note");
    assertEquals(
      { userId: seen.userId, name: seen.name, conversationId: seen.conversationId },
      { userId: ann.user.id, name: "Ann", conversationId: conv.id },
    );
    assert(bobWs.frames.some((f) => f.type === "colleague" && f.activity === "viewing"));
    // The customer tries too: refused, and nothing goes out.
    carolWs.send({ type: "colleague", conversationId: conv.id, activity: "viewing" });
    const refused = await carolWs.next((f) => f.type === "error");
    assertEquals(refused.code, "forbidden");
    // A message after the frames: once Carol has it, anything sent before it has reached her.
    await api.request("POST", `/api/conversations/${conv.id}/messages`, {
      token: ann.token,
      body: { text: "Hello Carol" },
    });
    await carolWs.next((f) => f.type === "message" && f.message.text === "Hello Carol");
    await bobWs.next((f) => f.type === "message" && f.message.text === "Hello Carol");
    assert(!carolWs.frames.some((f) => f.type === "colleague"), "no colleague frame to Carol");
    assert(!bobWs.frames.some((f) => f.type === "colleague" && f.userId === carol.user.id));
    assert(!annWs.frames.some((f) => f.type === "colleague"), "not echoed to Ann");
    // An agent may only announce in conversations that exist.
    annWs.send({
      type: "colleague",
      conversationId: "01J00000000000000000000000",
      activity: "left",
    });
    assertEquals((await annWs.next((f) => f.type === "error")).code, "not_found");
  });
});

Deno.test("colleague frames cross instances through the feed, still staff only", async () => {
  const cluster = await startCluster(2, { BROADCAST: "0" });
  const [one, two] = cluster.instances;
  const sockets: WsClient[] = [];
  try {
    const admin = await cluster.admin();
    const ann = await one.api.agent(admin, "Ann", "ann@example.com", "busy");
    const bob = await one.api.agent(admin, "Bob", "bob@example.com", "busy");
    const carol = await one.api.guest("Carol");
    const conv = await one.api.start(carol);
    const annWs = await WsClient.connect(one.wsUrl, ann.token);
    const bobWs = await WsClient.connect(two.wsUrl, bob.token);
    const carolWs = await WsClient.connect(two.wsUrl, carol.token);
    sockets.push(annWs, bobWs, carolWs);
    for (const ws of sockets) {
      ws.send({ type: "subscribe", conversationId: conv.id });
      await ws.next((f) => f.type === "conversation");
    }
    annWs.send({ type: "colleague", conversationId: conv.id, activity: "note" });
    const seen = await bobWs.next((f) => f.type === "colleague", 15_000);
    assertEquals([seen.userId, seen.activity], [ann.user.id, "note"]);
    await one.api.request("POST", `/api/conversations/${conv.id}/messages`, {
      token: ann.token,
      body: { text: "After the note" },
    });
    await carolWs.next((f) => f.type === "message" && f.message.text === "After the note", 15_000);
    assert(!carolWs.frames.some((f) => f.type === "colleague"), "no colleague frame to Carol");
  } finally {
    for (const ws of sockets) await ws.close();
    await cluster.close();
  }
});
