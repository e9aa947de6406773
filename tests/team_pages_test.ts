/**
 * Running the team, in a real browser: the customer rates a resolved conversation on `/` (CSAT),
 * the agent's console shows the rating, and /admin draws it in the reports. Found by role and name.
 */
import { assert, assertEquals } from "./assert.ts";
import { BROWSER_TEST, screenshot, withBrowser } from "./browser.ts";
import { withTestServer as withServer } from "./helpers.ts";
import { noErrors, openConsole, openPage, say, waitForMessages } from "./pages_helpers.ts";

Deno.test(
  "CSAT: the customer rates on the chat page; console and /admin show it",
  BROWSER_TEST,
  () =>
    withServer(async (server) => {
      const admin = await server.admin();
      const ann = await server.api.agent(admin, "Ann Agent", "ann@example.com", "busy");
      await withBrowser(async (browser) => {
        const customer = await openPage(browser, server.url);
        const c = customer.page;
        try {
          await say(c, "Where is my parcel?");
          await waitForMessages(c, "bot", 2);
          const list = await server.api.request("GET", "/api/conversations", { token: ann.token });
          const id = list.body.conversations[0].id;
          await server.api.request("POST", `/api/conversations/${id}/takeover`, {
            token: ann.token,
          });
          await server.api.request("POST", `/api/conversations/${id}/resolve`, {
            token: ann.token,
          });

          const form = c.getByRole("form", { name: "Rate this conversation" });
          await form.waitFor();
          await form.getByRole("button", { name: "Send rating" }).click();
          await form.getByRole("alert").filter({ hasText: "Choose a rating" }).waitFor();
          await form.getByRole("radio", { name: "4 – Good" }).check();
          await form.getByRole("textbox", { name: "Comment (optional)" }).fill("Quick <b>help</b>");
          await form.getByRole("button", { name: "Send rating" }).click();
          await c.getByRole("status").filter({ hasText: "Thanks for rating" }).waitFor();
          const stored = await server.api.request("GET", `/api/conversations/${id}/rating`, {
            token: ann.token,
          });
          assertEquals([stored.body.rating.score, stored.body.rating.comment], [
            4,
            "Quick <b>help</b>",
          ]);
          const agent = await openConsole(browser, server, ann.token);
          const a = agent.page;
          await a.goto(`${server.url}agent#${id}`);
          await a.getByRole("group", { name: "Filter conversations" }).getByRole("button", {
            name: /^Resolved /,
          }).click();
          await a.getByRole("link", { name: /Guest/ }).first().click();
          const note = a.getByLabel("Customer rating");
          await note.filter({ hasText: "4 out of 5" }).waitFor();
          assertEquals(await note.locator("b").count(), 0, "the comment is text");

          await a.context().addCookies([{ name: "session", value: admin.token, url: server.url }]);
          await a.goto(`${server.url}admin`);
          const volume = a.getByRole("img", { name: /^Conversations by day/ });
          await volume.waitFor();
          assert((await volume.locator("rect").count()) >= 1, "bars drawn");
          await a.getByRole("img", { name: /^CSAT by day/ }).waitFor();
          await a.getByRole("img", { name: /^Median first response/ }).waitFor();
          const row = a.getByRole("row", { name: /Ann Agent/ });
          await row.getByRole("cell", { name: "100 %" }).waitFor();
          noErrors(customer, agent);
        } catch (e) {
          await screenshot(c, "csat-chat");
          throw e;
        }
      });
    }),
);
