/**
 * Presence: an agent whose every socket has been gone past the grace period goes offline and their
 * conversations return to the queue. Over a real server (grace 3 s: heartbeats of a loaded machine still arrive in time; waiting on the customer's
 * frames), and with an injected clock and hand-driven heartbeats and sweeps.
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { messageFrom, startTestServer, WsClient } from "./helpers.ts";
import { testConfig } from "../lib/config.ts";
import { createServices } from "../lib/server/services.ts";
import { Presence } from "../lib/assignment/presence.ts";
import type { Bot } from "../lib/bot/types.ts";
import type { User } from "../lib/contract/types.ts";

Deno.test("an agent's sockets gone past the grace period: offline, conversations requeued", async () => {
  const server = await startTestServer({ PRESENCE_GRACE_SECONDS: "3", AGENT_CAPACITY: "2" });
  const { api } = server;
  const sockets: WsClient[] = [];
  try {
    const admin = await server.admin();
    const ann = await api.agent(admin, "Ann", "ann@example.com");
    const bo = await api.agent(admin, "Bo", "bo@example.com", "offline");
    const annWs = await WsClient.connect(server.wsUrl, ann.token);
    const annWs2 = await WsClient.connect(server.wsUrl, ann.token);
    const guest = await api.guest("Gail");
    const conv = await api.start(guest);
    const g = await WsClient.connect(server.wsUrl, guest.token);
    sockets.push(annWs, annWs2, g);
    g.send({ type: "subscribe", conversationId: conv.id });
    await g.next(messageFrom("bot"));
    const handoff = await api.request("POST", `/api/conversations/${conv.id}/handoff`, {
      token: guest.token,
    });
    assertEquals(handoff.body.conversation.assigneeId, ann.user.id);
    await g.next((f) => messageFrom("system")(f) && /Ann joined/.test(f.message.text));

    // Both of her sockets close; past the grace period she counts as gone.
    await annWs.close();
    await annWs2.close();
    const left = await g.next(
      (f) => messageFrom("system")(f) && /Ann is no longer connected/.test(f.message.text),
    );
    assertMatch(left.message.text, /number 1 in the queue/);
    const state = await g.next((f) =>
      f.type === "conversation" && f.conversation.mode === "waiting"
    );
    assertEquals(state.conversation.assigneeId, null);
    const agents = (await api.request("GET", "/api/agents", { token: admin.token })).body
      .agents as User[];
    const annNow = agents.find((a) => a.id === ann.user.id)!;
    assertEquals([annNow.status, annNow.activeConversations], ["offline", 0]);

    // Bo comes online: the queue drains to him.
    const boWs = await WsClient.connect(server.wsUrl, bo.token);
    sockets.push(boWs);
    await api.request("PUT", "/api/agents/me/status", {
      token: bo.token,
      body: { status: "available" },
    });
    await g.next((f) => messageFrom("system")(f) && /Bo joined/.test(f.message.text));
    const byBo = await g.next((f) =>
      f.type === "conversation" && f.conversation.assigneeId === bo.user.id
    );
    assertEquals(byBo.conversation.mode, "human");
  } finally {
    for (const s of sockets) await s.close();
    await server.shutdown();
  }
});

const quietBot: Bot = {
  name: "Bot",
  greet: () => "Hello!",
  reply: () => Promise.resolve({ text: "ok", outcome: "answered" }),
};

Deno.test("presence with an injected clock", async (t) => {
  const kv = await Deno.openKv(":memory:");
  let now = Date.parse("2030-01-01T09:00:00Z");
  const clock = { now: () => now };
  const config = testConfig({ PRESENCE_GRACE_SECONDS: "10", LOG_LEVEL: "error" });
  const services = createServices(config, kv, { bot: quietBot, clock });
  const { store, assigner: router, presence, chat } = services;
  const agent = async (name: string) => {
    const record = await store.users.create({ name, email: `${name}@x.test`, role: "agent" });
    await router.updateAgent(record.id, { status: "available" });
    return record;
  };
  const customerAsks = async (name: string) => {
    const customer = await store.users.create({ name, role: "guest" });
    const conv = await chat.start(customer);
    return await router.requestHuman(conv.id);
  };
  const lastText = async (id: string) => (await store.conversations.messages(id)).at(-1)!.text;
  try {
    const ann = await agent("Ann");
    const conv = await customerAsks("Cal");
    assertEquals(conv.assigneeId, ann.id);

    await t.step("a live socket keeps the agent, however long", async () => {
      const untrack = presence.track(ann.id);
      await presence.heartbeat();
      now += 60_000;
      await presence.heartbeat();
      assertEquals(await presence.sweep(), []);
      await untrack();
    });

    await t.step("within the grace period, and after a reconnect, nothing moves", async () => {
      now += 5_000;
      assertEquals(await presence.sweep(), []);
      const untrack = presence.track(ann.id);
      await presence.heartbeat();
      now += 20_000;
      await presence.heartbeat();
      assertEquals(await presence.sweep(), []);
      assertEquals((await store.conversations.get(conv.id))!.assigneeId, ann.id);
      await untrack();
    });

    await t.step("past the grace period: offline and requeued, once", async () => {
      now += 10_001;
      assertEquals(await presence.sweep(), [ann.id]);
      const c = (await store.conversations.get(conv.id))!;
      assertEquals([c.mode, c.assigneeId], ["waiting", null]);
      assertMatch(await lastText(conv.id), /Ann is no longer connected\. You're number 1/);
      const state = (await store.users.agentState(ann.id)).value!;
      assertEquals([state.status, state.load], ["offline", 0]);
      assertEquals(await presence.sweep(), []);
    });

    await t.step("an instance that dies stops beating: its sockets go stale", async () => {
      const bo = await agent("Bo");
      assertEquals((await store.conversations.get(conv.id))!.assigneeId, bo.id);
      const other = new Presence(store, router, { graceMs: config.presenceGraceMs, clock }); // another instance
      other.track(bo.id);
      await other.heartbeat();
      now += other.liveMs; // the record is still fresh
      assertEquals(await presence.sweep(), []);
      now += config.presenceGraceMs + 1; // no heartbeat since: stale, and past the grace
      assertEquals(await presence.sweep(), [bo.id]);
      assertEquals((await store.conversations.get(conv.id))!.mode, "waiting");
      await other.stop();
    });

    await t.step("two instances sweeping at once requeue once", async () => {
      const cy = await agent("Cy");
      await presence.noteActivity(cy.id);
      const second = await customerAsks("Dot");
      assertEquals((await store.conversations.get(conv.id))!.assigneeId, cy.id);
      assertEquals(second.assigneeId, cy.id);
      now += config.presenceGraceMs + 1;
      const other = new Presence(store, router, { graceMs: config.presenceGraceMs, clock });
      const [a, b] = await Promise.all([presence.sweep(), other.sweep()]);
      assert(a.includes(cy.id) || b.includes(cy.id));
      for (const id of [conv.id, second.id]) {
        const left = (await store.conversations.messages(id))
          .filter((m) => /Cy is no longer connected/.test(m.text));
        assertEquals(left.length, 1, "one system message per conversation");
      }
      assertEquals((await store.users.agentState(cy.id)).value!.load, 0);
      assertEquals((await store.conversations.listWaiting()).map((c) => c.id), [
        conv.id,
        second.id,
      ]);
      await other.stop();
    });
  } finally {
    await services.close();
  }
});
