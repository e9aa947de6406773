/**
 * Routing over a real server: agents with small capacities and a stream of customers. Load
 * spreads, capacity holds, the queue drains in arrival order, an agent going offline requeues,
 * an admin overrides capacity, transfer and handback free capacity, and the seed's busy/available
 * flow falls out of it.
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { type Session, startTestServer, type TestServer } from "./helpers.ts";
import type { Conversation, User } from "../lib/contract/types.ts";

async function setup(env: Record<string, string>, names: string[]) {
  const server = await startTestServer(env);
  const admin = await server.admin();
  const agents: Session[] = [];
  for (const name of names) {
    agents.push(await server.api.agent(admin, name, `${name.toLowerCase()}@example.com`));
  }
  return { server, admin, agents };
}

/** A new guest who starts a conversation and asks for a person. */
async function customerAsks(server: TestServer, name: string) {
  const guest = await server.api.guest(name);
  const conv = await server.api.start(guest);
  const res = await server.api.request("POST", `/api/conversations/${conv.id}/handoff`, {
    token: guest.token,
  });
  assertEquals(res.status, 200);
  return { guest, conv: res.body.conversation as Conversation };
}

async function agentList(server: TestServer, as: Session): Promise<User[]> {
  const res = await server.api.request("GET", "/api/agents", { token: as.token });
  assertEquals(res.status, 200);
  return (res.body.agents as User[]).filter((a) => a.role === "agent");
}

async function conversation(server: TestServer, as: Session, id: string): Promise<Conversation> {
  return (await server.api.request("GET", `/api/conversations/${id}`, { token: as.token })).body
    .conversation;
}

const post = (server: TestServer, as: Session, path: string, body?: unknown) =>
  server.api.request("POST", path, { token: as.token, body });

/** No agent holds more than `cap` (or their override), by their counters and by the facts. */
async function assertCapacityHolds(server: TestServer, admin: Session) {
  const all = (await server.api.request("GET", "/api/conversations?status=open&mode=human", {
    token: admin.token,
  })).body.conversations as Conversation[];
  for (const agent of await agentList(server, admin)) {
    const held = all.filter((c) => c.assigneeId === agent.id).length;
    assertEquals(agent.activeConversations, held, `${agent.name}'s load counter`);
    assert(held <= agent.capacity!, `${agent.name} holds ${held} > ${agent.capacity}`);
  }
}

