/** Server-side read state: read frames and POST /read store positions; lists carry `unread`. */
import { assertEquals } from "./assert.ts";
import {
  type Frame,
  messageFrom,
  type TestServer,
  withServerAndSockets as withServer,
} from "./helpers.ts";

/** A guest's conversation held by an agent (so no bot speaks), with two customer messages. */
async function scene(server: TestServer) {
  const { api } = server;
  const customer = await api.guest("Rae");
  const conv = await api.start(customer);
  const admin = await server.admin();
  const agent = await api.agent(admin, "Al", "al@example.com");
  await api.request("POST", `/api/conversations/${conv.id}/takeover`, { token: agent.token });
  for (const text of ["one", "two"]) {
    const res = await api.request("POST", `/api/conversations/${conv.id}/messages`, {
      token: customer.token,
      body: { text },
    });
    assertEquals(res.status, 201);
  }
  const lastSeq: number = (await api.request("GET", `/api/conversations/${conv.id}`, {
    token: agent.token,
  })).body.conversation.lastSeq;
  assertEquals(lastSeq, 4); // greeting, "Al joined", one, two
  return { customer, agent, admin, id: conv.id, lastSeq };
}

const unreadOf = async (server: TestServer, token: string, id: string) => {
  const one = await server.api.request("GET", `/api/conversations/${id}`, { token });
  const list = await server.api.request("GET", "/api/conversations", { token });
  const listed = list.body.conversations.find((c: { id: string }) => c.id === id);
  assertEquals(listed.unread, one.body.conversation.unread, "list and detail agree");
  return one.body.conversation.unread as number;
};

Deno.test("a read frame is stored, never moves backwards, and is clamped to lastSeq", async () => {
  await withServer(async (server, open) => {
    const { customer, agent, id, lastSeq } = await scene(server);
    assertEquals(await unreadOf(server, agent.token, id), lastSeq, "nothing read yet");
    const sc = await open(server.wsUrl, customer.token);
    sc.send({ type: "subscribe", conversationId: id });
    await sc.next((f) => f.type === "message" && f.message.seq === lastSeq);
    const sa = await open(server.wsUrl, agent.token);
    sa.send({ type: "subscribe", conversationId: id });
    await sa.next((f) => f.type === "message" && f.message.seq === lastSeq);

    let receipts = 0;
    const receipt = async (seq: number) => {
      sa.send({ type: "read", conversationId: id, seq });
      const nth = ++receipts;
      const reads = () => sc.frames.filter((f: Frame) => f.type === "read");
      await sc.next(() => reads().length >= nth);
      const got = reads()[nth - 1];
      assertEquals(got.userId, agent.user.id);
      return got.seq as number;
    };
    assertEquals(await receipt(3), 3);
    assertEquals(await unreadOf(server, agent.token, id), 1);
    assertEquals(await receipt(1), 3, "an older receipt relays the stored position");
    assertEquals(await unreadOf(server, agent.token, id), 1, "never backwards");
    assertEquals(await receipt(999), lastSeq, "clamped to lastSeq");
    assertEquals(await unreadOf(server, agent.token, id), 0);
    // The agent's reads are theirs alone: the customer still has everything unread.
    assertEquals(await unreadOf(server, customer.token, id), lastSeq);
    assertEquals(sa.frames.filter((f: Frame) => f.type === "read"), [], "no echo to the sender");

    // A new message counts again.
    await server.api.request("POST", `/api/conversations/${id}/messages`, {
      token: customer.token,
      body: { text: "three" },
    });
    await sa.next(messageFrom("customer", id));
    assertEquals(await unreadOf(server, agent.token, id), 1);
  });
});

Deno.test("POST /read: the owner or staff; another customer gets 404; bad bodies 400", async () => {
  await withServer(async (server, open) => {
    const { api } = server;
    const { customer, agent, id, lastSeq } = await scene(server);
    const read = (token: string, body: unknown, conversationId = id) =>
      api.request("POST", `/api/conversations/${conversationId}/read`, { token, body });

    const sa = await open(server.wsUrl, agent.token);
    sa.send({ type: "subscribe", conversationId: id });
    await sa.next((f) => f.type === "message" && f.message.seq === lastSeq);

    const mine = await read(customer.token, { seq: 2 });
    assertEquals(mine.status, 200);
    assertEquals([mine.body.conversation.id, mine.body.conversation.unread], [id, lastSeq - 2]);
    const relayed = await sa.next((f) => f.type === "read");
    assertEquals([relayed.userId, relayed.seq], [customer.user.id, 2]);
    assertEquals(await unreadOf(server, customer.token, id), lastSeq - 2);
    assertEquals((await read(customer.token, { seq: 1 })).body.conversation.unread, lastSeq - 2);

    const other = await api.guest("Mallory");
    const theirs = await read(other.token, { seq: lastSeq });
    assertEquals([theirs.status, theirs.body.error.code], [404, "not_found"]);
    const ws = await open(server.wsUrl, other.token);
    ws.send({ type: "read", conversationId: id, seq: lastSeq });
    assertEquals((await ws.next((f) => f.type === "error")).code, "not_found");
    assertEquals(await unreadOf(server, customer.token, id), lastSeq - 2, "unchanged");
    assertEquals((await read(customer.token, { seq: 1 }, "nope")).status, 404);

    for (const bad of [{}, { seq: -1 }, { seq: 1.5 }, { seq: "2" }, { seq: 1, extra: true }]) {
      const res = await read(customer.token, bad);
      assertEquals([res.status, res.body.error.code], [400, "bad_request"], JSON.stringify(bad));
    }
    assertEquals((await read(agent.token, { seq: lastSeq })).body.conversation.unread, 0);
    assertEquals(await unreadOf(server, agent.token, id), 0);
    assertEquals(
      (await api.request("POST", `/api/conversations/${id}/read`, {
        body: { seq: 1 },
      })).status,
      401,
    );
  });
});

Deno.test("across a reconnect, and in another session of the agent, unread is the server's", async () => {
  await withServer(async (server, open) => {
    const { customer, agent, id, lastSeq } = await scene(server);
    const first = await open(server.wsUrl, agent.token);
    first.send({ type: "subscribe", conversationId: id });
    await first.next((f) => f.type === "message" && f.message.seq === lastSeq);
    const sc = await open(server.wsUrl, customer.token);
    sc.send({ type: "subscribe", conversationId: id });
    await sc.next((f) => f.type === "message" && f.message.seq === lastSeq);
    first.send({ type: "read", conversationId: id, seq: lastSeq });
    await sc.next((f) => f.type === "read" && f.seq === lastSeq);
    await first.close();

    // Messages while the agent is away.
    for (const text of ["still there?", "hello?"]) {
      await server.api.request("POST", `/api/conversations/${id}/messages`, {
        token: customer.token,
        body: { text },
      });
    }
    // Another browser of the same agent (a second session) and the reconnected one agree.
    const second = await server.api.login("al@example.com", "agent-password-1");
    const again = await open(server.wsUrl, agent.token);
    again.send({ type: "subscribe", conversationId: id, after: lastSeq });
    await again.next((f) => f.type === "message" && f.message.seq === lastSeq + 2);
    assertEquals(await unreadOf(server, agent.token, id), 2);
    assertEquals(await unreadOf(server, second.token, id), 2);
    again.send({ type: "read", conversationId: id, seq: lastSeq + 2 });
    await sc.next((f) => f.type === "read" && f.seq === lastSeq + 2);
    assertEquals(await unreadOf(server, second.token, id), 0);
  });
});
