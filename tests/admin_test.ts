/**
 * The admin page in a real browser: setting an agent's capacity and status from the Team table
 * (with the API's error shown inline), the table following assignments live, the capacity holding
 * a second customer in the queue, and the "Last 7 days" figures after Refresh. Everything is found
 * by role and accessible name.
 */
import type { Locator, Page } from "playwright-core";
import { assert, assertEquals } from "./assert.ts";
import { BROWSER_TEST, holdIslandScripts, screenshot, withBrowser } from "./browser.ts";
import { ADMIN, type Session, startTestServer, type TestServer } from "./helpers.ts";
import { noErrors, openPage } from "./pages_helpers.ts";
import { formatDuration } from "../lib/client/duration.ts";

Deno.test("formatDuration: the two largest units, a dash for no samples", () => {
  assertEquals(formatDuration(null), "—");
  assertEquals(formatDuration(0), "< 1 s");
  assertEquals(formatDuration(42_000), "42 s");
  assertEquals(formatDuration(59_999), "59 s");
  assertEquals(formatDuration(90_000), "1 min 30 s");
  assertEquals(formatDuration(3_600_000), "1 h");
  assertEquals(formatDuration(3_780_000), "1 h 3 min");
  assertEquals(formatDuration(93_600_000), "1 d 2 h");
});

/** A customer (API only) who asks for a person; returns the conversation as the handoff left it. */
async function askForHuman(server: TestServer, name: string) {
  const guest = await server.api.guest(name);
  const conversation = await server.api.start(guest);
  const handoff = await server.api.request(
    "POST",
    `/api/conversations/${conversation.id}/handoff`,
    { token: guest.token },
  );
  assertEquals(handoff.status, 200, JSON.stringify(handoff.body));
  return handoff.body.conversation as { id: string; mode: string; assigneeName: string | null };
}

/** The Team table's row of `name`. */
const row = (page: Page, name: string) =>
  page.getByRole("region", { name: "Team" }).getByRole("row").filter({
    has: page.getByRole("cell", { name, exact: true }),
  });

/** The figure shown under `label` in the metrics panel. */
const figure = (panel: Locator, label: string) =>
  panel.locator(".stat").filter({
    has: panel.page().getByRole("term").filter({ hasText: new RegExp(`^${label}$`) }),
  }).getByRole("definition");

/** What the API has saved of a member: their own status and their capacity. */
async function savedAgent(server: TestServer, admin: Session, id: string) {
  const res = await server.api.request("GET", "/api/agents", { token: admin.token });
  const agent = res.body.agents.find((a: { id: string }) => a.id === id);
  return [agent.chosenStatus, agent.capacity];
}

interface AdminPage {
  server: TestServer;
  admin: Session;
  ann: Session;
  page: Page;
  /** Ann's status set through the API, as another admin would. */
  setAnnStatus(status: string): Promise<void>;
}

/**
 * A server with an admin and Ann (an agent, busy), and a browser page holding the admin's session
 * (on /help: each test opens /admin its own way). The page must end without errors.
 */
async function withAdminPage(fn: (t: AdminPage) => Promise<void>) {
  const server = await startTestServer();
  try {
    const admin: Session = await server.admin();
    const ann = await server.api.agent(admin, "Ann Agent", "ann@example.com", "busy");
    await withBrowser(async (browser) => {
      const opened = await openPage(browser, `${server.url}help`);
      await opened.page.context().addCookies([
        { name: "session", value: admin.token, url: server.url },
      ]);
      const setAnnStatus = async (status: string) => {
        const res = await server.api.request("PUT", `/api/agents/${ann.user.id}`, {
          token: admin.token,
          body: { status },
        });
        assertEquals(res.status, 200, JSON.stringify(res.body));
      };
      await fn({ server, admin, ann, page: opened.page, setAnnStatus });
      noErrors(opened);
    });
  } finally {
    await server.shutdown();
  }
}

