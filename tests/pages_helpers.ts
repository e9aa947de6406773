/** Helpers for the browser tests of the pages: role/name locators over the contract's landmarks. */
import type { Browser, Page } from "playwright-core";
import { assert, assertEquals } from "./assert.ts";
import { collectErrors } from "./browser.ts";
import type { TestServer } from "./helpers.ts";

export interface OpenPage {
  page: Page;
  errors: string[];
}

/** A page in a fresh context (own cookies and storage). */
export async function openPage(
  browser: Browser,
  url: string,
  options: { width?: number; height?: number; dark?: boolean } = {},
): Promise<OpenPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: options.dark ? "dark" : "light",
  });
  const page = await context.newPage();
  // Generous: two cores shared with other test runs; nothing here waits on a clock.
  page.setDefaultTimeout(20_000);
  const errors = collectErrors(page);
  await page.goto(url);
  return { page, errors };
}

/** An agent's console in a fresh context, signed in with the session cookie of `token`. */
export async function openConsole(browser: Browser, server: TestServer, token: string) {
  const opened = await openPage(browser, `${server.url}help`);
  await opened.page.context().addCookies([{ name: "session", value: token, url: server.url }]);
  await opened.page.goto(`${server.url}agent`);
  await opened.page.getByRole("combobox", { name: "Status" }).waitFor();
  return opened;
}

export const log = (page: Page) => page.getByRole("log");

/** Sends a message through the composer (textbox "Message", button "Send"). */
export async function say(page: Page, text: string): Promise<void> {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.getByRole("button", { name: "Send", exact: true }).click();
}

/** Waits until `text` is a confirmed message in the log, and checks it is there exactly once. */
export async function seeOnce(page: Page, text: string): Promise<void> {
  const confirmed = log(page).locator("li.msg[data-seq] .text", { hasText: text });
  await confirmed.first().waitFor();
  const all = await log(page).locator("li.msg .text").allTextContents();
  assertEquals(all.filter((t) => t === text).length, 1, `"${text}" shown once`);
}

/** Waits until the log holds at least `n` messages from `sender`. */
export async function waitForMessages(page: Page, sender: string, n: number): Promise<void> {
  await log(page).locator(`li.msg.${sender}`).nth(n - 1).waitFor();
}

/**
 * The seqs shown in the log, checked to be ordered and unique, and gapless from 1 except where a
 * seq is a private note (staff see every seq; a customer's page skips the notes' — the handoff
 * summary is one): `notes` lists those seqs when known.
 */
export async function shownSeqs(page: Page, notes?: number[]): Promise<number[]> {
  const seqs = await log(page).locator("li.msg[data-seq]").evaluateAll((els) =>
    els.map((el) => Number((el as HTMLElement).dataset.seq))
  );
  seqs.forEach((seq, i) => {
    if (i > 0) assert(seq > seqs[i - 1], `seqs are ordered and unique: ${seqs.join(",")}`);
  });
  if (notes) {
    // Every seq up to the last shown is there, or is a note.
    const last = seqs.at(-1) ?? 0;
    const want = Array.from({ length: last }, (_, i) => i + 1).filter((n) => !notes.includes(n));
    assertEquals(seqs, want, "every seq is shown once, or is a private note");
  }
  return seqs;
}

export function noErrors(...pages: OpenPage[]): void {
  for (const { errors } of pages) assert(errors.length === 0, `page errors: ${errors.join("\n")}`);
}
