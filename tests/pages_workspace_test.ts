/**
 * The agent's workspace in real Chromium, one page load each: a customer pastes a screenshot on /
 * and sees its thumbnail; in the console the customer panel (local time from the browser's time
 * zone, past conversations that open on a click), two agents seeing each other viewing the same
 * conversation, the thumbnail (alt = the file name), and the `?` sheet (not while typing).
 */
import { assert, assertEquals } from "./assert.ts";
import { BROWSER_TEST, screenshot, withBrowser } from "./browser.ts";
import { withTestServer } from "./helpers.ts";
import { log, noErrors, openConsole, openPage, say } from "./pages_helpers.ts";
import { naturalWidth, PNG_1PX } from "./file_fixtures.ts";
import type { Page } from "playwright-core";

/** Pastes a PNG named image.png into the focused message box, as a screenshot paste does. */
async function pasteScreenshot(page: Page) {
  await page.getByRole("textbox", { name: "Message" }).focus();
  await page.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], "image.png", { type: "image/png" }));
    document.activeElement!.dispatchEvent(
      new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
    );
  }, btoa(String.fromCharCode(...PNG_1PX)));
}

/** The thumbnail `<img alt=name>` (not its loading placeholder) shows the decoded image. */
async function thumbnailLoaded(page: Page, name: string) {
  const img = log(page).locator(`img[alt="${name}"]`).first();
  await img.waitFor();
  assertEquals(await naturalWidth(img), 1, "the image loaded");
}

Deno.test(
  "workspace: pasted screenshot in both UIs, customer panel, colleagues viewing, ? sheet",
  BROWSER_TEST,
  async () => {
    await withTestServer(async (server) => {
      const { api } = server;
      const admin = await server.admin();
      const ann = await api.agent(admin, "Ann Agent", "ann@example.com", "busy");
      const bob = await api.agent(admin, "Bob Agent", "bob@example.com", "busy");
      // Carol: a guest whose browser said Asia/Tokyo, with a resolved and an open conversation.
      const carol = (await api.request("POST", "/api/auth/guest", {
        body: { name: "Carol", timeZone: "Asia/Tokyo" },
      })).body;
      const earlier = await api.start(carol);
      await api.request("POST", `/api/conversations/${earlier.id}/messages`, {
        token: carol.token,
        body: { text: "My invoice is wrong" },
      });
      await api.request("POST", `/api/conversations/${earlier.id}/resolve`, {
        token: carol.token,
      });
      const now = await api.start(carol);
      await api.request("POST", `/api/conversations/${now.id}/messages`, {
        token: carol.token,
        body: { text: "Hello again" },
      });

      await withBrowser(async (browser) => {
        // The customer's page: a message, then a pasted screenshot, shown as a thumbnail.
        const customer = await openPage(browser, server.url);
        await say(customer.page, "Here is my screen");
        await pasteScreenshot(customer.page);
        await thumbnailLoaded(customer.page, "image.png");

        const annConsole = await openConsole(browser, server, ann.token);
        const bobConsole = await openConsole(browser, server, bob.token);
        const a = annConsole.page, b = bobConsole.page;
        for (const p of [a, b]) {
          await p.getByRole("group", { name: "Filter conversations" })
            .getByRole("button", { name: /^All open / }).click();
          await p.getByRole("link", { name: /Carol/ }).click();
        }

        // The customer panel.
        const panel = a.getByRole("complementary", { name: "Customer" });
        await panel.getByText("Asia/Tokyo").waitFor();
        assert((await panel.textContent())!.includes("Carol"));
        // Two agents see each other.
        await a.getByRole("status", { name: "Colleagues here" })
          .getByText("Bob Agent is viewing").waitFor();
        await b.getByRole("status", { name: "Colleagues here" })
          .getByText("Ann Agent is viewing").waitFor();
        await screenshot(a, "agent-customer-panel");
        // A past conversation opens on a click.
        await panel.getByRole("button", { name: /resolved/ }).click();
        await log(a).getByText("My invoice is wrong").waitFor();
        await a.waitForURL(new RegExp(`#c=${earlier.id}$`));

        // The console shows the customer's screenshot as a thumbnail (the open list again: the
        // past conversation opened from the panel is a resolved one).
        await a.getByRole("group", { name: "Filter conversations" })
          .getByRole("button", { name: /^All open / }).click();
        await a.getByRole("link", { name: /Guest/ }).click();
        await thumbnailLoaded(a, "image.png");

        // The ? sheet: from the page, not from the message box.
        await a.locator("body").click({ position: { x: 5, y: 5 } });
        await a.keyboard.press("?");
        const sheet = a.getByRole("dialog", { name: "Keyboard shortcuts" });
        await sheet.getByText("Assign to me (take over)").waitFor();
        await screenshot(a, "agent-shortcuts");
        await a.keyboard.press("Escape");
        await sheet.waitFor({ state: "detached" });
        const box = a.getByRole("textbox", { name: "Message" });
        await box.focus();
        await a.keyboard.press("?");
        assertEquals(await box.inputValue(), "?");
        assertEquals(await sheet.count(), 0);
        noErrors(customer, annConsole, bobConsole);
      });
    });
  },
);
