/**
 * Running the team, in a real browser: the customer rates a resolved conversation on `/` (CSAT),
 * the agent's console shows the rating, /admin draws it in the reports, and the business-hours
 * editor on the same /admin page refuses an unknown zone and overlapping hours, then saves. Found
 * by role and name.
 */
import { assert, assertEquals } from "./assert.ts";
import { BROWSER_TEST, screenshot, withBrowser } from "./browser.ts";
import { withTestServer as withServer } from "./helpers.ts";
import { noErrors, openConsole, openPage, say, waitForMessages } from "./pages_helpers.ts";

Deno.test(
  "CSAT on the chat page, in the console and the reports; the business-hours editor",
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
          await a.getByRole("img", { name: /^Conversations handled and resolved by agent/ })
            .waitFor();
          const row = a.getByRole("row", { name: /Ann Agent/ });
          await row.getByRole("cell", { name: "100 %" }).waitFor();
          // The business-hours editor, on the same page.
          const hours = a.getByRole("form", { name: "Business hours" });
          await hours.getByRole("checkbox", { name: /Use business hours/ }).check();
          await hours.getByRole("combobox", { name: "Time zone" }).fill("Mars/Olympus");
          const save = hours.getByRole("button", { name: "Save business hours" });
          await save.click();
          await hours.getByRole("alert").filter({ hasText: "value.timeZone: must be a time zone" })
            .waitFor();
          await hours.getByRole("combobox", { name: "Time zone" }).fill("Europe/Paris");
          await hours.getByRole("button", { name: "Add Monday hours" }).click();
          await hours.getByLabel("Monday from (2)").fill("12:00");
          await hours.getByLabel("Monday to (2)").fill("18:00");
          await save.click();
          await hours.getByRole("alert").filter({
            hasText: "value.weekly.mon.1: overlaps 09:00–17:00",
          }).waitFor();
          const unchanged = await server.api.request("GET", "/api/settings/business_hours", {
            token: admin.token,
          });
          assertEquals(unchanged.body.revision, 0, "refused saves change nothing");
          await hours.getByRole("button", { name: "Remove Monday hours (2)" }).click();
          await hours.getByRole("button", { name: "Add holiday" }).click();
          await hours.getByRole("textbox", { name: "Holiday 1 name" }).fill("Christmas");
          await hours.getByLabel("Holiday 1 date").fill("2026-12-25");
          await save.click();
          await hours.getByRole("status").filter({ hasText: "Saved." }).waitFor();
          const saved = await server.api.request("GET", "/api/settings/business_hours", {
            token: admin.token,
          });
          assertEquals([saved.body.revision, saved.body.value.enabled, saved.body.value.timeZone], [
            1,
            true,
            "Europe/Paris",
          ]);
          assertEquals(saved.body.value.weekly.mon, [{ from: "09:00", to: "17:00" }]);
          assertEquals(saved.body.value.holidays, [{ date: "2026-12-25", name: "Christmas" }]);
          // The two refused saves show in the console as failed loads; nothing else may.
          const refused = (e: string) =>
            e.includes("400") && e.includes("/api/settings/business_hours");
          assertEquals(agent.errors.filter(refused).length, 2);
          agent.errors.splice(0, agent.errors.length, ...agent.errors.filter((e) => !refused(e)));
          noErrors(customer, agent);
        } catch (e) {
          await screenshot(c, "csat-chat");
          throw e;
        }
      });
    }),
);
