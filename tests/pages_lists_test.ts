/**
 * Lists past 500 conversations in a real browser: the console's tabs show the server's counts,
 * load more as the list scrolls, and place a conversation no page has loaded yet when it changes
 * (an older customer writing again comes to the top of "All open"); the admin page's table loads
 * on scroll too. The 600 conversations and the queue are made through the services (creation and
 * handoff limits per guest would refuse them over HTTP).
 */
import type { Page } from "playwright-core";
import { assert, assertEquals } from "./assert.ts";
import { BROWSER_TEST, screenshot, withBrowser } from "./browser.ts";
import { withTestServer } from "./helpers.ts";
import { noErrors, openConsole, openPage } from "./pages_helpers.ts";
import type { User } from "../lib/contract/types.ts";

const chip = (page: Page, name: string) =>
  page.getByRole("group", { name: "Filter conversations" }).getByRole("button", {
    name: new RegExp(`^${name} `),
  });

const rows = (page: Page) =>
  page.getByRole("list", { name: "Conversations" }).getByRole("listitem");

/** Scrolls the last row into view: the end of the list comes into view and the next page loads. */
async function scrollToEnd(page: Page, locator = rows(page)) {
  await locator.last().scrollIntoViewIfNeeded();
}

Deno.test(
  "a console past 500 conversations: counts, more on scroll, an older customer back on top",
  BROWSER_TEST,
  () =>
    withTestServer(async (server) => {
      const { api, services } = server;
      const admin = await server.admin();
      const ann = await api.agent(admin, "Ann Agent", "ann@example.com", "busy");
      const olive = await api.guest("Olive Older");
      const oliveConv = await api.start(olive);
      const flood = await api.guest("Flood");
      const made: string[] = [];
      // One after another: each start rewrites the guest's record in a checked commit.
      for (let i = 0; i < 600; i++) {
        const { conversation } = await services.store.conversations.create(flood.user as User, {
          name: "Bot",
          text: "Hi",
        });
        made.push(conversation.id);
      }
      for (const id of made.slice(0, 60)) await services.assigner.requestHuman(id);

      await withBrowser(async (browser) => {
        const agent = await openConsole(browser, server, ann.token);
        const a = agent.page;
        // Waiting (the first tab): the count is the server's, and 50 rows come with the page.
        await chip(a, "Waiting").filter({ hasText: "60" }).waitFor();
        await chip(a, "All open").filter({ hasText: "601" }).waitFor();
        assertEquals(await rows(a).count(), 50);
        await scrollToEnd(a);
        await rows(a).nth(59).waitFor();
        assertEquals(await rows(a).count(), 60);
        assert(!(await a.getByRole("button", { name: "Load more" }).isVisible()), "all loaded");

        // All open: Olive's conversation is older than the first page.
        await chip(a, "All open").click();
        await rows(a).nth(49).waitFor();
        assertEquals(await rows(a).filter({ hasText: "Olive Older" }).count(), 0);
        // She writes again: her row appears at the top, live, without loading anything more.
        const sent = await api.request("POST", `/api/conversations/${oliveConv.id}/messages`, {
          token: olive.token,
          body: { text: "Is anyone still there?" },
        });
        assertEquals(sent.status, 201);
        await rows(a).first().filter({ hasText: "Olive Older" }).waitFor();
        assertEquals(await rows(a).filter({ hasText: "Olive Older" }).count(), 1);
        await screenshot(a, "agent-console-600");
        await scrollToEnd(a);
        await rows(a).nth(100).waitFor();

        // Someone hands off: it leaves "With bot" and joins Waiting, and the counts follow.
        await services.assigner.requestHuman(made[599]);
        await chip(a, "Waiting").filter({ hasText: "61" }).waitFor();
        await chip(a, "With bot").filter({ hasText: "540" }).waitFor();

        // The admin page's table loads on scroll as well.
        const adminPage = await openPage(browser, `${server.url}help`);
        const p = adminPage.page;
        await p.context().addCookies([{ name: "session", value: admin.token, url: server.url }]);
        await p.goto(`${server.url}admin`);
        const table = p.getByRole("table").filter({ hasText: "Last message" }).getByRole("row");
        await table.nth(50).waitFor(); // a header row and 50 conversations
        assertEquals(await table.count(), 51);
        await table.last().scrollIntoViewIfNeeded();
        await table.nth(100).waitFor();
        noErrors(agent, adminPage);
      });
    }),
);