Deno.test(
  "admin: a capacity and a status changed before the page's script has loaded are saved once hydrated",
  BROWSER_TEST,
  () =>
    withAdminPage(async ({ server, admin, ann, page }) => {
      const saved = () => savedAgent(server, admin, ann.user.id);
      assertEquals(await saved(), ["busy", 5], "the default capacity");
      const release = await holdIslandScripts(page);
      await page.goto(`${server.url}admin`, { waitUntil: "commit" });
      const capacity = page.getByRole("spinbutton", { name: "Capacity for Ann Agent" });
      const status = page.getByRole("combobox", { name: "Status for Ann Agent" });
      // The browser's own change events, before any island listens.
      await capacity.fill("3");
      await capacity.press("Enter");
      await status.selectOption("available");
      await page.waitForTimeout(300);
      assertEquals(await saved(), ["busy", 5], "nothing is saved before hydration");
      assertEquals(
        await page.evaluate(() => document.documentElement.dataset.hydrated),
        undefined,
      );

      release();
      const ann$ = row(page, "Ann Agent");
      await ann$.getByRole("cell", { name: "0 / 3" }).waitFor();
      await ann$.getByRole("cell", { name: "available", exact: true }).nth(1).waitFor();
      assertEquals(await saved(), ["available", 3]);
      assertEquals(await capacity.inputValue(), "3");
      assertEquals(await status.inputValue(), "available");
    }),
);

Deno.test(
  "admin: a capacity being typed survives a live update of its row",
  BROWSER_TEST,
  () =>
    withAdminPage(async ({ server, admin, ann, page, setAnnStatus }) => {
      await page.goto(`${server.url}admin`);
      await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
      const ann$ = row(page, "Ann Agent");
      const capacity = page.getByRole("spinbutton", { name: "Capacity for Ann Agent" });
      // Live updates reach the page: Ann's status, changed elsewhere, shows in her row.
      await setAnnStatus("offline");
      await ann$.getByRole("cell", { name: "offline", exact: true }).first().waitFor();

      await capacity.fill("3"); // typed, not yet committed (no Enter, still focused)
      await setAnnStatus("available");
      await ann$.getByRole("cell", { name: "available", exact: true }).first().waitFor();
      assertEquals(await capacity.inputValue(), "3", "the row's update kept what was typed");
      await capacity.press("Enter");
      await ann$.getByRole("cell", { name: "0 / 3" }).waitFor();
      assertEquals(await savedAgent(server, admin, ann.user.id), ["available", 3]);
    }),
);

Deno.test(
  "admin: a Team list read before a live update does not undo it when it arrives",
  BROWSER_TEST,
  () =>
    withAdminPage(async ({ server, page, setAnnStatus }) => {
      // The page's refresh (when its socket is ready) reads the list now, and gets it late.
      let release = () => {}, asked = () => {}, answered = () => {};
      const held = new Promise<void>((r) => release = r);
      const listAsked = new Promise<void>((r) => asked = r);
      const listAnswered = new Promise<void>((r) => answered = r);
      await page.route("**/api/agents", async (route) => {
        if (route.request().method() !== "GET") return route.continue();
        const response = await route.fetch(); // Ann busy
        asked();
        await held;
        await route.fulfill({ response });
        answered();
      });
      await page.goto(`${server.url}admin`);
      await listAsked;
      await setAnnStatus("offline");
      const ann$ = row(page, "Ann Agent");
      await ann$.getByRole("cell", { name: "offline", exact: true }).first().waitFor();
      release();
      await listAnswered;
      // Let the page take the answer and render it.
      await page.evaluate(() => new Promise((r) => setTimeout(r, 100)));
      const status = page.getByRole("combobox", { name: "Status for Ann Agent" });
      assertEquals(await status.inputValue(), "offline", "the older list did not undo it");
      assertEquals(await ann$.getByRole("cell", { name: "busy", exact: true }).count(), 0);
    }),
);

