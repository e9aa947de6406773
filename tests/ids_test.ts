/**
 * Ids are checked by shape at the edge: a path id that is not a ULID gets 404, a body or frame
 * field 400 naming it, a query 400 — never 500 (Deno KV throws "Key too large" on keys over
 * 2 KiB). Error messages never echo a whole oversized path.
 */
import { assert, assertEquals } from "./assert.ts";
import { withServerAndSockets } from "./helpers.ts";

const LONG = "A".repeat(3000); // the 2 KiB key limit, passed
const SHAPES = [LONG, "nope", "01NOSUCHCONVERSATION000000", "%F0%9F%98%80"];

Deno.test("ids of the wrong shape: 404 in paths, 400 in bodies, queries and frames", async (t) => {
  await withServerAndSockets(async (server, open) => {
    const { api } = server;
    const admin = await server.admin();
    const agent = await api.agent(admin, "Ann", "ann@example.com");
    const guest = await api.guest("Gus");
    const conv = await api.start(guest);

    await t.step("paths", async () => {
      const calls: [string, string, string, unknown?][] = [];
      for (const id of SHAPES) {
        calls.push(["GET", `/api/conversations/${id}`, guest.token]);
        calls.push(["GET", `/api/conversations/${id}/messages`, guest.token]);
        calls.push(["POST", `/api/conversations/${id}/messages`, guest.token, { text: "hi" }]);
        calls.push(["POST", `/api/conversations/${id}/read`, guest.token, { seq: 1 }]);
        calls.push(["POST", `/api/conversations/${id}/handoff`, guest.token]);
        calls.push(["POST", `/api/conversations/${id}/resolve`, guest.token]);
        for (const action of ["takeover", "handback", "resolve"]) {
          calls.push(["POST", `/api/conversations/${id}/${action}`, agent.token]);
        }
        calls.push([
          "POST",
          `/api/conversations/${id}/transfer`,
          admin.token,
          { agentId: agent.user.id },
        ]);
        calls.push(["GET", `/api/customers/${id}`, agent.token]);
        calls.push(["PUT", `/api/agents/${id}`, admin.token, { status: "busy" }]);
      }
      for (const [method, path, token, body] of calls) {
        const res = await api.request(method, path, { token, body });
        const what = `${method} ${path.slice(0, 60)}`;
        assertEquals(res.status, 404, `${what}: ${JSON.stringify(res.body).slice(0, 200)}`);
        assertEquals(res.body.error.code, "not_found", what);
        assert(res.body.error.message.length < 300, `${what}: the message is short`);
      }
    });

    await t.step("pages and unknown paths: no 500, no whole path echoed", async () => {
      for (const path of [`/help/${LONG}`, `/api/${LONG}`, `/${LONG}`, `/_islands/${LONG}`]) {
        const res = await fetch(new URL(path, server.url));
        const text = await res.text();
        assertEquals(res.status, 404, path.slice(0, 40));
        assert(!text.includes(LONG), `${path.slice(0, 40)}: the path is not echoed whole`);
      }
    });

    await t.step("bodies and queries: 400 naming the field", async () => {
      const transfer = await api.request("POST", `/api/conversations/${conv.id}/transfer`, {
        token: admin.token,
        body: { agentId: LONG },
      });
      assertEquals(transfer.status, 400);
      assert(/agentId/.test(transfer.body.error.message), transfer.body.error.message);
      const list = await api.request("GET", `/api/conversations?assignee=${LONG}`, {
        token: agent.token,
      });
      assertEquals(list.status, 400);
      assert(/assignee/.test(list.body.error.message), list.body.error.message);
      const mine = await api.request("GET", "/api/conversations?assignee=me", {
        token: agent.token,
      });
      assertEquals(mine.status, 200);
    });

    await t.step("frames: an error naming conversationId, the socket stays open", async () => {
      const ws = await open(server.wsUrl, guest.token);
      const frames = [
        { type: "subscribe", conversationId: LONG },
        { type: "unsubscribe", conversationId: LONG },
        { type: "send", conversationId: LONG, text: "hi", clientId: "c1" },
        { type: "typing", conversationId: LONG, typing: true },
        { type: "read", conversationId: LONG, seq: 1 },
        { type: "subscribe", conversationId: "not-an-id" },
      ];
      for (const frame of frames) {
        ws.send(frame);
        const reply = await ws.next((f) => f.type === "error");
        assertEquals(reply.code, "bad_request", JSON.stringify(reply).slice(0, 200));
        assert(/conversationId/.test(reply.message), reply.message);
      }
      ws.send({ type: "ping" });
      await ws.next((f) => f.type === "pong");
    });
  });
});
