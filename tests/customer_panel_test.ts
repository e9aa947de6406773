/**
 * What the console's customer panel reads: the time zone a browser reports at guest creation and
 * at the widget's identify, validated with Intl (400 naming `timeZone` otherwise, nothing
 * created), shown to agents in `GET /api/customers/:id` with the customer's conversations.
 */
import { assert, assertEquals } from "./assert.ts";
import { withTestServer } from "./helpers.ts";
import { userHashFor } from "../lib/widget/identity.ts";

const SECRET = "a-widget-secret-for-tests";

Deno.test("customer panel: time zones validated at guest creation and identify", async () => {
  await withTestServer(async (server) => {
    const { api } = server;
    const admin = await server.admin();
    for (const timeZone of ["Mars/Olympus", "", "x".repeat(65), 42]) {
      const res = await api.request("POST", "/api/auth/guest", { body: { timeZone } });
      assertEquals(res.status, 400, JSON.stringify(timeZone));
      assert(res.body.error.message.startsWith("timeZone"), res.body.error.message);
    }
    const guest = (await api.request("POST", "/api/auth/guest", {
      body: { name: "Tom", timeZone: "America/New_York" },
    })).body;
    assertEquals(guest.user.timeZone, "America/New_York");
    const conv = await api.start(guest);
    const seen = (await api.request("GET", `/api/customers/${guest.user.id}`, {
      token: admin.token,
    })).body;
    assertEquals(seen.user.timeZone, "America/New_York");
    assertEquals(seen.conversations.map((c: { id: string }) => c.id), [conv.id]);

    // The widget's identify carries the guest's zone over, or the one the panel sends.
    const identify = async (body: Record<string, unknown>, token: string) =>
      await api.request("POST", "/api/widget/identify", {
        token,
        body: { userId: "u-1", userHash: await userHashFor(SECRET, "u-1"), ...body },
      });
    const bad = await identify({ timeZone: "Nowhere/Land" }, guest.token);
    assertEquals(bad.status, 400);
    const ok = await identify({ timeZone: "Asia/Kolkata" }, guest.token);
    assertEquals(ok.status, 200);
    assertEquals(ok.body.user.timeZone, "Asia/Kolkata");
  }, { WIDGET_SECRET: SECRET });
});
