/**
 * Sign-in hardening in a real browser (Chromium): a page on another site that posts a login form
 * (text/plain, the classic login-CSRF trick) or a no-cors fetch at Parley gets refused and leaves
 * no session cookie; and `next` after sign-in never leaves the site, however it is written
 * (`/%5Cevil.example/x`, `/%09/evil.example/x`), on /login and /agent/login alike.
 */
import { assert, assertEquals } from "./assert.ts";
import { BROWSER_TEST, withBrowser } from "./browser.ts";
import { withTestServer } from "./helpers.ts";
import { noErrors, openPage } from "./pages_helpers.ts";
import type { Page } from "playwright-core";

/** The attacker's site: another origin (localhost vs 127.0.0.1) serving `html`. */
function evilSite(html: string) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(html, { headers: { "content-type": "text/html" } }),
  );
  return { url: `http://localhost:${server.addr.port}/`, close: () => server.shutdown() };
}

async function signIn(page: Page, email: string, password: string) {
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  await page.getByRole("textbox", { name: "Password" }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

Deno.test(
  "login CSRF: another site's form or fetch signs nobody in",
  BROWSER_TEST,
  () =>
    withTestServer((server) =>
      withBrowser(async (browser) => {
        await server.api.register("Mallory", "mallory@example.com", "mallory-password");
        const target = `${server.url}api/auth/login`;
        // Field name + value make a JSON body when sent as text/plain: {"email":…,"x":"="}.
        const form = evilSite(`<!doctype html><title>Win a prize</title>
        <form method="POST" action="${target}" enctype="text/plain">
          <input type="hidden" name='{"email":"mallory@example.com","password":"mallory-password","x":"'
                 value='"}'>
        </form>
        <script>document.forms[0].submit()</script>`);
        const fetcher = evilSite(`<!doctype html><title>Nothing to see</title>
        <script>
          fetch(${JSON.stringify(target)}, {
            method: "POST", mode: "no-cors", credentials: "include",
            headers: { "content-type": "text/plain" },
            body: JSON.stringify({ email: "mallory@example.com", password: "mallory-password" }),
          }).finally(() => document.title = "sent");
        </script>`);
        try {
          // The form: the browser navigates to Parley's answer, a refusal.
          const { page } = await openPage(browser, server.url); // a visitor of Parley
          const answer = page.waitForResponse((r) => r.url() === target);
          await page.goto(form.url);
          const res = await answer;
          assertEquals(res.status(), 403);
          assertEquals((await res.json()).error.code, "forbidden");
          let cookies = await page.context().cookies(server.url);
          assert(!cookies.some((c) => c.name === "session"), JSON.stringify(cookies));

          // The no-cors fetch: opaque to the attacker, and refused too.
          const fetched = page.waitForResponse((r) => r.url() === target);
          await page.goto(fetcher.url);
          assertEquals((await fetched).status(), 403);
          await page.waitForFunction(() => document.title === "sent");
          cookies = await page.context().cookies(server.url);
          assert(!cookies.some((c) => c.name === "session"), JSON.stringify(cookies));

          // Parley's own page still signs in (same origin, JSON).
          await page.goto(`${server.url}login`);
          await signIn(page, "mallory@example.com", "mallory-password");
          await page.waitForURL(server.url);
          cookies = await page.context().cookies(server.url);
          assert(cookies.some((c) => c.name === "session"), "signed in on the real page");
        } finally {
          await form.close();
          await fetcher.close();
        }
      })
    ),
);

Deno.test(
  "next after sign-in stays on the site",
  BROWSER_TEST,
  () =>
    withTestServer((server) =>
      withBrowser(async (browser) => {
        const { api } = server;
        await api.register("Nina", "nina@example.com");
        const admin = await server.admin();
        await api.agent(admin, "Otto", "otto@example.com");
        const origin = new URL(server.url).origin;
        // More spellings are checked in lib/next_path_test.ts; these are the issue's, end to end.
        const cases: [string, string, string, string][] = [
          ["login", "/%5Cevil.example/x", "nina@example.com", "/"],
          ["login", "/%09/evil.example/x", "nina@example.com", "/"],
          ["login", "//evil.example/x", "nina@example.com", "/"],
          ["login", "https://evil.example/x", "nina@example.com", "/"],
          ["login", "javascript:alert(1)", "nina@example.com", "/"],
          ["login", "/help", "nina@example.com", "/help"],
          ["agent/login", "/%5Cevil.example/x", "otto@example.com", "/agent"],
          ["agent/login", "/%09/evil.example/x", "otto@example.com", "/agent"],
          ["agent/login", "/help", "otto@example.com", "/help"],
        ];
        for (const [path, next, email, landing] of cases) {
          const html = await (await fetch(`${server.url}${path}?next=${next}`)).text();
          assert(!html.includes("evil.example"), `${path}?next=${next} renders no foreign next`);
          const opened = await openPage(browser, `${server.url}${path}?next=${next}`);
          const { page } = opened;
          const password = email.startsWith("otto") ? "agent-password-1" : "password-123";
          await signIn(page, email, password);
          await page.waitForURL((url) => url.pathname === landing);
          const url = new URL(page.url());
          assertEquals([next, url.origin, url.pathname], [next, origin, landing]);
          noErrors(opened);
          await page.context().close();
        }
      })
    ),
);
