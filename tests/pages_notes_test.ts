/**
 * In a real browser, one scene: an agent writes a private note mentioning a colleague — shown as a
 * note in the console, a notice on the colleague's console, absent from the customer's page —
 * then answers with a canned reply picked with `/` (filtered list, arrows, Escape, Enter), its
 * placeholders filled before it is sent; the console's search finds the note and opens it.
 */
import { assert, assertEquals } from "./assert.ts";
import { BROWSER_TEST, screenshot, withBrowser } from "./browser.ts";
import { searchIndexed, withTestServer } from "./helpers.ts";
import { log, noErrors, openConsole, openPage, say, waitForMessages } from "./pages_helpers.ts";

Deno.test(
  "private note with a mention, and a / canned reply with placeholders",
  BROWSER_TEST,
  () =>
    withTestServer(async (server) => {
      const { api } = server;
      const admin = await server.admin();
      const ann = await api.agent(admin, "Ann Agent", "ann@example.com", "busy");
      const bob = await api.agent(admin, "Bob Agent", "bob@example.com", "busy");
      for (const [shortcut, title] of [["invoice", "Where is my invoice"], ["refund", "Refunds"]]) {
        const res = await api.request("POST", "/api/canned-replies", {
          token: admin.token,
          body: {
            shortcut,
            title,
            text: `Hi {{customer.name}}, ${title}: see Billing. — {{agent.name}}`,
          },
        });
        assertEquals(res.status, 201);
      }
      await withBrowser(async (browser) => {
        const customer = await openPage(browser, server.url);
        const c = customer.page;
        await say(c, "Where is my invoice?");
        await waitForMessages(c, "bot", 2);

        const annConsole = await openConsole(browser, server, ann.token);
        const bobConsole = await openConsole(browser, server, bob.token);
        const [a, b] = [annConsole.page, bobConsole.page];
        await a.getByRole("group", { name: "Filter conversations" })
          .getByRole("button", { name: /^With bot/ }).click();
        await a.getByRole("link", { name: /Guest/ }).click();
        await log(a).getByText("Where is my invoice?").waitFor();

        // The note: shown as a note here, a notice on Bob's console.
        await a.getByRole("checkbox", { name: "Private note" }).check();
        const box = a.getByRole("textbox", { name: "Message" });
        await box.fill("@Bob Agent can you check NOTE-5150 first?");
        await box.press("Enter");
        const note = log(a).locator("li.msg.note", { hasText: "NOTE-5150" });
        await note.waitFor();
        assertEquals(await note.locator(".badge").textContent(), "Private note");
        await b.getByRole("status").getByText(/Ann Agent mentioned you in a note/).waitFor();
        await screenshot(a, "agent-private-note");

        // The / picker: filtered, arrows, Escape, Enter; placeholders filled.
        await a.getByRole("checkbox", { name: "Private note" }).uncheck();
        await box.fill("/");
        const list = a.getByRole("listbox", { name: "Canned replies" });
        await list.getByRole("option").nth(1).waitFor();
        await box.press("Escape");
        await list.waitFor({ state: "detached" });
        await box.fill("/r");
        await list.getByRole("option", { name: /refund/ }).waitFor();
        assertEquals(await list.getByRole("option").count(), 2, "shortcut first, then title");
        await box.press("ArrowDown");
        await box.press("ArrowDown");
        await list.getByRole("option", { name: /refund/, selected: true }).waitFor();
        await box.fill("/inv");
        await list.getByRole("option", { name: /invoice/ }).waitFor();
        assertEquals(await list.getByRole("option").count(), 1);
        await screenshot(a, "agent-canned-picker");
        await box.press("Enter");
        const filled = await box.inputValue();
        assert(/^Hi Guest.*, Where is my invoice: see Billing\. — Ann Agent$/.test(filled), filled);
        await box.press("Enter");
        await log(c).getByText(filled).waitFor();

        // Search finds the note (staff only), and a result opens its conversation.
        await searchIndexed(server);
        const search = a.getByRole("searchbox", { name: "Search conversations" });
        await search.fill("5150");
        await search.press("Enter");
        const hit = a.getByRole("list", { name: "Search results" })
          .getByRole("link", { name: /Private note/ });
        await hit.waitFor();
        await hit.click();
        await log(a).locator("li.msg.note", { hasText: "NOTE-5150" }).waitFor();

        // The customer's page never shows the note.
        await log(c).getByText("Ann Agent joined the conversation.").waitFor();
        assert(!(await c.content()).includes("NOTE-5150"), "no note on the customer's page");
        noErrors(customer, annConsole, bobConsole);
      });
    }),
);
