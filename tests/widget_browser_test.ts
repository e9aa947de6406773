/**
 * The website widget in real Chromium, as a true third-party frame: Parley on 127.0.0.1, the
 * website on localhost (another site: no cookies shared). The launcher and its keyboard use, a chat
 * with the bot, a handoff an agent takes in the console, a pasted screenshot shown as a thumbnail
 * on both sides, a reload and a second tab, all found by role and accessible name.
 */
import { assert, assertEquals } from "./assert.ts";
import { BROWSER_TEST, screenshot, withBrowser } from "./browser.ts";
import { startTestServer } from "./helpers.ts";
import { noErrors, openConsole, openPage } from "./pages_helpers.ts";
import { launcher, panel, startHostSite } from "./widget_helpers.ts";
import { until } from "./wait.ts";
import type { Conversation } from "../lib/contract/types.ts";
import { userHashFor } from "../lib/widget/identity.ts";
import { naturalWidth, PNG_1PX } from "./file_fixtures.ts";

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
        const host = await openPage(
          browser,
          site.page({ script: 'Parley("on", "message", (m) => (window.heard ??= []).push(m));' }),
        );
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
        // The keyboard lands in the message box.
        const box = chat.getByRole("textbox", { name: "Message" });
        await until(
          () => box.evaluate((el) => el === document.activeElement),
          "focus in the panel",
        );
        await page.keyboard.type("How do I reset my password?");
        await page.keyboard.press("Enter");
        await chat.getByRole("log").locator("li.msg.customer").first().waitFor();
        await chat.getByRole("log").locator("li.msg.bot").nth(1).waitFor(); // greeting + answer
        await screenshot(page, "widget-desktop-bot");
        // Escape closes the panel and gives the keyboard back to the launcher; Enter reopens.
        await page.keyboard.press("Escape");
        await launcher(page).waitFor();
        assertEquals(
          await page.evaluate(() =>
            document.activeElement?.shadowRoot?.activeElement?.getAttribute("aria-label")
          ),
          "Open chat",
        );
        await page.keyboard.press("Enter");
        await until(() => box.evaluate((el) => el === document.activeElement), "focus back inside");

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
        // A pasted screenshot: a thumbnail in the panel and in the console (alt = file name).
        await chat.getByRole("textbox", { name: "Message" }).evaluate((el, b64) => {
          const data = new DataTransfer();
          const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
          data.items.add(new File([bytes], "image.png", { type: "image/png" }));
          el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
        }, btoa(String.fromCharCode(...PNG_1PX)));
        for (const where of [chat.getByRole("log"), c.getByRole("log")]) {
          const img = where.locator('img[alt="image.png"]');
          await img.waitFor();
          assertEquals(await naturalWidth(img), 1);
        }
        const markup = `<img src=x onerror="alert('xss')"><b>bold?</b>`;
        await c.getByRole("textbox", { name: "Message" }).fill(markup);
        await c.getByRole("button", { name: "Send", exact: true }).click();
        await chat.getByRole("log").getByText(markup).waitFor(); // shown as text, nothing ran

        // Closed panel: Ann's next message raises the badge, flashes the title, reaches on().
        await launcher(page, "Close chat").click();
        await c.getByRole("textbox", { name: "Message" }).fill("Are you still there?");
        await c.getByRole("button", { name: "Send", exact: true }).click();
        const badge = page.locator("#parley-widget").getByText("1", { exact: true });
        await badge.waitFor();
        assertEquals(
          await launcher(page).evaluate((b) => b.getAttribute("aria-describedby")),
          "parley-unread",
        );
        await page.waitForFunction(() => document.title === "(1) New message");
        const heard = await page.evaluate(() =>
          (window as unknown as { heard: { sender: string; authorName: string }[] }).heard
        );
        assertEquals(heard.at(-1)?.sender, "agent");
        assertEquals(heard.at(-1)?.authorName, "Ann Agent");
        assert(!JSON.stringify(heard).includes("still there"), "no message text on the host");
        await screenshot(page, "widget-desktop-unread");
        await launcher(page).click();
        await chat.getByRole("log").getByText("Are you still there?").waitFor();
        await badge.waitFor({ state: "hidden" });
        await page.waitForFunction(() => document.title === "Acme shop");

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

const SECRET = "widget-secret-for-tests-0123456789";

