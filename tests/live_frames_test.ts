/**
 * Live state frames over a real server and real sockets: `agent` frames reach inbox sockets when an
 * agent's status changes (by the agent, by an admin, by the presence sweeper) and when their load
 * moves (assignment, resolve); `queue` frames tell a waiting customer their place as the line moves, with no stored
 * message per move.
 */
import { assert, assertEquals } from "./assert.ts";
import {
  type Frame,
  messageFrom,
  type Session,
  startTestServer,
  type TestServer,
  WsClient,
} from "./helpers.ts";
import type { User } from "../lib/contract/types.ts";

/** A socket whose inbox subscription is in place (the pong follows it). */
async function inboxSocket(server: TestServer, session: Session): Promise<WsClient> {
  const ws = await WsClient.connect(server.wsUrl, session.token);
  ws.send({ type: "subscribe", inbox: true });
  ws.send({ type: "ping" });
  await ws.next((f) => f.type === "pong");
  return ws;
}

/** The next `agent` frame about `id` that satisfies `match`. */
const agentFrame = (ws: WsClient, id: string, match: (u: User) => boolean) =>
  ws.next((f: Frame) => f.type === "agent" && f.user.id === id && match(f.user));

Deno.test("inbox sockets see agent frames: own status, an admin's change, assignment, resolve", async () => {
  const server = await startTestServer({ AGENT_CAPACITY: "1" });
  const sockets: WsClient[] = [];
  try {
    const { api } = server;
    const admin = await server.admin();
    const ann = await api.agent(admin, "Ann", "ann@example.com", "offline");
    const annWs = await inboxSocket(server, ann);
    const adminWs = await inboxSocket(server, admin);
    const guestWs = await WsClient.connect(server.wsUrl, (await api.guest("Gus")).token);
    sockets.push(annWs, adminWs, guestWs);
    const id = ann.user.id;

    // Ann sets herself busy: both inbox sockets hear it, as GET /api/agents would show her.
    await api.request("PUT", "/api/agents/me/status", {
      token: ann.token,
      body: { status: "busy" },
    });
    for (const ws of [annWs, adminWs]) {
      const { user } = await agentFrame(ws, id, (u) => u.status === "busy");
      assertEquals(user.name, "Ann");
      assertEquals(user.email, "ann@example.com");
      assertEquals(
        [user.chosenStatus, user.activeConversations, user.capacity, user.atCapacity],
        ["busy", 0, 1, false],
      );
      assert(!("passwordHash" in user), "no password hash in the frame");
    }
    // A socket that never subscribed to the inbox hears nothing of it.
    guestWs.send({ type: "ping" });
    await guestWs.next((f) => f.type === "pong");
    assert(!guestWs.frames.some((f) => f.type === "agent"), "agent frames are for the inbox");

    // An admin makes her available.
    const put = await api.request("PUT", `/api/agents/${id}`, {
      token: admin.token,
      body: { status: "available" },
    });
    assertEquals(put.status, 200);
    await agentFrame(annWs, id, (u) => u.status === "available");
    await agentFrame(adminWs, id, (u) => u.status === "available");

    // A customer is assigned to her: load 1 of 1, shown busy, her choice kept.
    const guest = await api.guest("Gail");
    const conv = await api.start(guest);
    const handoff = await api.request("POST", `/api/conversations/${conv.id}/handoff`, {
      token: guest.token,
    });
    assertEquals(handoff.body.conversation.assigneeId, id);
    for (const ws of [annWs, adminWs]) {
      const { user } = await agentFrame(ws, id, (u) => u.activeConversations === 1);
      assertEquals([user.status, user.chosenStatus, user.atCapacity], ["busy", "available", true]);
    }

    // She resolves it: back to available with room.
    await api.request("POST", `/api/conversations/${conv.id}/resolve`, { token: ann.token });
    for (const ws of [annWs, adminWs]) {
      const { user } = await agentFrame(ws, id, (u) => u.activeConversations === 0);
      assertEquals([user.status, user.atCapacity], ["available", false]);
    }
    // Each state once per socket, in order: busy, available, at capacity, free again.
    const seen = (ws: WsClient) => ws.frames.filter((f) => f.type === "agent").length;
    assertEquals([seen(annWs), seen(adminWs)], [0, 0], "no duplicate agent frames");
  } finally {
    for (const s of sockets) await s.close();
    await server.shutdown();
  }
});

