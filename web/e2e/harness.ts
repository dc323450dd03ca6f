// Shared plumbing of the browser flow: one chromium page against one real server, numbered
// screenshots, an axe scan of every page in both themes, and failures that carry the evidence
// (browser console errors, failed requests and the server log's tail).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { it } from 'vitest';
import { COLOUR_RULES, scanA11y, type A11yFinding } from './axe';
import { REPO_ROOT, startServer, type RunningServer } from './server';

const CHROMIUM = process.env.EASYTUNE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SCREENSHOTS = join(REPO_ROOT, 'test-artifacts', 'screenshots');

export interface Harness {
  server: RunningServer;
  browser: Browser;
  page: Page;
  /** Console errors, uncaught exceptions and unexpected HTTP errors seen so far. */
  problems: string[];
  /** Serious and critical axe findings so far. */
  findings: A11yFinding[];
}

let harness: Harness | undefined;
let shotCount = 0;
/** HTTP error responses a step provoked on purpose: "STATUS METHOD /path" -> how many. */
const expectedErrors = new Map<string, number>();
/** ... and the console lines chromium writes for them, by status. */
const expectedConsole = new Map<number, number>();
let failedStep: string | undefined;

export function current(): Harness {
  if (!harness) throw new Error('the browser harness is not running (beforeAll failed?)');
  return harness;
}

export async function startHarness(adminPassword: string): Promise<Harness> {
  rmSync(SCREENSHOTS, { recursive: true, force: true }); // only this run's pictures
  mkdirSync(SCREENSHOTS, { recursive: true });
  const started = Date.now();
  const [server, browser] = await Promise.all([
    startServer(adminPassword),
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
  ]);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  // A console error (a CSP violation included) or an uncaught exception fails the run.
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // The browser's own line for a response a step expected (e.g. the 422 of a bad upload).
    const status = /Failed to load resource: the server responded with a status of (\d+)/.exec(message.text())?.[1];
    const allowed = status ? (expectedConsole.get(Number(status)) ?? 0) : 0;
    if (status && allowed > 0) {
      expectedConsole.set(Number(status), allowed - 1);
      return;
    }
    problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() < 400) return;
    const key = `${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`;
    const left = expectedErrors.get(key) ?? 0;
    if (left > 0) {
      expectedErrors.set(key, left - 1);
      return;
    }
    problems.push(`HTTP ${key}`);
  });
  harness = { server, browser, page, problems, findings: [] };
  console.info(`server, tiny model and browser ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return harness;
}

/** The whole server log of the last run, for what the failure messages' tails cut off. */
export const SERVER_LOG = join(REPO_ROOT, 'test-artifacts', 'e2e-server.log');

export async function stopHarness() {
  await harness?.browser.close();
  await harness?.server.stop();
  if (harness) writeFileSync(SERVER_LOG, harness.server.output());
}

/** The next request answered `status` for `method path` is part of the test, not a problem. */
export function expectHttpError(status: number, method: string, path: string) {
  const key = `${status} ${method} ${path}`;
  expectedErrors.set(key, (expectedErrors.get(key) ?? 0) + 1);
  expectedConsole.set(status, (expectedConsole.get(status) ?? 0) + 1);
}

/** A full-page screenshot, numbered in the order taken: test-artifacts/screenshots/NN-name.png. */
export async function shot(name: string) {
  shotCount += 1;
  const file = `${String(shotCount).padStart(2, '0')}-${name}.png`;
  await current().page.screenshot({ path: join(SCREENSHOTS, file), fullPage: true });
}

/**
 * Wait until no finite CSS animation or transition runs (fades, theme colour transitions), so
 * axe and screenshots see final colours. antd's click "wave" (a decorative overlay fading out
 * over 2 s) and endless ones (spinners) do not count.
 */
export async function settle() {
  await current().page.waitForFunction(() =>
    document.getAnimations().every((a) => {
      if (a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity) return true;
      const target = (a.effect as KeyframeEffect | null)?.target;
      return target instanceof Element && target.classList.contains('ant-wave');
    }),
  );
}

/** A point over nothing interactive (the top of the header or page), for the mouse to rest on. */
const NEUTRAL_SPOT = [640, 4] as const;

export async function themeOf(): Promise<string | undefined> {
  return current().page.evaluate(() => document.documentElement.dataset.theme);
}

/**
 * Flip light/dark with the header (or login page) switch, in whichever language is showing. With
 * `behindOverlay` the click is dispatched to the switch itself, since an open dialog or drawer
 * covers the header (a user would close it first; the scan wants the dialog in both themes).
 */
export async function toggleTheme({ behindOverlay = false } = {}) {
  const { page } = current();
  const before = await themeOf();
  const toggle = page.getByRole('switch', { name: /Switch between light and dark mode|切换浅色\/深色模式/ });
  if (behindOverlay) {
    await toggle.dispatchEvent('click');
  } else {
    await toggle.click();
    await page.mouse.move(...NEUTRAL_SPOT); // off the switch: its tooltip closes
    await page.locator('.ant-tooltip:not(.ant-tooltip-hidden)').waitFor({ state: 'detached' });
  }
  await page.waitForFunction((old) => document.documentElement.dataset.theme !== old, before);
  await settle();
}

/**
 * axe over what the page shows now: every rule in the current theme, then the colour rules in
 * the other theme (the rest do not depend on the theme, and a full scan costs seconds here).
 */
export async function scanBothThemes(where: string) {
  const { page, findings } = current();
  const started = Date.now();
  await page.mouse.move(...NEUTRAL_SPOT); // no hover state left over from the last click
  await settle();
  const first = (await themeOf()) ?? 'light';
  findings.push(...(await scanA11y(page, `${where}, ${first}`)));
  const behindOverlay = await page.locator('.ant-modal-wrap, .ant-drawer-open').filter({ visible: true }).count() > 0;
  await toggleTheme({ behindOverlay });
  findings.push(...(await scanA11y(page, `${where}, ${first === 'dark' ? 'light' : 'dark'}`, COLOUR_RULES)));
  await toggleTheme({ behindOverlay });
  scans.count += 1;
  scans.seconds += (Date.now() - started) / 1000;
}
/** How many page states scanBothThemes scanned, and the seconds it took. */
export const scans = { count: 0, seconds: 0 };

/**
 * One step of the flow. The steps share one page, so once a step fails the later ones are
 * skipped (they would only fail for the same reason), except the `always` ones (the summaries). A failure adds a screenshot, the browser
 * problems seen so far and the server log's tail to the message.
 */
export function step(name: string, body: () => void | Promise<void>, options: { timeoutMs?: number; always?: boolean } = {}) {
  it(name, async (context) => {
    if (failedStep && !options.always) context.skip(`skipped: "${failedStep}" failed`);
    try {
      await body();
    } catch (error) {
      if (options.always) throw error; // a summary: its message is the evidence
      failedStep = name;
      const h = harness;
      const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase().slice(0, 40);
      await h?.page.screenshot({ path: join(SCREENSHOTS, `FAILED-${slug}.png`), fullPage: true }).catch(() => undefined);
      const evidence =
        `\n\nscreenshot: test-artifacts/screenshots/FAILED-${slug}.png, page: ${h?.page.url()}` +
        `\n--- browser problems ---\n${h?.problems.join('\n') || '(none)'}` +
        `\n--- server output (last lines; all of it in test-artifacts/e2e-server.log) ---\n${h?.server.tail() ?? '(no server)'}`;
      if (error instanceof Error) {
        error.message += evidence;
        throw error;
      }
      throw new Error(`${String(error)}${evidence}`);
    }
  }, options.timeoutMs ?? 60_000);
}