Deno.test(
  "widget: a verified identify names the customer for agents on every device; a bad hash stays a guest",
  BROWSER_TEST,
  async () => {
    const server = await startTestServer({ WIDGET_SECRET: SECRET });
    const site = await startHostSite(server.url);
    try {
      const admin = await server.admin();
      await server.api.request("PUT", "/api/settings/widget", {
        token: admin.token,
        body: { value: { allowedOrigins: [site.origin] } },
      });
      const ann = await server.api.agent(admin, "Ann Agent", "ann@example.com");
      const identity = {
        userId: "cust-42",
        name: "Ada Lovelace",
        email: "ada@example.com",
        userHash: await userHashFor(SECRET, "cust-42"),
      };
      const identifyScript = `Parley("identify", ${JSON.stringify(identity)});`;
      await withBrowser(async (browser) => {
        // A guest first; identify (after load) takes the guest's conversation along.
        const laptop = await openPage(browser, site.page());
        const { page } = laptop;
        await launcher(page).click();
        const chat = panel(page);
        await chat.getByRole("textbox", { name: "Message" }).fill("Hello, I'm Ada");
        await chat.getByRole("button", { name: "Send", exact: true }).click();
        await chat.getByRole("log").locator("li.msg.bot").nth(1).waitFor();
        await page.evaluate((i) => {
          (window as unknown as { Parley: (...a: unknown[]) => void }).Parley("identify", i);
        }, identity);
        const consolePage = await openConsole(browser, server, ann.token);
        const c = consolePage.page;
        await c.getByRole("button", { name: "With bot" }).click();
        await c.getByRole("link", { name: /Ada Lovelace/ }).click();
        // The customer's card above the conversation (the customer panel beside it shows it too).
        const card = c.getByLabel("Customer details").getByRole("definition").filter({
          hasText: "cust-42",
        });
        await card.waitFor();
        await c.getByRole("log").getByText("Hello, I'm Ada").waitFor();
        await screenshot(c, "widget-console-identified");

        // The API says the same: a customer with externalId.
        const list = await server.api.request("GET", "/api/conversations", { token: ann.token });
        const conversation = list.body.conversations[0];
        const customer = await server.api.request(
          "GET",
          `/api/customers/${conversation.customerId}`,
          { token: ann.token },
        );
        assertEquals(customer.body.user.externalId, "cust-42");
        assertEquals(customer.body.user.name, "Ada Lovelace");
        assertEquals(customer.body.user.email, "ada@example.com");
        assertEquals(customer.body.user.role, "customer");

        // Another device: identify queued before the loader; the same history is there.
        const phone = await openPage(browser, site.page({ script: identifyScript }), {
          width: 390,
          height: 780,
        });
        await launcher(phone.page).click();
        const phoneChat = panel(phone.page);
        await phoneChat.getByRole("log").getByText("Hello, I'm Ada").waitFor();
        // Parley("logout"): a fresh guest, with nothing of Ada's.
        await phone.page.evaluate(() =>
          (window as unknown as { Parley: (...a: unknown[]) => void }).Parley("logout")
        );
        await phoneChat.getByRole("log").getByText("Hi! 👋 How can we help?").waitFor();
        assertEquals(await phoneChat.getByText("Hello, I'm Ada").count(), 0);
        assertEquals(await phoneChat.getByRole("button", { name: "All conversations" }).count(), 0);

        // A wrong hash: refused with a console message in the host page; the visitor stays a guest.
        const forged = { ...identity, userHash: "0".repeat(64) };
        const stranger = await openPage(
          browser,
          site.page({ script: `Parley("identify", ${JSON.stringify(forged)});` }),
        );
        await launcher(stranger.page).click();
        const strangerChat = panel(stranger.page);
        await until(
          () => stranger.errors.some((e) => /identify failed: userHash does not match/.test(e)),
          "the console message about the bad hash",
        );
        await strangerChat.getByRole("textbox", { name: "Message" }).fill("Am I Ada?");
        await strangerChat.getByRole("button", { name: "Send", exact: true }).click();
        await strangerChat.getByRole("log").locator("li.msg.bot").nth(1).waitFor();
        await strangerChat.getByRole("log").getByText("Hello, I'm Ada").waitFor({
          state: "detached",
        });
        const all = await server.api.request("GET", "/api/conversations", { token: ann.token });
        const strangers = (all.body.conversations as Conversation[])
          .filter((x) => x.customerName === "Guest");
        assertEquals(strangers.length, 1, "the stranger chats as a guest");
        const guest = await server.api.request("GET", `/api/customers/${strangers[0].customerId}`, {
          token: ann.token,
        });
        assertEquals([guest.body.user.role, guest.body.user.externalId], ["guest", undefined]);
        noErrors(laptop, consolePage, phone);
        assertEquals(
          stranger.errors.filter((e) => !/identify failed|401 \(Unauthorized\).*identify/.test(e)),
          [],
          "nothing else went wrong",
        );
      });
    } finally {
      await site.close();
      await server.shutdown();
    }
  },
);