Deno.test("a waiting customer's socket hears its place: 2, then 1 as the one ahead is assigned", async () => {
  const server = await startTestServer({ AGENT_CAPACITY: "1" });
  const sockets: WsClient[] = [];
  try {
    const { api } = server;
    const admin = await server.admin();
    const ann = await api.agent(admin, "Ann", "ann@example.com", "busy");
    /** A customer following their conversation, then asking for a person (nobody is free). */
    const waits = async (name: string) => {
      const guest = await api.guest(name);
      const conv = await api.start(guest);
      const ws = await WsClient.connect(server.wsUrl, guest.token);
      sockets.push(ws);
      ws.send({ type: "subscribe", conversationId: conv.id });
      await ws.next(messageFrom("bot"));
      const res = await api.request("POST", `/api/conversations/${conv.id}/handoff`, {
        token: guest.token,
      });
      assertEquals(res.body.conversation.mode, "waiting");
      return { guest, conv, ws };
    };
    const queueFrame = (ws: WsClient, position: number) =>
      ws.next((f) => f.type === "queue" && f.position === position);

    const first = await waits("First");
    const firstPlace = await queueFrame(first.ws, 1);
    assertEquals(firstPlace.conversationId, first.conv.id);
    const second = await waits("Second");
    await queueFrame(second.ws, 2);

    // Ann becomes available and takes the first: the second moves up to 1.
    await api.request("PUT", "/api/agents/me/status", {
      token: ann.token,
      body: { status: "available" },
    });
    await first.ws.next((f) => f.type === "conversation" && f.conversation.mode === "human");
    const moved = await queueFrame(second.ws, 1);
    assertEquals(moved.conversationId, second.conv.id);

    // No stored message per move: the only system message is the one that queued it.
    const system = (await api.messages(second.guest, second.conv.id))
      .filter((m) => m.sender === "system").map((m) => m.text);
    assertEquals(system.length, 1, JSON.stringify(system));
    assert(/number 2 in the queue/.test(system[0]), system[0]);

    // A socket that subscribes later (a reloaded page) is told its current place.
    const again = await WsClient.connect(server.wsUrl, second.guest.token);
    sockets.push(again);
    again.send({ type: "subscribe", conversationId: second.conv.id });
    assertEquals((await queueFrame(again, 1)).conversationId, second.conv.id);

    // Leaving the queue (resolved by the customer) sends no further position to anyone.
    await api.request("POST", `/api/conversations/${second.conv.id}/resolve`, {
      token: second.guest.token,
    });
    await again.next((f) => f.type === "conversation" && f.conversation.status === "resolved");
    again.send({ type: "ping" });
    await again.next((f) => f.type === "pong");
    assert(!again.frames.some((f) => f.type === "queue"), "no position after leaving");
  } finally {
    for (const s of sockets) await s.close();
    await server.shutdown();
  }
});

Deno.test("the presence sweeper taking an agent offline reaches the inbox as an agent frame", async () => {
  const server = await startTestServer({ PRESENCE_GRACE_SECONDS: "1" });
  const sockets: WsClient[] = [];
  try {
    const admin = await server.admin();
    const ann = await server.api.agent(admin, "Ann", "ann@example.com");
    const annWs = await WsClient.connect(server.wsUrl, ann.token);
    const adminWs = await inboxSocket(server, admin);
    sockets.push(annWs, adminWs);
    // Her only socket closes; past the grace period the sweeper takes her offline.
    await annWs.close();
    const { user } = await agentFrame(adminWs, ann.user.id, (u) => u.status === "offline");
    assertEquals([user.chosenStatus, user.activeConversations], ["offline", 0]);
  } finally {
    for (const s of sockets) await s.close();
    await server.shutdown();
  }
});
