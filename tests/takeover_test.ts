/**
 * Taking a conversation another agent holds is explicit: capacity is respected unless an admin
 * does it (409 with what to do), the conversation says "Ann took over from Bob.", the previous
 * holder's inbox gets the conversation with its `handover` (their console shows a notice) and
 * their lower load; a colleague's reply posts the message and leaves the conversation theirs
 * (never taken silently); a takeover from the bot is not held to capacity.
 */
import { assert, assertEquals } from "./assert.ts";
import { type Frame, withServerAndSockets } from "./helpers.ts";
import type { Conversation } from "../lib/contract/types.ts";

Deno.test("takeover from another agent: capacity, system message, the holder told", async (t) => {
  await withServerAndSockets(async (server, open) => {
    const { api } = server;
    const admin = await server.admin();
    // Capacity 1 each; Bob is the only one available, so routing gives him the first handoff.
    const bob = await api.agent(admin, "Bob", "bob@example.com");
    const ann = await api.agent(admin, "Ann", "ann@example.com", "busy");
    for (const who of [bob, ann]) {
      await api.request("PUT", `/api/agents/${who.user.id}`, {
        token: admin.token,
        body: { capacity: 1 },
      });
    }
    const carol = await api.guest("Carol");
    const held = await api.start(carol);
    await api.request("POST", `/api/conversations/${held.id}/handoff`, { token: carol.token });
    const get = async (id: string): Promise<Conversation> =>
      (await api.request("GET", `/api/conversations/${id}`, { token: admin.token })).body
        .conversation;
    assertEquals((await get(held.id)).assigneeId, bob.user.id);

    const bobWs = await open(server.wsUrl, bob.token);
    bobWs.send({ type: "subscribe", inbox: true });
    const annWs = await open(server.wsUrl, ann.token);
    annWs.send({ type: "subscribe", conversationId: held.id });
    await annWs.next((f) => f.type === "conversation");

    await t.step("a colleague's reply into Bob's conversation leaves it Bob's", async () => {
      const before = (await get(held.id)).lastSeq;
      const res = await api.request("POST", `/api/conversations/${held.id}/messages`, {
        token: ann.token,
        body: { text: "Let me jump in" },
      });
      assertEquals(res.status, 201);
      annWs.send({ type: "send", conversationId: held.id, text: "Also this", clientId: "s1" });
      await annWs.next((f) => f.type === "ack" && f.clientId === "s1");
      const after = await get(held.id);
      assertEquals([after.lastSeq, after.assigneeId, after.mode], [
        before + 2,
        bob.user.id,
        "human",
      ]);
    });

    await t.step("Ann, at capacity, can't take it: 409 with what to do", async () => {
      const other = await api.guest("Dan");
      const own = await api.start(other);
      const mine = await api.request("POST", `/api/conversations/${own.id}/takeover`, {
        token: ann.token,
      });
      assertEquals(mine.status, 200); // her one slot
      const res = await api.request("POST", `/api/conversations/${held.id}/takeover`, {
        token: ann.token,
      });
      assertEquals(res.status, 409);
      assert(/at your capacity/.test(res.body.error.message), res.body.error.message);
      assert(/ask an admin/.test(res.body.error.message));
      assertEquals((await get(held.id)).assigneeId, bob.user.id, "still Bob's");
      // Taking one from the bot is her explicit choice: capacity doesn't stop it.
      const third = await api.start(await api.guest("Eve"));
      const write = await api.request("POST", `/api/conversations/${third.id}/messages`, {
        token: ann.token,
        body: { text: "Hello!" },
      });
      assertEquals(write.status, 201);
      assertEquals((await get(third.id)).assigneeId, ann.user.id);
      await api.request("POST", `/api/conversations/${third.id}/resolve`, { token: ann.token });
      await api.request("POST", `/api/conversations/${own.id}/resolve`, { token: ann.token });
    });

    await t.step("with room, Ann takes it: said, recorded, and Bob is told", async () => {
      const res = await api.request("POST", `/api/conversations/${held.id}/takeover`, {
        token: ann.token,
      });
      assertEquals(res.status, 200);
      const conversation: Conversation = res.body.conversation;
      assertEquals([conversation.mode, conversation.assigneeId], ["human", ann.user.id]);
      const said = (await api.messages(ann, held.id)).at(-1)!;
      assertEquals([said.sender, said.text], ["system", "Ann took over from Bob."]);
      assertEquals(conversation.handover, {
        kind: "takeover",
        fromId: bob.user.id,
        fromName: "Bob",
        byId: ann.user.id,
        byName: "Ann",
        seq: said.seq,
      });
      // Bob's console: the conversation frame naming the handover, and his load going down.
      const frame = await bobWs.next((f: Frame) =>
        f.type === "conversation" && f.conversation.id === held.id &&
        f.conversation.assigneeId === ann.user.id
      );
      assertEquals(frame.conversation.handover.fromId, bob.user.id);
      assertEquals(frame.conversation.handover.byName, "Ann");
      const load = await bobWs.next((f: Frame) =>
        f.type === "agent" && f.user.id === bob.user.id && f.user.activeConversations === 0
      );
      assertEquals(load.user.activeConversations, 0);
      // The subscriber sees the system message live.
      await annWs.next((f) => f.type === "message" && f.message.text === "Ann took over from Bob.");
    });

    await t.step("an admin may take it past capacity", async () => {
      await api.request("PUT", `/api/agents/${admin.user.id}`, {
        token: admin.token,
        body: { capacity: 1 },
      });
      const other = await api.start(await api.guest("Fay"));
      assertEquals(
        (await api.request("POST", `/api/conversations/${other.id}/takeover`, {
          token: admin.token,
        })).status,
        200,
      );
      const res = await api.request("POST", `/api/conversations/${held.id}/takeover`, {
        token: admin.token,
      });
      assertEquals(res.status, 200);
      assertEquals(res.body.conversation.assigneeId, admin.user.id);
      const said = (await api.messages(admin, held.id)).at(-1)!;
      assertEquals(said.text, "Admin took over from Ann.");
    });
  });
});
