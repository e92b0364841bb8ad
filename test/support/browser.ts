import { mkdirSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect } from "vitest";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { setUpPod, type WebClient } from "./web-client.ts";

/** Debian's Chromium (installed by .ci/run with apt); CHROMIUM_PATH may point elsewhere. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Screenshots of every page the e2e run visits, at phone and desktop widths: look at them. */
export const SCREENSHOTS = join(import.meta.dirname, "..", "..", "test-output", "screenshots");

export async function launchBrowser(): Promise<Browser> {
  // The closed network makes Chromium's background services slow to fail: these flags keep them off.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function newPhone(browser: Browser, locale = "en-US"): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 390, height: 844 }, locale });
}

/** Serious or critical accessibility violations on the page (axe-core), as "rule: target" lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(" ")}`));
}

/** True when the page scrolls sideways (the phone layout must not). */
export const scrollsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

/** Writes the page at 390 and 1280 px wide under test-output/screenshots, then puts the phone width back. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
}

/** A phone-sized page with a web client's session (its cookies handed to the browser). */
export async function pageAs(browser: Browser, podUrl: string, client: WebClient, locale = "en-US"): Promise<Page> {
  const context = await newPhone(browser, locale);
  await context.addCookies(
    [...client.cookies].map(([name, value]) => ({
      name,
      value,
      url: podUrl,
      httpOnly: true,
      sameSite: "Lax" as const,
    })),
  );
  return context.newPage();
}

/**
 * A phone-sized page signed in as the pod's first coordinator: runs the setup link over HTTP, then hands the
 * session cookie to the browser.
 */
export async function signedInPage(
  browser: Browser,
  pod: { url: string; logs(): string },
  locale = "en-US",
): Promise<{ page: Page; client: WebClient }> {
  const client = await setUpPod(pod.url, pod.logs());
  return { page: await pageAs(browser, pod.url, client, locale), client };
}

/** The checks every page of the app and the site gets: axe (no serious or critical violation), 390 px, screenshots. */
export async function checkPage(page: Page, name: string, options: { screenshots?: boolean } = {}): Promise<void> {
  expect(await seriousViolations(page), `${name}: accessibility`).toEqual([]);
  expect(await scrollsSideways(page), `${name}: fits 390 px`).toBe(false);
  if (options.screenshots !== false) await screenshots(page, name);
}