Deno.test("three agents, capacity 2: load spreads, the queue drains in order", async () => {
  const { server, admin, agents } = await setup({ AGENT_CAPACITY: "2" }, ["Ann", "Ben", "Cy"]);
  const [ann, ben, cy] = agents;
  try {
    const stream: Awaited<ReturnType<typeof customerAsks>>[] = [];
    for (let i = 1; i <= 8; i++) stream.push(await customerAsks(server, `Customer ${i}`));
    // Fewest open first, ties to the longest idle: Ann, Ben, Cy, Ann, Ben, Cy.
    const ids = [ann, ben, cy, ann, ben, cy].map((a) => a.user.id);
    assertEquals(stream.slice(0, 6).map((s) => s.conv.assigneeId), ids);
    assertEquals(stream.slice(0, 6).map((s) => s.conv.mode), Array(6).fill("human"));
    assertEquals(stream.slice(6).map((s) => s.conv.mode), ["waiting", "waiting"]);
    const told = async (i: number) =>
      (await server.api.messages(stream[i].guest, stream[i].conv.id)).at(-1)!.text;
    assertMatch(await told(6), /number 1 in the queue; .*keep helping/);
    assertMatch(await told(7), /number 2 in the queue/);
    await assertCapacityHolds(server, admin);

    // Everyone at capacity: shown busy, their own choice kept.
    for (const a of await agentList(server, admin)) {
      assertEquals([a.status, a.chosenStatus, a.atCapacity], ["busy", "available", true]);
    }

    // Ben resolves one: the first in the queue goes to him, the second keeps waiting.
    assertEquals(
      (await post(server, ben, `/api/conversations/${stream[1].conv.id}/resolve`))
        .status,
      200,
    );
    assertEquals((await conversation(server, admin, stream[6].conv.id)).assigneeId, ben.user.id);
    assertEquals((await conversation(server, admin, stream[7].conv.id)).mode, "waiting");

    // Cy goes offline: both of Cy's conversations return to the queue, ahead of customer 8
    // (they asked first), and their customers are told.
    const off = await server.api.request("PUT", "/api/agents/me/status", {
      token: cy.token,
      body: { status: "offline" },
    });
    assertEquals(off.body.user.status, "offline");
    const waiting = (await server.api.request("GET", "/api/conversations?mode=waiting", {
      token: admin.token,
    })).body.conversations as Conversation[];
    const queue = waiting.sort((a, b) => a.waitingSince!.localeCompare(b.waitingSince!))
      .map((c) => c.id);
    assertEquals(queue, [stream[2].conv.id, stream[5].conv.id, stream[7].conv.id]);
    assertMatch(await told(2), /Cy went offline\. You're number 1 in the queue/);
    assertMatch(await told(5), /number 2 in the queue/);

    // An admin raises Ann's capacity to 4: the queue drains in order into her room.
    const raise = await server.api.request("PUT", `/api/agents/${ann.user.id}`, {
      token: admin.token,
      body: { capacity: 4 },
    });
    assertEquals(raise.status, 200);
    assertEquals([raise.body.user.capacity, raise.body.user.activeConversations], [4, 4]);
    assertEquals((await conversation(server, admin, stream[2].conv.id)).assigneeId, ann.user.id);
    assertEquals((await conversation(server, admin, stream[5].conv.id)).assigneeId, ann.user.id);
    assertEquals((await conversation(server, admin, stream[7].conv.id)).mode, "waiting");
    await assertCapacityHolds(server, admin);

    // Ben hands one back to the bot: the last in the queue goes to him.
    const back = await post(server, ben, `/api/conversations/${stream[4].conv.id}/handback`);
    assertEquals(back.body.conversation.mode, "bot");
    assertEquals((await conversation(server, admin, stream[7].conv.id)).assigneeId, ben.user.id);
    await assertCapacityHolds(server, admin);

    // The override is validated and admin-only.
    const bad = await server.api.request("PUT", `/api/agents/${ann.user.id}`, {
      token: admin.token,
      body: { capacity: 0 },
    });
    assertEquals(bad.status, 400);
    assertMatch(bad.body.error.message, /capacity/);
    const notAdmin = await server.api.request("PUT", `/api/agents/${ann.user.id}`, {
      token: ben.token,
      body: { capacity: 9 },
    });
    assertEquals(notAdmin.status, 403);
    // Back to the default with null.
    const reset = await server.api.request("PUT", `/api/agents/${ann.user.id}`, {
      token: admin.token,
      body: { capacity: null, status: "busy" },
    });
    assertEquals([reset.body.user.capacity, reset.body.user.status], [2, "busy"]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("transfer respects capacity unless an admin forces it; transfer and handback free room", async () => {
  const { server, admin, agents } = await setup({ AGENT_CAPACITY: "1" }, ["Dee", "Eve", "Fay"]);
  const [dee, eve, fay] = agents;
  try {
    const one = await customerAsks(server, "One");
    const two = await customerAsks(server, "Two");
    const three = await customerAsks(server, "Three");
    assertEquals([one.conv.assigneeId, two.conv.assigneeId], [dee.user.id, eve.user.id]);
    assertEquals(three.conv.assigneeId, fay.user.id);
    const four = await customerAsks(server, "Four");
    assertEquals(four.conv.mode, "waiting");

    // Dee → Eve: Eve is full.
    const full = await post(server, dee, `/api/conversations/${one.conv.id}/transfer`, {
      agentId: eve.user.id,
    });
    assertEquals(full.status, 409);
    assertMatch(full.body.error.message, /Eve is offline or at capacity/);
    // Fay goes offline (her conversation is requeued, and taken by nobody: everyone is full).
    await server.api.request("PUT", "/api/agents/me/status", {
      token: fay.token,
      body: { status: "offline" },
    });
    assertEquals((await conversation(server, admin, three.conv.id)).mode, "waiting");
    const toOffline = await post(server, dee, `/api/conversations/${one.conv.id}/transfer`, {
      agentId: fay.user.id,
    });
    assertEquals(toOffline.status, 409);

    // An admin forces Dee's conversation onto Eve: Eve is over capacity by an admin's choice,
    // Dee's room goes to the head of the queue (Three asked before Four).
    const forced = await post(server, admin, `/api/conversations/${one.conv.id}/transfer`, {
      agentId: eve.user.id,
    });
    assertEquals(forced.status, 200);
    assertEquals(forced.body.conversation.assigneeId, eve.user.id);
    const msgs = await server.api.messages(one.guest, one.conv.id);
    assert(msgs.some((m) => /transferred the conversation to Eve/.test(m.text)));
    assertEquals((await conversation(server, admin, three.conv.id)).assigneeId, dee.user.id);
    assertEquals((await conversation(server, admin, four.conv.id)).mode, "waiting");
    const eveNow = (await agentList(server, admin)).find((a) => a.id === eve.user.id)!;
    assertEquals(eveNow.activeConversations, 2);

    // Eve hands one back: still at capacity (1 of 1), so nothing moves; the second frees room.
    await post(server, eve, `/api/conversations/${two.conv.id}/handback`);
    assertEquals((await conversation(server, admin, four.conv.id)).mode, "waiting");
    await post(server, eve, `/api/conversations/${one.conv.id}/handback`);
    assertEquals((await conversation(server, admin, four.conv.id)).assigneeId, eve.user.id);
  } finally {
    await server.shutdown();
  }
});

Deno.test("seed flow: an available agent is assigned, busy at capacity, available again", async () => {
  const { server, admin, agents } = await setup({ AGENT_CAPACITY: "1" }, ["Gil"]);
  const [gil] = agents;
  try {
    const status = async () => (await agentList(server, admin))[0].status;
    assertEquals(await status(), "available");
    const { guest, conv } = await customerAsks(server, "Hal");
    assertEquals(conv.assigneeId, gil.user.id);
    assertEquals(conv.assigneeName, "Gil");
    const joined = (await server.api.messages(guest, conv.id)).at(-1)!;
    assertEquals([joined.sender, joined.text], ["system", "Gil joined the conversation."]);
    assertEquals(await status(), "busy");
    await post(server, guest, `/api/conversations/${conv.id}/resolve`);
    assertEquals(await status(), "available");
  } finally {
    await server.shutdown();
  }
});

Deno.test("already in the queue: asking again tells the position, and the bot still helps", async () => {
  const { server } = await setup({}, []);
  try {
    const first = await customerAsks(server, "Una");
    const { guest, conv } = await customerAsks(server, "Vic");
    assertEquals([first.conv.mode, conv.mode], ["waiting", "waiting"]);
    const say = (text: string) =>
      server.api.request("POST", `/api/conversations/${conv.id}/messages`, {
        token: guest.token,
        body: { text },
      });
    const botReplyTo = async (text: string) => {
      const sent = (await say(text)).body.message.seq;
      await server.services.botRunner.idle();
      const after = await server.api.messages(guest, conv.id, sent);
      assertEquals(after.map((m) => m.sender), ["bot"]);
      return after[0].text;
    };
    assertMatch(await botReplyTo("talk to a human please"), /already in the queue \(number 2\)/);
    assertMatch(await botReplyTo("how do I delete my account?"), /help\/deleting-your-account/);
    assertEquals((await conversation(server, guest, conv.id)).mode, "waiting");
  } finally {
    await server.shutdown();
  }
});
