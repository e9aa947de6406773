/**
 * More of the pages in a real browser: a transfer between two agents' consoles, a failed send
 * that is retried, the customer chat by keyboard alone (and its place in line, live), and the
 * console's title counting the waiting conversations (and its Status following an admin's
 * change). Everything is found by role and accessible name.
 */
import type { Browser, Page } from "playwright-core";
import { assert, assertEquals } from "./assert.ts";
import { BROWSER_TEST, screenshot, withBrowser } from "./browser.ts";
import { until } from "./wait.ts";
import { type TestServer, withTestServer as withServer } from "./helpers.ts";
import {
  log,
  noErrors,
  openConsole,
  type OpenPage,
  openPage,
  say,
  seeOnce,
  shownSeqs,
  waitForMessages,
} from "./pages_helpers.ts";

const status = (page: Page, text: string) =>
  page.getByRole("status").filter({ hasText: text }).waitFor();

const filterChip = (page: Page, name: string) =>
  page.getByRole("group", { name: "Filter conversations" }).getByRole("button", {
    name: new RegExp(`^${name} `),
  });

Deno.test(
  "transfer: agent A takes over and transfers to agent B; B and the customer see it live",
  BROWSER_TEST,
  () =>
    withServer(async (server) => {
      const admin = await server.admin();
      const ann = await server.api.agent(admin, "Ann Agent", "ann@example.com", "busy");
      const ben = await server.api.agent(admin, "Ben Agent", "ben@example.com", "busy");
      await withBrowser(async (browser) => {
        const customer = await openPage(browser, server.url);
        const c = customer.page;
        await say(c, "My invoice looks wrong");
        await waitForMessages(c, "bot", 2);

        const agentA = await openConsole(browser, server, ann.token);
        const agentB = await openConsole(browser, server, ben.token);
        const [a, b] = [agentA.page, agentB.page];
        await filterChip(b, "Mine").click();
        await b.getByText("Nothing here right now.").waitFor();

        await filterChip(a, "With bot").click();
        await a.getByRole("link", { name: /Guest/ }).click();
        await seeOnce(a, "My invoice looks wrong");
        await a.getByRole("button", { name: "Take over" }).click();
        await status(c, "You're chatting with Ann Agent");

        // An agent added after A's console loaded is offered too, with the others' current load.
        await server.api.agent(admin, "Cara Agent", "cara@example.com", "busy");
        const transferTo = a.getByRole("combobox", { name: "Transfer to" });
        await transferTo.focus();
        await transferTo.getByRole("option", { name: "Cara Agent (busy, 0 open)" }).waitFor({
          state: "attached",
        });
        await transferTo.selectOption(ben.user.id);
        await screenshot(a, "agent-transfer");
        await a.getByRole("button", { name: "Transfer", exact: true }).click();

        // B's "Mine" list shows it live; the customer sees who they are talking to now.
        await b.getByRole("link", { name: /Guest/ }).waitFor();
        await status(c, "You're chatting with Ben Agent");
        await log(c).getByText("Ann Agent transferred the conversation to Ben Agent.").waitFor();

        // A no longer holds it: no hand back, no transfer; B can hand back.
        await a.getByRole("button", { name: "Hand back to bot", disabled: true }).waitFor();
        await transferTo.waitFor({ state: "detached" });
        const refused = await server.api.request(
          "POST",
          `/api/conversations/${conversationId(a)}/handback`,
          { token: ann.token },
        );
        assertEquals(refused.status, 403, JSON.stringify(refused.body));
        assert(/assign|agent/i.test(refused.body.error.message), refused.body.error.message);

        await b.getByRole("link", { name: /Guest/ }).click();
        await log(b).getByText("Ann Agent transferred the conversation to Ben Agent.").waitFor();
        await say(b, "Hi, Ben here. Let me check that invoice.");
        await seeOnce(c, "Hi, Ben here. Let me check that invoice.");
        await seeOnce(a, "Hi, Ben here. Let me check that invoice.");
        await b.getByRole("button", { name: "Hand back to bot", disabled: false }).waitFor();
        await screenshot(b, "agent-transferred-in");
        await screenshot(c, "chat-transferred");
        assertEquals(await shownSeqs(c), await shownSeqs(b));
        noErrors(customer, agentA, agentB);
      });
    }),
);

