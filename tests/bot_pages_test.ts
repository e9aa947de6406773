/**
 * The bot's tools in a real browser: a customer answers "Did that answer your question?" under a
 * bot answer (once; it stays answered after a reload); an agent's "Suggest reply" fills the
 * composer without sending; an admin edits an article with a preview, sees it at /help/:slug,
 * follows a knowledge gap's "Write an article" link, and runs the test bench.
 */
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { BROWSER_TEST, screenshot, withBrowser } from "./browser.ts";
import { ADMIN, withTestServer } from "./helpers.ts";
import { log, noErrors, openConsole, openPage, say, waitForMessages } from "./pages_helpers.ts";

Deno.test(
  "customer feedback, the agent's suggestion, the admin's editor and bench",
  BROWSER_TEST,
  () =>
    withTestServer((server) =>
      withBrowser(async (browser) => {
        // The customer asks what no article covers, then what one does; the answer helped.
        const customer = await openPage(browser, server.url);
        const { page } = customer;
        await say(page, "Do you sell garden furniture in Lisbon?");
        await waitForMessages(page, "bot", 2);
        await say(page, "How do I delete my account?");
        await waitForMessages(page, "bot", 3);
        const question = page.getByRole("group", { name: "Did that answer your question?" });
        await question.getByRole("button", { name: "Yes" }).click();
        await log(page).getByRole("status").filter({ hasText: "Thanks for your feedback!" })
          .waitFor();
        await screenshot(page, "bot-feedback");
        await page.reload();
        await waitForMessages(page, "bot", 3);
        await log(page).getByRole("status").filter({ hasText: "Thanks for your feedback!" })
          .waitFor();
        assertEquals(await question.count(), 0, "asked once per answer");

        // The agent opens the conversation and asks for a suggestion: it fills the composer only.
        const admin = await server.admin();
        const agent = await server.api.agent(admin, "Ann Agent", "ann@example.com");
        const consoleTab = await openConsole(browser, server, agent.token);
        const c = consoleTab.page;
        await c.getByRole("group", { name: "Filter conversations" })
          .getByRole("button", { name: /^With bot/ }).click();
        await c.getByRole("list", { name: "Conversations" }).getByRole("link").first().click();
        await c.getByRole("button", { name: "Suggest reply" }).click();
        const composer = c.getByRole("textbox", { name: "Message" });
        await c.getByRole("status").filter({ hasText: /Draft from “Deleting your account”/ })
          .waitFor()
          .catch(async () => {
            throw new Error(`no draft note; composer: ${await composer.inputValue()}`);
          });
        assertMatch(await composer.inputValue(), /\/help\/deleting-your-account$/);
        await screenshot(c, "agent-suggest");
        const conversations = await server.api.request("GET", "/api/conversations", {
          token: agent.token,
        });
        const id = conversations.body.conversations[0].id;
        const messages = await server.api.messages(agent, id);
        assert(messages.every((m) => m.sender !== "agent"), "the suggestion was not sent");

        // The admin: the gap's link opens the editor with the question; preview; save; /help/:slug.
        const adminTab = await openPage(browser, `${server.url}agent/login?next=%2Fadmin`);
        const a = adminTab.page;
        await a.getByRole("textbox", { name: "Email" }).fill(ADMIN.email);
        await a.getByRole("textbox", { name: "Password" }).fill(ADMIN.password);
        await a.getByRole("button", { name: "Sign in" }).click();
        await a.waitForURL(`${server.url}admin`);
        const gaps = a.getByRole("list", { name: "Unanswered questions" });
        await gaps.getByText("Do you sell garden furniture in Lisbon?").waitFor();
        await gaps.getByRole("link", { name: "Write an article" }).click();
        await a.waitForURL(/question=/);
        const editor = a.getByRole("form", { name: "Article editor" });
        const markdown = editor.getByRole("textbox", { name: "Markdown" });
        assertMatch(await markdown.inputValue(), /questions:\n {2}- "Do you sell garden furniture/);
        await editor.getByRole("textbox", { name: "Slug" }).fill("garden-furniture");
        await markdown.fill(
          '---\nquestions:\n  - "Do you sell garden furniture in Lisbon?"\n---\n# Garden furniture\n\n' +
            "## What we sell\n\nWe sell no garden furniture; we make scheduling software. " +
            "<script>alert(1)</script>\n",
        );
        await editor.getByRole("button", { name: "Preview" }).click();
        const preview = a.getByRole("region", { name: "Preview" });
        await preview.getByRole("heading", { name: "Garden furniture" }).waitFor();
        assertMatch(await preview.innerText(), /<script>alert\(1\)<\/script>/, "shown as text");
        await editor.getByRole("button", { name: "Save" }).click();
        await a.getByRole("status").filter({ hasText: "Saved “Garden furniture”" }).waitFor();
        await screenshot(a, "admin-help-editor");
        const article = await openPage(browser, `${server.url}help/garden-furniture`);
        await article.page.getByRole("heading", { name: "What we sell" }).waitFor();

        // The test bench: paste a set, run it, see the score and each answer.
        await a.getByRole("textbox", { name: "Question set" }).fill(
          "When are you open? | business-hours\nget me a real person | person\n" +
            "Do you sell garden furniture in Lisbon? | garden-furniture\n",
        );
        await a.getByRole("button", { name: "Run" }).click();
        const results = a.getByRole("region", { name: "Test bench results" });
        await results.getByText(/Score: 3\/3 right \(100%\)/).waitFor();
        assertEquals(await results.getByRole("row").count(), 4);
        await screenshot(a, "admin-test-bench");
        noErrors(customer, consoleTab, adminTab, article);
      })
    ),
);