Deno.test(
  "admin: set an agent's capacity and status from the Team table; the capacity holds the queue",
  BROWSER_TEST,
  async () => {
    const server = await startTestServer();
    try {
      const admin: Session = await server.admin();
      const ann = await server.api.agent(admin, "Ann Agent", "ann@example.com", "busy");
      await withBrowser(async (browser) => {
        const opened = await openPage(browser, `${server.url}agent/login?next=%2Fadmin`);
        const { page } = opened;
        await page.getByRole("textbox", { name: "Email" }).fill(ADMIN.email);
        await page.getByRole("textbox", { name: "Password" }).fill(ADMIN.password);
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL(`${server.url}admin`);

        const ann$ = row(page, "Ann Agent");
        const capacity = page.getByRole("spinbutton", { name: "Capacity for Ann Agent" });
        const status = page.getByRole("combobox", { name: "Status for Ann Agent" });
        assertEquals(await capacity.inputValue(), "");
        assertEquals(await capacity.getAttribute("placeholder"), "5");
        assertEquals(await status.inputValue(), "busy");
        await ann$.getByRole("cell", { name: "0 / 5" }).waitFor();

        // A capacity the API refuses: its message shows inline, and nothing changes.
        await capacity.fill("0");
        await capacity.press("Enter");
        const alert = page.getByRole("region", { name: "Team" }).getByRole("alert");
        await alert.filter({ hasText: /^Ann Agent: .*capacity/i }).waitFor();
        assertEquals(await capacity.getAttribute("aria-invalid"), "true");
        await screenshot(page, "admin-team-error");

        await capacity.fill("1");
        await capacity.press("Enter");
        await ann$.getByRole("cell", { name: "0 / 1" }).waitFor();
        await alert.waitFor({ state: "detached" });
        await status.selectOption("available");
        // Saved and live: "Status now" says available too, not only the select.
        await ann$.getByRole("cell", { name: "available", exact: true }).nth(1).waitFor();
        assertEquals(await savedAgent(server, admin, ann.user.id), ["available", 1]);

        // The first customer gets Ann; the table follows live (at capacity: busy, 1 / 1).
        const first = await askForHuman(server, "Wendy");
        assertEquals([first.mode, first.assigneeName], ["human", "Ann Agent"]);
        await ann$.getByRole("cell", { name: "1 / 1" }).waitFor();
        await ann$.getByRole("cell", { name: "busy", exact: true }).waitFor();
        assertEquals(await status.inputValue(), "available", "her own choice stays in the select");

        // The second waits: capacity 1 holds.
        const second = await askForHuman(server, "Yuri");
        const stored = await server.api.request("GET", `/api/conversations/${second.id}`, {
          token: admin.token,
        });
        assertEquals(stored.body.conversation.mode, "waiting");

        const panel = page.getByRole("region", { name: "Last 7 days" });
        await panel.getByRole("button", { name: "Refresh" }).click();
        await figure(panel, "Waiting").filter({ hasText: /^1$/ }).waitFor();
        assertEquals(await figure(panel, "With an agent").textContent(), "1");
        assertEquals(await figure(panel, "Open now").textContent(), "2");
        assertEquals(await figure(panel, "Resolved").textContent(), "0");
        assertEquals(await figure(panel, "Resolution").textContent(), "—");
        assert(
          /s|—/.test(await figure(panel, "Wait time").textContent() ?? ""),
          "the median wait is a duration",
        );

        const fits = await page.evaluate(() =>
          document.documentElement.scrollWidth <= globalThis.innerWidth
        );
        assert(fits, "the admin page fits a 1280-wide window");
        await screenshot(page, "admin-team");
        // The one refused PUT above is the browser's only complaint.
        const refused = opened.errors.filter((e) => /status of 400 .*\/api\/agents\//.test(e));
        assertEquals(refused.length, 1, opened.errors.join("\n"));
        noErrors({ ...opened, errors: opened.errors.filter((e) => !refused.includes(e)) });
      });
    } finally {
      await server.shutdown();
    }
  },
);
