/**
 * Shared browser-test harness: Debian's Chromium driven by playwright-core, headless.
 *
 *   await withBrowser(async (browser) => {
 *     const page = await newPage(browser);
 *     const errors = collectErrors(page);
 *     await page.goto(url);
 *     await screenshot(page, "chat-empty");
 *   });
 *
 * Browser tests hold a child process and pipes open across awaits, so declare them with
 * `sanitizeOps: false, sanitizeResources: false` (see `BROWSER_TEST`).
 */
import fs from "node:fs";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";

/** Override with CHROMIUM_PATH on machines where Chromium lives elsewhere. */
export const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** Options for `Deno.test` of a test that drives a browser. */
export const BROWSER_TEST = { sanitizeOps: false, sanitizeResources: false } as const;

const SCREENSHOTS = new URL("../screenshots/", import.meta.url);

/** Launch headless Chromium; fails with the install command if Chromium is missing. */
export async function launchBrowser(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}; browser tests need it. ` +
        "Install it with: apt-get install -y chromium",
    );
  }
  const { chromium } = await loadPlaywright();
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

let playwright: Promise<typeof import("playwright-core")> | undefined;

/**
 * playwright-core probes /proc/sys/fs/binfmt_misc/WSLInterop with `fs.existsSync` as it loads.
 * Deno denies /proc/sys without --allow-all, and its `existsSync` then throws where Node's returns
 * false; so load playwright-core lazily, with Node's behaviour restored for that moment only.
 */
function loadPlaywright(): Promise<typeof import("playwright-core")> {
  return playwright ??= (async () => {
    const existsSync = fs.existsSync;
    fs.existsSync = (path) => {
      try {
        return existsSync(path);
      } catch {
        return false;
      }
    };
    try {
      return await import("playwright-core");
    } finally {
      fs.existsSync = existsSync;
    }
  })();
}

/** Run `fn` with a fresh browser, closed afterwards whatever happens. */
export async function withBrowser<T>(fn: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await launchBrowser();
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

/** A page in its own context (own cookies and storage), 1280×800 unless told otherwise. */
export async function newPage(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  return await context.newPage();
}

/**
 * Collects uncaught page errors, console errors and dialogs (alert, confirm, …; each is dismissed)
 * into the returned array, so a test can assert it stays empty.
 */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const { url } = message.location();
    errors.push(`console: ${message.text()}${url ? ` (${url})` : ""}`);
  });
  page.on("dialog", (dialog) => {
    errors.push(`dialog (${dialog.type()}): ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  return errors;
}

/** Save a full-page screenshot to `screenshots/<name>.png` (git-ignored); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await Deno.mkdir(SCREENSHOTS, { recursive: true });
  const path = new URL(`${name}.png`, SCREENSHOTS).pathname;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Holds back the islands' scripts, as a slow network would, until the returned call. */
export async function holdIslandScripts(page: Page): Promise<() => void> {
  let release = () => {};
  const held = new Promise<void>((resolve) => release = resolve);
  await page.route("**/_islands/**", async (route) => {
    await held;
    await route.continue();
  });
  return release;
}
