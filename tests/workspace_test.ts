/**
 * The agents' workspace over HTTP (v2): labels (validated, and the `?label=` lists and counts
 * follow in the same commit), the admins' label colours, canned replies (team for admins, personal
 * for their owner, 403/404 otherwise; suggested by the assistant), and search (by message text,
 * customer name or email, newest first, notes for staff only, bad queries refused).
 */
import { assert, assertEquals } from "./assert.ts";
import { searchIndexed, type TestServer, withTestServer, WsClient } from "./helpers.ts";

async function people(server: TestServer) {
  const { api } = server;
  const admin = await server.admin();
  const ann = await api.agent(admin, "Ann", "ann@example.com");
  const bob = await api.agent(admin, "Bob", "bob@example.com");
  const cleo = await api.register("Cleo Marsh", "cleo@example.com");
  return { admin, ann, bob, cleo };
}

Deno.test("labels: set, validated, listed and counted by label; colours on /admin's setting", async () => {
  await withTestServer(async (server) => {
    const { api } = server;
    const { admin, ann, cleo } = await people(server);
    const conv = await api.start(cleo);
    const put = (token: string, body: unknown, id = conv.id) =>
      api.request("PUT", `/api/conversations/${id}/labels`, { token, body });

    const ok = await put(ann.token, { labels: ["  Billing ", "vip", "billing", "Two  words"] });
    assertEquals(ok.status, 200);
    assertEquals(ok.body.conversation.labels, ["Billing", "vip", "Two words"]);
    const listed = await api.request("GET", "/api/conversations?label=vip", { token: ann.token });
    assertEquals(listed.body.conversations.map((c: { id: string }) => c.id), [conv.id]);
    assertEquals(listed.body.counts.label, { open: 1, resolved: 0 });
    // Labels are the team's: the customer's copy carries none.
    const own = await api.request("GET", `/api/conversations/${conv.id}`, { token: cleo.token });
    assertEquals(own.body.conversation.labels, []);
    const ownList = await api.request("GET", "/api/conversations", { token: cleo.token });
    assertEquals(ownList.body.conversations[0].labels, []);
    const ws = await WsClient.connect(server.wsUrl, cleo.token);
    try {
      ws.send({ type: "subscribe", conversationId: conv.id });
      assertEquals((await ws.next((f) => f.type === "conversation")).conversation.labels, []);
      await put(ann.token, { labels: ["Billing", "vip", "refund-abuse"] });
      // The customer's socket hears the change (a state change) without the labels.
      const frame = await ws.next((f) => f.type === "conversation");
      assertEquals(frame.conversation.labels, []);
      assert(!JSON.stringify(ws.frames).includes("refund-abuse"));
    } finally {
      await ws.close();
    }

    // Bad input changes nothing.
    for (
      const body of [
        { labels: Array.from({ length: 21 }, (_, i) => `l${i}`) },
        { labels: ["x".repeat(41)] },
        { labels: ["  "] },
        { labels: ["a\u0007b"] },
        { labels: "vip" },
        { labels: ["ok"], extra: 1 },
      ]
    ) {
      const res = await put(ann.token, body);
      assertEquals(res.status, 400, JSON.stringify(body));
      assert(res.body.error.message.includes("labels") || res.body.error.message.includes("extra"));
    }
    assertEquals((await put(cleo.token, { labels: ["mine"] })).status, 403);
    assertEquals(
      (await put(ann.token, { labels: ["x"] }, "01ARZ3NDEKTSV4RRFFQ69G5FAV")).status,
      404,
    );

    // Removing a label moves its index and counter in the same commit.
    await put(ann.token, { labels: ["Billing"] });
    const none = await api.request("GET", "/api/conversations?label=vip", { token: ann.token });
    assertEquals(none.body.conversations.length, 0);
    assertEquals(none.body.counts.label, { open: 0, resolved: 0 });

    // The team's colours: an admin setting, validated; agents read them.
    const setting = (value: unknown) =>
      api.request("PUT", "/api/settings/labels", { token: admin.token, body: { value } });
    assertEquals((await setting({ labels: [{ name: "vip", color: "#zzz000" }] })).status, 400);
    assertEquals(
      (await setting({
        labels: [{ name: "vip", color: "#aa0000" }, { name: "VIP", color: "#00aa00" }],
      }))
        .status,
      400,
    );
    assertEquals((await setting({ labels: [{ name: "vip", color: "#AA0000" }] })).status, 200);
    const palette = await api.request("GET", "/api/labels", { token: ann.token });
    assertEquals(palette.body.labels, [{ name: "vip", color: "#aa0000" }]);
    assertEquals((await api.request("GET", "/api/labels", { token: cleo.token })).status, 403);
  });
});