/** The id of the conversation open in a console (from its URL hash). */
function conversationId(page: Page): string {
  const id = /#c=([\w-]+)$/.exec(page.url())?.[1];
  assert(id, `no conversation open at ${page.url()}`);
  return id;
}

/**
 * The customer's socket goes through a Playwright route to the real server; while `failing`, a
 * send of `text` is answered as the server answers a refused frame (an error frame with its
 * clientId, nothing stored) instead of being passed on.
 */
async function openFlakyChat(browser: Browser, server: TestServer, text: string) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  let refused = () => {};
  const control = {
    failing: true,
    refusals: 0,
    /** Resolves at the next refusal. */
    nextRefusal: () => new Promise<void>((resolve) => refused = resolve),
  };
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const upstream = ws.connectToServer();
    ws.onMessage((raw) => {
      const frame = JSON.parse(String(raw));
      if (control.failing && frame.type === "send" && frame.text === text) {
        control.refusals++;
        refused();
        ws.send(JSON.stringify({
          type: "error",
          code: "rate_limited",
          message: "Too many frames; slow down and retry.",
          clientId: frame.clientId,
        }));
      } else upstream.send(raw);
    });
  });
  const opened: OpenPage = { page, errors: [] };
  page.on("pageerror", (e) => opened.errors.push(e.message));
  await page.goto(server.url);
  return { ...opened, control };
}

Deno.test(
  "a refused send is marked failed with a Retry button; Retry delivers it exactly once",
  BROWSER_TEST,
  () =>
    withServer(async (server) => {
      const text = "Please call me back tomorrow";
      await withBrowser(async (browser) => {
        const customer = await openFlakyChat(browser, server, text);
        const { page, control } = customer;
        await say(page, "Hello there");
        await seeOnce(page, "Hello there");
        await waitForMessages(page, "bot", 2);

        const first = control.nextRefusal();
        await say(page, text);
        await first;
        const failed = log(page).locator("li.msg.pending.failed", { hasText: text });
        await failed.getByRole("alert").filter({ hasText: "Not sent" }).waitFor();
        const retry = failed.getByRole("button", { name: /Retry/ });
        await screenshot(page, "chat-send-failed");
        // Still refused: it stays one failed message, not two.
        const second = control.nextRefusal();
        await retry.click();
        await second;
        await failed.getByRole("alert").waitFor();
        assertEquals(await log(page).getByText(text).count(), 1);

        control.failing = false;
        await retry.click();
        await seeOnce(page, text);
        await failed.waitFor({ state: "detached" });
        assertEquals(control.refusals, 2, "refused twice, then passed on");
        await waitForMessages(page, "bot", 3); // the answer to it

        const adminSession = await server.admin();
        const [conversation] = (await server.api.request("GET", "/api/conversations", {
          token: adminSession.token,
        })).body.conversations;
        const stored = await server.api.messages(adminSession, conversation.id);
        assertEquals(stored.filter((m) => m.text === text).length, 1, "stored once");
        // Every stored message is shown, once (shownSeqs holds them gapless and unique); a reply
        // still on its way is waited for, not miscounted.
        await until(
          async () =>
            (await shownSeqs(page)).length ===
              (await server.api.messages(adminSession, conversation.id)).filter((m) => !m.private)
                .length,
          "every stored message to be shown once",
        );
        noErrors(customer);
      });
    }),
);

