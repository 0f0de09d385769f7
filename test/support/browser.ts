import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium, headless, as CI installs it (`.ci/run`). */
export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** Where screenshots go (gitignored). */
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/dashboard');

export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** A browser tab whose every requested URL is kept, to prove no secret travels in one. */
export interface RecordedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly urls: string[];
}

export async function openPage(
  browser: Browser,
  viewport = { width: 1280, height: 720 },
): Promise<RecordedPage> {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  page.on('framenavigated', (frame) => urls.push(frame.url()));
  return { context, page, urls };
}

/** Saves a full-page screenshot as test-artifacts/dashboard/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Everything the browser keeps for the page: localStorage and sessionStorage, and cookies. */
export async function storageOf(
  recorded: RecordedPage,
): Promise<{ local: Record<string, string>; session: Record<string, string>; cookies: number }> {
  // Run in the page (the test's tsconfig has no DOM library, so the script is text).
  const stores = await recorded.page.evaluate<{
    local: Record<string, string>;
    session: Record<string, string>;
  }>(`(() => {
    const dump = (storage) => Object.fromEntries(Object.keys(storage).map((key) => [key, storage.getItem(key)]));
    return { local: dump(localStorage), session: dump(sessionStorage) };
  })()`);
  return { ...stores, cookies: (await recorded.context.cookies()).length };
}