Deno.test("canned replies: team for admins, personal for their owner, suggested to agents", async () => {
  await withTestServer(async (server) => {
    const { api } = server;
    const { admin, ann, bob, cleo } = await people(server);
    const post = (token: string, body: unknown) =>
      api.request("POST", "/api/canned-replies", { token, body });
    const team = await post(admin.token, {
      shortcut: "invoice",
      title: "Where is my invoice",
      text: "Hi {{customer.name}}, your invoice is under Billing → Invoices. {{agent.name}}",
    });
    assertEquals(team.status, 201);
    assertEquals(team.body.cannedReply.scope, "team");
    assertEquals(
      (await post(ann.token, { shortcut: "x", title: "t", text: "t", scope: "team" })).status,
      403,
    );
    const mine = await post(ann.token, { shortcut: "hello", title: "Hello", text: "Hello there!" });
    assertEquals(mine.body.cannedReply.scope, "personal");
    assertEquals(
      (await post(ann.token, { shortcut: "bad shortcut", title: "t", text: "t" })).status,
      400,
    );
    assertEquals((await post(ann.token, { shortcut: "ok", title: "", text: "t" })).status, 400);
    assertEquals((await post(cleo.token, { shortcut: "ok", title: "t", text: "t" })).status, 403);

    const list = async (token: string) =>
      (await api.request("GET", "/api/canned-replies", { token })).body.cannedReplies;
    assertEquals((await list(ann.token)).map((r: { shortcut: string }) => r.shortcut), [
      "hello",
      "invoice",
    ]);
    assertEquals((await list(bob.token)).map((r: { shortcut: string }) => r.shortcut), ["invoice"]);

    const path = (id: string) => `/api/canned-replies/${id}`;
    const body = { shortcut: "hello", title: "Hi", text: "Hi!" };
    assertEquals(
      (await api.request("PUT", path(mine.body.cannedReply.id), { token: bob.token, body })).status,
      404,
    );
    assertEquals(
      (await api.request("PUT", path(team.body.cannedReply.id), { token: ann.token, body })).status,
      403,
    );
    const edited = await api.request("PUT", path(mine.body.cannedReply.id), {
      token: ann.token,
      body,
    });
    assertEquals(edited.body.cannedReply.title, "Hi");
    assertEquals(
      (await api.request("DELETE", path(team.body.cannedReply.id), { token: bob.token })).status,
      403,
    );

    // The assistant's suggestion lists the team reply that matches the question.
    const conv = await api.start(cleo);
    await api.request("POST", `/api/conversations/${conv.id}/messages`, {
      token: cleo.token,
      body: { text: "I can't find my invoice anywhere" },
    });
    await server.services.botRunner.idle();
    const suggestion = await api.request("POST", `/api/conversations/${conv.id}/suggest`, {
      token: ann.token,
    });
    assertEquals(
      suggestion.body.suggestion.cannedReplies.map((r: { shortcut: string }) => r.shortcut),
      ["invoice"],
    );

    assertEquals(
      (await api.request("DELETE", path(team.body.cannedReply.id), { token: admin.token })).status,
      204,
    );
    assertEquals((await list(bob.token)).length, 0);
  });
});

Deno.test("search: text, name, email; newest first; notes for staff; bad queries refused", async () => {
  await withTestServer(async (server) => {
    const { api } = server;
    const { ann, cleo } = await people(server);
    const dan = await api.register("Dan Éby", "dan@shop.example");
    const a = await api.start(cleo);
    const b = await api.start(dan);
    const say = (token: string, id: string, text: string, isPrivate = false) =>
      api.request("POST", `/api/conversations/${id}/messages`, {
        token,
        body: isPrivate ? { text, private: true } : { text },
      });
    await say(cleo.token, a.id, "My INVOICE for March is missing");
    await say(dan.token, b.id, "the invoice shows the wrong address");
    await say(ann.token, b.id, "Escalated: duplicate charge on card", true);
    await server.services.botRunner.idle();
    await searchIndexed(server); // the index follows the messages (lib/store/search_indexer.ts)
    const search = (q: string, token = ann.token) =>
      api.request("GET", `/api/search?q=${encodeURIComponent(q)}`, { token });

    const invoice = await search("invoice");
    assertEquals(invoice.status, 200);
    assertEquals(
      invoice.body.results.map((r: { conversation: { id: string } }) => r.conversation.id),
      [b.id, a.id],
    );
    assert(invoice.body.results[0].snippet.includes("invoice"));
    assertEquals(
      (await search("march invoice")).body.results.map((r: { conversation: { id: string } }) =>
        r.conversation.id
      ),
      [a.id],
    );
    const byName = await search("eby");
    assertEquals(byName.body.results[0].conversation.id, b.id, "accents folded");
    assertEquals(byName.body.results[0].message, undefined);
    assertEquals((await search("cleo@example.com")).body.results[0].conversation.id, a.id);
    const note = await search("duplicate charge");
    assertEquals(note.body.results[0].message.private, true);
    assertEquals((await search("nothing-like-this")).body.results, []);

    assertEquals((await search("invoice", cleo.token)).status, 403);
    assertEquals((await search("x".repeat(10_000))).status, 400);
    assertEquals((await search("")).status, 400);
  });
});
