/**
 * In a real browser: taking a conversation another agent holds asks to confirm, naming them
 * (Cancel changes nothing), then says so in the log, and the previous holder's console shows a
 * notice; and names holding U+202E (right-to-left override) are isolated wherever they are shown
 * (customer chat, agent console, admin), so the text beside them still reads left to right.
 */
import type { Locator, Page } from "playwright-core";
import { assert, assertEquals } from "./assert.ts";
import { BROWSER_TEST, screenshot, withBrowser } from "./browser.ts";
import { withTestServer } from "./helpers.ts";
import { log, noErrors, openConsole, openPage, seeOnce } from "./pages_helpers.ts";

Deno.test(
  "takeover from another agent: confirm naming them; they are told",
  BROWSER_TEST,
  () =>
    withTestServer(async (server) => {
      const { api } = server;
      const admin = await server.admin();
      const bob = await api.agent(admin, "Bob Agent", "bob@example.com", "busy");
      const ann = await api.agent(admin, "Ann Agent", "ann@example.com", "busy");
      const carol = await api.guest("Carol");
      const conv = await api.start(carol);
      await api.request("POST", `/api/conversations/${conv.id}/messages`, {
        token: carol.token,
        body: { text: "Where is my parcel?" },
      });
      await api.request("POST", `/api/conversations/${conv.id}/takeover`, { token: bob.token });

      await withBrowser(async (browser) => {
        const bobConsole = await openConsole(browser, server, bob.token);
        const annConsole = await openConsole(browser, server, ann.token);
        const a = annConsole.page, b = bobConsole.page;
        await a.getByRole("group", { name: "Filter conversations" })
          .getByRole("button", { name: /^All open / }).click();
        await a.getByRole("link", { name: /Carol/ }).click();
        await seeOnce(a, "Where is my parcel?");
        // Bob holds it: Ann is told so; she may still write (it stays Bob's).
        const composer = a.getByRole("textbox", { name: "Message" });
        assert(await composer.isEnabled(), "a colleague may still write");
        assert(/Bob Agent is handling this conversation/.test(
          (await composer.getAttribute("placeholder")) ?? "",
        ));

        const takeOver = a.getByRole("button", { name: "Take over", exact: true });
        await takeOver.click();
        const confirm = a.getByRole("alertdialog");
        await confirm.getByText("Bob Agent is handling this conversation.").waitFor();
        await screenshot(a, "agent-takeover-confirm");
        await confirm.getByRole("button", { name: "Cancel" }).click();
        await confirm.waitFor({ state: "detached" });
        const still = await api.request("GET", `/api/conversations/${conv.id}`, {
          token: admin.token,
        });
        assertEquals(still.body.conversation.assigneeId, bob.user.id, "Cancel changed nothing");

        await takeOver.click();
        await a.getByRole("button", { name: "Take over from Bob Agent" }).click();
        await log(a).getByText("Ann Agent took over from Bob Agent.").waitFor();
        await composer.waitFor({ state: "visible" });
        await a.waitForFunction(() =>
          !(document.querySelector("textarea[aria-label=Message]") as HTMLTextAreaElement).disabled
        );

        // Bob's console: a notice, live.
        const notice = b.getByRole("status").getByText(
          "Ann Agent took over your conversation with Carol.",
        );
        await notice.waitFor();
        await screenshot(b, "agent-taken-over-notice");
        await b.getByRole("button", { name: "Dismiss" }).click();
        await notice.waitFor({ state: "detached" });
        noErrors(annConsole, bobConsole);
      });
    }),
);

/**
 * Whether `first` is drawn left of `then` inside `scope` (each the first occurrence in one text
 * node): an override that leaked out of a name would draw them the other way round.
 */
async function drawnInOrder(scope: Locator, first: string, then: string): Promise<boolean> {
  return await scope.evaluate((root, [a, b]) => {
    const left = (needle: string) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent!.indexOf(needle);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + 1);
        return range.getBoundingClientRect().left;
      }
      throw new Error(`"${needle}" is not shown`);
    };
    return left(a) < left(b);
  }, [first, then]);
}

const RLO = "\u202e";

Deno.test(
  "names with a right-to-left override don't reorder the text beside them",
  BROWSER_TEST,
  () =>
    withTestServer(async (server) => {
      const { api } = server;
      const admin = await server.admin();
      const agent = await api.agent(admin, `${RLO}Mallory`, "mallory@example.com", "busy");
      const guest = await api.guest(`${RLO}Eve`);
      const conv = await api.start(guest);
      const post = (token: string, text: string) =>
        api.request("POST", `/api/conversations/${conv.id}/messages`, { token, body: { text } });
      await post(guest.token, "hello world");
      await api.request("POST", `/api/conversations/${conv.id}/takeover`, { token: agent.token });
      await post(agent.token, "good morning");

      await withBrowser(async (browser) => {
        // The customer's chat: the agent's name, then the "Agent" badge and the status line.
        const chat = await openPage(browser, `${server.url}help`);
        await chat.page.context().addCookies([
          { name: "session", value: guest.token, url: server.url },
        ]);
        await chat.page.goto(server.url);
        const p: Page = chat.page;
        const agentBubble = log(p).locator("li.msg.agent");
        await agentBubble.waitFor();
        assert(await drawnInOrder(agentBubble, "A", "t"), "the badge reads 'Agent'");
        const status = p.getByRole("status").filter({ hasText: "You're chatting with" });
        assert(await drawnInOrder(status, "Y", "w"), "the status line reads left to right");
        await screenshot(p, "bidi-customer");
        // The composer counts characters as the server does: 2,001 emoji are fine, 4,001 are not.
        const box = p.getByRole("textbox", { name: "Message" });
        const send = p.getByRole("button", { name: "Send", exact: true });
        await box.fill("😀".repeat(2001));
        assert(await send.isEnabled(), "2,001 emoji can be sent");
        await box.fill("😀".repeat(4001));
        await p.getByRole("alert").filter({ hasText: "at most 4,000 characters" }).waitFor();
        assert(await send.isDisabled(), "4,001 can't");
        await box.fill("");

        // The agent console: the list row (customer name, preview "name: text"), the pane.
        const console = await openConsole(browser, server, admin.token);
        const c = console.page;
        await c.getByRole("group", { name: "Filter conversations" })
          .getByRole("button", { name: /^All open / }).click();
        const row = c.locator(".conversation-row").first();
        await row.waitFor();
        assert(await drawnInOrder(row, "g", "m"), "the preview 'good morning' reads left to right");
        await row.click();
        const theirs = log(c).locator("li.msg.customer");
        await theirs.waitFor();
        assert(
          await drawnInOrder(log(c).locator("li.msg.agent"), "A", "t"),
          "badge in the console",
        );
        await screenshot(c, "bidi-console");

        // The admin page: names inside <bdi>.
        const adminPage = await openConsole(browser, server, admin.token);
        await adminPage.page.goto(`${server.url}admin`);
        const team = adminPage.page.getByRole("table").first();
        await team.waitFor();
        assert(await adminPage.page.locator("bdi", { hasText: "Mallory" }).count() > 0);
        assert(await adminPage.page.locator("bdi", { hasText: "Eve" }).count() > 0);
        noErrors(chat, console, adminPage);
      });
    }),
);
