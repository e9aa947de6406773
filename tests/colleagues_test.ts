/**
 * Who's viewing and typing: `colleague` frames from an agent reach the other agents following the
 * conversation and never its customer (a note being typed above all); a customer can't send one.
 */
import { assert, assertEquals } from "./assert.ts";
import { withServerAndSockets } from "./helpers.ts";

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
