/**
 * The website widget in real Chromium, as a true third-party frame: Parley on 127.0.0.1, the
 * website on localhost (another site: no cookies shared). The launcher and its keyboard use, a chat
 * with the bot, a handoff an agent takes in the console, a reload and a second tab, all found by
 * role and accessible name.
 */
import { assertEquals } from "./assert.ts";
import { BROWSER_TEST, screenshot, withBrowser } from "./browser.ts";
import { startTestServer } from "./helpers.ts";
import { noErrors, openConsole, openPage } from "./pages_helpers.ts";
import { launcher, panel, startHostSite } from "./widget_helpers.ts";

Deno.test(
  "widget: launcher by keyboard, bot, handoff to an agent, reload and a second tab stay live",
  BROWSER_TEST,
  async () => {
    const server = await startTestServer();
    const site = await startHostSite(server.url);
    try {
      const admin = await server.admin();
      await server.api.request("PUT", "/api/settings/widget", {
        token: admin.token,
        body: { value: { allowedOrigins: [site.origin] } },
      });
      const ann = await server.api.agent(admin, "Ann Agent", "ann@example.com", "busy");
      await withBrowser(async (browser) => {
        const host = await openPage(browser, site.page());
        const { page } = host;
        // The launcher is there, reachable with Tab, and opens the panel with Enter.
        await launcher(page).waitFor();
        assertEquals(await page.locator('iframe[title="Chat"]').count(), 0, "no frame yet");
        await page.keyboard.press("Tab"); // the page's link
        await page.keyboard.press("Tab");
        assertEquals(
          await page.evaluate(() =>
            document.activeElement?.shadowRoot?.activeElement?.getAttribute("aria-label")
          ),
          "Open chat",
        );
        await page.keyboard.press("Enter");
        await launcher(page, "Close chat").waitFor();
        const chat = panel(page);
        await chat.getByRole("log").waitFor();
        await chat.getByRole("textbox", { name: "Message" }).fill("How do I reset my password?");
        await chat.getByRole("button", { name: "Send", exact: true }).click();
        await chat.getByRole("log").locator("li.msg.bot").nth(1).waitFor(); // greeting + answer
        await screenshot(page, "widget-desktop-bot");

        // Ask for a person: Ann takes over from the console, and they talk.
        await chat.getByRole("button", { name: "Talk to a human" }).click();
        await chat.getByText(/in the queue|busy right now/).first().waitFor();
        const consolePage = await openConsole(browser, server, ann.token);
        const c = consolePage.page;
        await c.getByRole("link", { name: /Guest/ }).first().click();
        await c.getByRole("button", { name: "Take over" }).click();
        await chat.getByText("You're chatting with Ann Agent.").waitFor();
        await c.getByRole("textbox", { name: "Message" }).fill("Hi, Ann here. Let me help.");
        await c.getByRole("button", { name: "Send", exact: true }).click();
        await chat.getByRole("log").getByText("Hi, Ann here. Let me help.").waitFor();
        await chat.getByRole("textbox", { name: "Message" }).fill("Thanks Ann!");
        await chat.getByRole("button", { name: "Send", exact: true }).click();
        await c.getByRole("log").getByText("Thanks Ann!").waitFor();

        // Reload the host page: the same conversation, live again.
        await page.reload();
        await launcher(page).click();
        await chat.getByRole("log").getByText("Thanks Ann!").waitFor();
        await c.getByRole("textbox", { name: "Message" }).fill("Still there after your reload?");
        await c.getByRole("button", { name: "Send", exact: true }).click();
        await chat.getByRole("log").getByText("Still there after your reload?").waitFor();

        // A second tab of the same site: the same conversation; both stay live.
        const page2 = await page.context().newPage();
        await page2.goto(site.page());
        await launcher(page2).click();
        const chat2 = panel(page2);
        await chat2.getByRole("log").getByText("Still there after your reload?").waitFor();
        await chat2.getByRole("textbox", { name: "Message" }).fill("Hello from tab two");
        await chat2.getByRole("button", { name: "Send", exact: true }).click();
        await chat.getByRole("log").getByText("Hello from tab two").waitFor();
        await c.getByRole("log").getByText("Hello from tab two").waitFor();
        const seqs = await chat.getByRole("log").locator("li.msg[data-seq]").evaluateAll((els) =>
          els.map((el) => Number((el as HTMLElement).dataset.seq))
        );
        assertEquals(new Set(seqs).size, seqs.length, "no message twice");
        noErrors(host, consolePage);
      });
    } finally {
      await site.close();
      await server.shutdown();
    }
  },
);
