/**
 * The help center across instances (two Workers on one KV file): an article an admin saves on one
 * instance is served, and answered from by the bot, on the other within the poll interval; a
 * deletion too. The import of KNOWLEDGE_DIR happened once for both.
 */
import { assertEquals, assertMatch } from "./assert.ts";
import { messageFrom, WsClient } from "./helpers.ts";
import { startCluster, until } from "./instances.ts";

Deno.test("every instance's help center follows an edit made on another", async () => {
  const cluster = await startCluster(2, { BROADCAST: "0" });
  const [one, two] = cluster.instances;
  try {
    const admin = await cluster.admin();
    const listed = async (api: typeof one.api) =>
      (await api.request("GET", "/api/help/articles", { token: admin.token })).body.articles.length;
    assertEquals(await listed(one.api), await listed(two.api));
    const source =
      "# Gift cards\n\n## Using a gift card\n\nEnter the gift card code at checkout; " +
      "gift cards never expire.\n";
    const put = await one.api.request("PUT", "/api/help/articles/gift-cards", {
      token: admin.token,
      body: { source },
    });
    assertEquals(put.status, 201);
    const page = () =>
      fetch(`${two.handle.url}help/gift-cards`).then(async (r) => {
        await r.body?.cancel();
        return r.status;
      });
    await until(async () => (await page()) === 200, "instance two serves the new article");

    const guest = await two.api.guest();
    const conv = await two.api.start(guest);
    const ws = await WsClient.connect(two.wsUrl, guest.token);
    try {
      ws.send({ type: "subscribe", conversationId: conv.id });
      await ws.next(messageFrom("bot"));
      ws.send({
        type: "send",
        conversationId: conv.id,
        text: "do gift cards expire?",
        clientId: "g",
      });
      assertMatch((await ws.next(messageFrom("bot"))).message.text, /\/help\/gift-cards$/);
    } finally {
      await ws.close();
    }
    await one.api.request("DELETE", "/api/help/articles/gift-cards", { token: admin.token });
    await until(async () => (await page()) === 404, "instance two drops the deleted article");
  } finally {
    await cluster.close();
  }
});
