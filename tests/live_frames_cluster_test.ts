/**
 * Live state frames across instances (two Workers on one KV file, BroadcastChannel off, so only
 * the feed carries them): an admin's inbox socket on one instance hears an agent's status and load
 * change made on the other, and a waiting customer on one instance hears their place move as the
 * other instance assigns the conversation ahead; a colleague's activity crosses too, to staff only.
 */
import { assert, assertEquals } from "./assert.ts";
import { messageFrom, WsClient } from "./helpers.ts";
import { startCluster } from "./instances.ts";

Deno.test("agent and queue frames cross instances through the feed", async () => {
  const cluster = await startCluster(2, { BROADCAST: "0", AGENT_CAPACITY: "1" });
  const [one, two] = cluster.instances;
  const sockets: WsClient[] = [];
  try {
    const admin = await cluster.admin();
    const ann = await one.api.agent(admin, "Ann", "ann@example.com", "busy");

    // The admin watches from instance two.
    const adminWs = await WsClient.connect(two.wsUrl, admin.token);
    sockets.push(adminWs);
    adminWs.send({ type: "subscribe", inbox: true });
    adminWs.send({ type: "ping" });
    await adminWs.next((f) => f.type === "pong");

    // Two customers wait, both following their conversations from instance two.
    const waiting = [];
    for (const name of ["First", "Second"]) {
      const guest = await one.api.guest(name);
      const conv = await one.api.start(guest);
      const ws = await WsClient.connect(two.wsUrl, guest.token);
      sockets.push(ws);
      ws.send({ type: "subscribe", conversationId: conv.id });
      await ws.next(messageFrom("bot"));
      const res = await one.api.request("POST", `/api/conversations/${conv.id}/handoff`, {
        token: guest.token,
      });
      assertEquals(res.body.conversation.mode, "waiting");
      waiting.push({ conv, ws });
    }
    const [first, second] = waiting;
    const place = (ws: WsClient, position: number) =>
      ws.next((f) => f.type === "queue" && f.position === position);
    await place(first.ws, 1);
    assertEquals((await place(second.ws, 2)).conversationId, second.conv.id);

    // Ann, on instance one, becomes available: she takes the first, the second moves up.
    await one.api.request("PUT", "/api/agents/me/status", {
      token: ann.token,
      body: { status: "available" },
    });
    assertEquals((await place(second.ws, 1)).conversationId, second.conv.id);
    const { user } = await adminWs.next((f) =>
      f.type === "agent" && f.user.id === ann.user.id && f.user.activeConversations === 1
    );
    assertEquals([user.status, user.chosenStatus, user.atCapacity], ["busy", "available", true]);

    // An admin's change on instance one reaches the inbox on instance two.
    await one.api.request("PUT", `/api/agents/${ann.user.id}`, {
      token: admin.token,
      body: { status: "offline" },
    });
    const offline = await adminWs.next((f) =>
      f.type === "agent" && f.user.id === ann.user.id && f.user.status === "offline" &&
      f.user.activeConversations === 0
    );
    assertEquals(offline.user.chosenStatus, "offline");
    // Her conversation returns to the queue at its old place, ahead of the second again.
    assertEquals((await place(first.ws, 1)).conversationId, first.conv.id);
    assertEquals((await place(second.ws, 2)).conversationId, second.conv.id);

    // A colleague's activity (typing a note) on instance one reaches staff following the
    // conversation on instance two through the feed, and never its customer there.
    const annWs = await WsClient.connect(one.wsUrl, ann.token);
    sockets.push(annWs);
    for (const ws of [annWs, adminWs]) {
      ws.send({ type: "subscribe", conversationId: first.conv.id });
      await ws.next((f) => f.type === "conversation" && f.conversation.id === first.conv.id);
    }
    annWs.send({ type: "colleague", conversationId: first.conv.id, activity: "note" });
    const seen = await adminWs.next((f) => f.type === "colleague");
    assertEquals([seen.userId, seen.activity], [ann.user.id, "note"]);
    await one.api.request("POST", `/api/conversations/${first.conv.id}/messages`, {
      token: admin.token,
      body: { text: "After the note" },
    });
    await first.ws.next((f) => f.type === "message" && f.message.text === "After the note");
    assert(
      !first.ws.frames.some((f) => f.type === "colleague"),
      "no colleague frame to a customer",
    );
  } finally {
    for (const s of sockets) await s.close();
    await cluster.close();
  }
});
