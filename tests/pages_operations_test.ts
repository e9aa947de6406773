/**
 * Browser: /admin's operations cards — a delivered webhook shows in Recent deliveries and
 * **Redeliver** sends it again under the same id; an API token made from the form shows its secret
 * once and lands in the audit log — and the chat page's **Email me the transcript** (a real SMTP
 * server receives it).
 */
import { assert, assertEquals } from "./assert.ts";
import { BROWSER_TEST, withBrowser } from "./browser.ts";
import { withTestServer } from "./helpers.ts";
import { noErrors, openPage } from "./pages_helpers.ts";
import { until } from "./wait.ts";
import { Receiver } from "./webhook_receiver.ts";
import { SmtpReceiver } from "./smtp_receiver.ts";

Deno.test(
  "pages: deliveries with Redeliver, tokens, audit log, transcript by email",
  BROWSER_TEST,
  async () => {
    const receiver = new Receiver();
    const smtp = await new SmtpReceiver().listen();
    try {
      await withTestServer(async (s) => {
        const admin = await s.admin();
        await s.api.request("POST", "/api/webhooks", {
          token: admin.token,
          body: { url: receiver.url, events: ["conversation.created"] },
        });
        const customer = await s.api.register("Casey", "casey@example.com");
        const conv = await s.api.start(customer);
        await until(() => receiver.received.length === 1, "the webhook delivered");
        const firstId = receiver.received[0].id;
        await until(async () => {
          const r = await s.api.request("GET", "/api/webhooks/deliveries", { token: admin.token });
          return r.body.deliveries[0]?.status === "delivered";
        }, "recorded as delivered");

        await withBrowser(async (browser) => {
          const adminPage = await openPage(browser, `${s.url}help`);
          const page = adminPage.page;
          await page.context().addCookies([{ name: "session", value: admin.token, url: s.url }]);
          await page.goto(`${s.url}admin`);
          const deliveries = page.getByRole("table", { name: "Recent deliveries" });
          const row = deliveries.locator(`tr[data-delivery="${firstId}"]`);
          await row.getByText("delivered").waitFor();
          await row.getByRole("button", { name: "Redeliver" }).click();
          await until(() => receiver.received.length >= 2, "redelivered");
          assertEquals(receiver.received[1].id, firstId, "the same delivery id");

          await page.getByLabel("Token name").fill("reporting");
          await page.getByRole("checkbox", { name: "conversations:read" }).check();
          await page.getByRole("button", { name: "Create token" }).click();
          const shown = page.getByText("Token (shown once):");
          await shown.waitFor();
          assert((await shown.textContent())?.includes("pat_"), "the secret is shown");
          await page.getByRole("listitem").filter({ hasText: "reporting" }).waitFor();
          const auditCard = page.getByRole("region", { name: "Audit log" });
          await auditCard.getByRole("button", { name: "Refresh" }).click();
          const audit = auditCard.getByRole("table", { name: "Audit log" });
          await audit.getByText("token.created").waitFor();
          await audit.getByText("delivery.redelivered").waitFor();

          const chat = await openPage(browser, `${s.url}help`);
          await chat.page.context().addCookies([
            { name: "session", value: customer.token, url: s.url },
          ]);
          await chat.page.goto(`${s.url}?conversation=${conv.id}`);
          await chat.page.getByRole("button", { name: "Email me the transcript" }).click();
          await chat.page.getByText("The transcript is on its way to casey@example.com.").waitFor();
          await until(() => smtp.mails.length === 1, "the transcript email");
          assertEquals(smtp.mails[0].subject, "Your conversation with Parley");
          noErrors(adminPage, chat);
        });
      }, {
        WEBHOOK_ALLOW_PRIVATE: "1",
        OUTBOX_POLL_MS: "20",
        SMTP_URL: smtp.url,
        EMAIL_DELAY_SECONDS: "0",
      });
    } finally {
      await receiver.close();
      await smtp.close();
    }
  },
);
