/** Browser: the agent console's unread counts are the server's, so two browsers agree. */
import { assertEquals } from "./assert.ts";
import { BROWSER_TEST, withBrowser } from "./browser.ts";
import { withTestServer as withServer, WsClient } from "./helpers.ts";
import { noErrors, openConsole, seeOnce } from "./pages_helpers.ts";

Deno.test(
  "what an agent read in one browser is read in another (server-side read state)",
  BROWSER_TEST,
  () =>
    withServer(async (server) => {
      const admin = await server.admin();
      const ann = await server.api.agent(admin, "Ann Agent", "ann@example.com", "busy");
      const guest = await server.api.guest("Wendy");
      const conversation = await server.api.start(guest);
      const post = (text: string) =>
        server.api.request("POST", `/api/conversations/${conversation.id}/messages`, {
          token: guest.token,
          body: { text },
        });
      await post("Wendy needs a person");
      const handoff = await server.api.request(
        "POST",
        `/api/conversations/${conversation.id}/handoff`,
        { token: guest.token },
      );
      const lastSeq: number = handoff.body.conversation.lastSeq;
      const customer = await WsClient.connect(server.wsUrl, guest.token);
      try {
        customer.send({ type: "subscribe", conversationId: conversation.id });
        await customer.next((f) => f.type === "message" && f.message.seq === lastSeq);
        await withBrowser(async (browser) => {
          const first = await openConsole(browser, server, ann.token);
          const a = first.page;
          await a.waitForFunction(() => document.title.startsWith("(1) Agent console"));
          await a.getByRole("link", { name: /Wendy/ }).click();
          await seeOnce(a, "Wendy needs a person");
          const read = await customer.next((f) => f.type === "read" && f.seq === lastSeq);
          assertEquals(read.userId, ann.user.id);

          // A second browser (no shared storage) shows nothing unread: the server said so.
          const second = await openConsole(browser, server, ann.token);
          const b = second.page;
          assertEquals(await b.title(), "Agent console · Parley");
          const link = b.getByRole("link", { name: /Wendy/ });
          await link.waitFor();
          assertEquals(await link.getByLabel(/^\d+ unread$/).count(), 0);

          // A's browser closes; new messages are unread in B, and still after a reload there.
          noErrors(first);
          await a.context().close();
          await post("Anyone there?");
          // The bot answers too (a person is still on the way): two unread.
          await customer.next((f) => f.type === "message" && f.message.seq === lastSeq + 2);
          await link.getByLabel("2 unread").waitFor();
          await b.waitForFunction(() => document.title.startsWith("(1) Agent console"));
          await b.reload();
          await b.getByRole("link", { name: /Wendy/ }).getByLabel("2 unread").waitFor();

          // B opens it: read, stored; a third browser agrees.
          await b.getByRole("link", { name: /Wendy/ }).click();
          await seeOnce(b, "Anyone there?");
          await customer.next((f) => f.type === "read" && f.seq === lastSeq + 2);
          const third = await openConsole(browser, server, ann.token);
          await third.page.getByRole("link", { name: /Wendy/ }).waitFor();
          assertEquals(await third.page.title(), "Agent console · Parley");
          noErrors(second, third);
        });
      } finally {
        await customer.close();
      }
    }),
);