Deno.test(
  "widget: an admin's site and look from /admin; a queued open(); a phone; other sites can't frame it",
  BROWSER_TEST,
  async () => {
    const server = await startTestServer();
    const site = await startHostSite(server.url);
    const other = await startHostSite(server.url);
    try {
      const admin = await server.admin();
      await withBrowser(async (browser) => {
        // The admin allows the site and sets the widget's look on /admin.
        const adminPage = await openConsole(browser, server, admin.token);
        const a = adminPage.page;
        await a.goto(`${server.url}admin`);
        const card = a.getByRole("region", { name: "Website widget" });
        await card.getByRole("textbox", { name: "Allowed sites" }).fill(site.origin);
        await card.getByLabel("Colour").fill("#0f766e");
        await card.getByRole("combobox", { name: "Position" }).selectOption("left");
        await card.getByRole("textbox", { name: "Greeting" }).fill("Welcome to Acme! Ask away.");
        await card.getByRole("textbox", { name: "Bot name" }).fill("Acme Helper");
        await card.getByRole("button", { name: "Save widget settings" }).click();
        await card.getByRole("status").filter({ hasText: "Saved" }).waitFor();
        await screenshot(a, "widget-admin-settings");

        // A phone on the allowed site: Parley("open") was queued before the loader ran.
        const phone = await openPage(browser, site.page({ script: 'Parley("open");' }), {
          width: 360,
          height: 740,
        });
        const p = phone.page;
        const frame = p.locator('iframe[title="Chat"]');
        await frame.waitFor();
        const chat = panel(p);
        await chat.getByText("Welcome to Acme! Ask away.").waitFor();
        const box = await frame.boundingBox();
        assertEquals([box?.x, box?.y, box?.width, box?.height], [0, 0, 360, 740], "full screen");
        await chat.getByRole("textbox", { name: "Message" }).fill("Do you ship abroad?");
        await chat.getByRole("button", { name: "Send", exact: true }).click();
        await chat.getByRole("log").locator("li.msg.bot").nth(1).waitFor();
        assertEquals(
          await chat.getByRole("log").locator("li.msg.bot .author").first().textContent(),
          "Acme Helper",
        );
        await screenshot(p, "widget-phone-open");
        await chat.getByRole("button", { name: "Close chat" }).click();
        await launcher(p).waitFor();
        const launcherBox = await launcher(p).boundingBox();
        assert(launcherBox && launcherBox.x < 100, "the launcher sits bottom left");
        assertEquals(
          await launcher(p).evaluate((b) => getComputedStyle(b).backgroundColor),
          "rgb(15, 118, 110)",
        );
        await screenshot(p, "widget-phone-closed");
        noErrors(adminPage, phone);

        // Another site: no launcher, a clear console message, and the panel refuses its frame.
        const iframeScript = `addEventListener("DOMContentLoaded", () => {
          const f = document.createElement("iframe");
          f.title = "Stolen chat";
          f.onload = () => { window.framed = true; };
          f.src = ${JSON.stringify(`${server.url}widget/frame?origin=${site.origin}`)};
          document.body.append(f);
        });`;
        const elsewhere = await openPage(browser, other.page({ script: iframeScript }));
        const e = elsewhere.page;
        await until(
          () => elsewhere.errors.some((x) => /can't load on http:\/\/localhost/.test(x)),
          "the loader's message",
        );
        await e.waitForFunction(() => (window as unknown as { framed?: boolean }).framed);
        await until(
          () => elsewhere.errors.some((x) => /frame-ancestors/.test(x)),
          "the browser's refusal to frame the panel",
        );
        const stolen = e.frames().find((f) => f !== e.mainFrame());
        assertEquals(await stolen?.locator("textarea").count(), 0, "nothing rendered in it");
        assertEquals(await launcher(e).count(), 0);
      });
    } finally {
      await other.close();
      await site.close();
      await server.shutdown();
    }
  },
);

Deno.test(
  "widget: the pre-chat form, and an email to reply to when nobody is online",
  BROWSER_TEST,
  async () => {
    const server = await startTestServer();
    const site = await startHostSite(server.url);
    try {
      const admin = await server.admin();
      await server.api.request("PUT", "/api/settings/widget", {
        token: admin.token,
        body: {
          value: {
            allowedOrigins: [site.origin],
            preChat: { name: "required", email: "optional" },
          },
        },
      });
      await withBrowser(async (browser) => {
        const visitor = await openPage(browser, site.page());
        const { page } = visitor;
        await launcher(page).click();
        const chat = panel(page);
        await chat.getByRole("button", { name: "Start chat" }).click();
        await chat.getByRole("alert").filter({ hasText: "Please give your name." }).waitFor();
        await chat.getByRole("textbox", { name: "Name" }).fill("Grace");
        await chat.getByRole("textbox", { name: "Email" }).fill("grace@");
        await chat.getByRole("button", { name: "Start chat" }).click();
        await chat.getByRole("alert").filter({ hasText: "doesn't look like an email" }).waitFor();
        await chat.getByRole("textbox", { name: "Email" }).fill("");
        await screenshot(page, "widget-prechat");
        await chat.getByRole("button", { name: "Start chat" }).click();
        await chat.getByRole("textbox", { name: "Message" }).fill("What are your opening hours?");
        await chat.getByRole("button", { name: "Send", exact: true }).click();
        await chat.getByRole("log").locator("li.msg.bot").nth(1).waitFor();

        // Nobody is online: the panel says so and asks for an email.
        await chat.getByRole("button", { name: "Talk to a human" }).click();
        await chat.getByText(/Nobody from the team is online right now/).waitFor();
        await chat.getByRole("textbox", { name: "Email" }).fill("grace@example.com");
        await chat.getByRole("button", { name: "Save email" }).click();
        await chat.getByText("we'll reply to grace@example.com", { exact: false }).waitFor();
        await screenshot(page, "widget-offline-email");

        // Several conversations: a new one, the list (newest first), a resolved one still readable.
        await chat.getByRole("button", { name: "All conversations" }).click();
        await chat.getByRole("button", { name: "New conversation" }).click();
        await chat.getByRole("textbox", { name: "Message" }).fill("A second question");
        await chat.getByRole("button", { name: "Send", exact: true }).click();
        await chat.getByRole("log").locator("li.msg.bot").nth(1).waitFor();
        const first = (await server.api.request("GET", "/api/conversations", {
          token: admin.token,
        })).body.conversations.find((c: Conversation) => c.mode === "waiting") as Conversation;
        await server.api.request("POST", `/api/conversations/${first.id}/resolve`, {
          token: admin.token,
        });
        await chat.getByRole("button", { name: "All conversations" }).click();
        const items = chat.getByRole("region", { name: "Your conversations" }).getByRole(
          "listitem",
        );
        // Newest activity first: the resolve just now, then the second question.
        await items.nth(0).filter({ hasText: /^Resolved.*Admin resolved/s }).waitFor();
        await items.nth(1).filter({ hasText: /^Open/ }).waitFor();
        await screenshot(page, "widget-conversations");
        await items.nth(0).getByRole("button").click();
        await chat.getByRole("log").getByText("What are your opening hours?").waitFor();
        await chat.getByText("This conversation is resolved; you can read it here.").waitFor();
        assertEquals(await chat.getByRole("textbox", { name: "Message" }).count(), 0);
        const list = await server.api.request("GET", "/api/conversations", { token: admin.token });
        const [conversation] = list.body.conversations as Conversation[];
        assertEquals([conversation.customerName, conversation.mode], ["Grace", "waiting"]);
        const customer = await server.api.request(
          "GET",
          `/api/customers/${conversation.customerId}`,
          { token: admin.token },
        );
        assertEquals(customer.body.user.email, "grace@example.com");
        noErrors(visitor);
      });
    } finally {
      await site.close();
      await server.shutdown();
    }
  },
);