Deno.test(
  "keyboard only: focus the Message box, Enter sends, Tab to Talk to a human and press it",
  BROWSER_TEST,
  () =>
    withServer((server) =>
      withBrowser(async (browser) => {
        const customer = await openPage(browser, server.url);
        const { page } = customer;
        const focused = () =>
          page.evaluate(() => {
            const el = document.activeElement as HTMLElement | null;
            return `${el?.tagName.toLowerCase()}:${
              el?.getAttribute("aria-label") ?? el?.textContent?.trim()
            }`;
          });
        // Tab from the top of the page until the Message box has focus.
        const textbox = "textarea:Message";
        for (let i = 0; i < 15 && await focused() !== textbox; i++) {
          await page.keyboard.press("Tab");
        }
        assertEquals(await focused(), textbox, "the Message box is reachable with Tab");

        await page.keyboard.type("Typed with the keyboard");
        await page.keyboard.press("Shift+Enter");
        await page.keyboard.type("second line");
        await page.keyboard.press("Enter");
        await seeOnce(page, "Typed with the keyboard\nsecond line");
        assertEquals(await page.getByRole("log").count(), 1, "one log region");
        assertEquals(await log(page).getAttribute("aria-live"), "polite");
        assertEquals(await focused(), textbox, "focus stays in the Message box after sending");
        await waitForMessages(page, "bot", 2);

        // Someone is already waiting (nobody is on duty): this customer is second in line.
        const ahead = await server.api.guest("Ahead");
        const aheadConv = await server.api.start(ahead);
        await server.api.request("POST", `/api/conversations/${aheadConv.id}/handoff`, {
          token: ahead.token,
        });
        // From the Message box, Tab passes Attach file and reaches Talk to a human.
        await page.keyboard.press("Tab");
        assertEquals(await focused(), "button:Attach file");
        await page.keyboard.press("Tab");
        assertEquals(await focused(), "button:Talk to a human");
        await page.keyboard.press("Enter");
        await status(page, "Waiting for an agent… You're number 2 in line");
        await log(page).getByText(/You're number 2 in the queue/).waitFor();
        // The one ahead leaves the line: the place updates live, with no new message.
        await server.api.request("POST", `/api/conversations/${aheadConv.id}/resolve`, {
          token: ahead.token,
        });
        await status(page, "You're number 1 in line");
        assertEquals(await log(page).getByText(/in the queue/).count(), 1);
        // Focus is not lost to the page: Shift+Tab returns to the Message box.
        await page.keyboard.press("Shift+Tab");
        await page.keyboard.press("Shift+Tab");
        assertEquals(await focused(), textbox);
        await page.keyboard.type("Still here");
        await page.keyboard.press("Enter");
        await seeOnce(page, "Still here");
        await screenshot(page, "chat-keyboard");
        noErrors(customer);
      })
    ),
);

Deno.test(
  "the console's title counts waiting conversations with unread messages, live",
  BROWSER_TEST,
  () =>
    withServer(async (server) => {
      const admin = await server.admin();
      const ann = await server.api.agent(admin, "Ann Agent", "ann@example.com", "busy");
      const ask = async (name: string) => {
        const guest = await server.api.guest(name);
        const conversation = await server.api.start(guest);
        await server.api.request("POST", `/api/conversations/${conversation.id}/messages`, {
          token: guest.token,
          body: { text: `${name} needs a person` },
        });
        const handoff = await server.api.request(
          "POST",
          `/api/conversations/${conversation.id}/handoff`,
          { token: guest.token },
        );
        assertEquals(handoff.body.conversation.mode, "waiting");
        return { guest, conversation };
      };
      await withBrowser(async (browser) => {
        const agent = await openConsole(browser, server, ann.token);
        const { page } = agent;
        const title = (prefix: string) =>
          page.waitForFunction((p) => document.title.startsWith(p), prefix);
        assertEquals(await page.title(), "Agent console · Parley");

        await ask("Wendy");
        await title("(1) Agent console");
        await page.getByRole("link", { name: /Wendy/ }).waitFor();
        const yuri = await ask("Yuri");
        await title("(2) Agent console");
        await filterChip(page, "Waiting").filter({ hasText: "2" }).waitFor();
        await page.getByLabel("2 waiting with unread messages").waitFor();
        await screenshot(page, "agent-two-waiting");

        // Opening one marks it seen; a new message while another is open counts again.
        await page.getByRole("link", { name: /Yuri/ }).click();
        await seeOnce(page, "Yuri needs a person");
        await title("(1) Agent console");
        await page.getByRole("link", { name: /Wendy/ }).click();
        await seeOnce(page, "Wendy needs a person");
        await page.waitForFunction(() => document.title === "Agent console · Parley");
        await server.api.request("POST", `/api/conversations/${yuri.conversation.id}/messages`, {
          token: yuri.guest.token,
          body: { text: "Anyone there?" },
        });
        await title("(1) Agent console");
        await screenshot(page, "agent-unread-again");
        await page.getByRole("link", { name: /Yuri/ }).getByLabel(/^\d+ unread$/).waitFor();

        // An admin changes Ann's status elsewhere: her Status select follows, live.
        const select = page.getByRole("combobox", { name: "Status" });
        assertEquals(await select.inputValue(), "busy");
        await server.api.request("PUT", `/api/agents/${ann.user.id}`, {
          token: admin.token,
          body: { status: "available" },
        });
        await page.waitForFunction(
          (el) => (el as HTMLSelectElement).value === "available",
          await select.elementHandle(),
        );
        noErrors(agent);
      });
    }),
);
