// One real-browser pass over the built app served by a real `easytune serve`: sign-in, dashboard,
// language and theme, Settings -> Users, sign-out. Debian's chromium, never a downloaded browser.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const SCREENSHOTS = join(REPO_ROOT, 'test-artifacts', 'screenshots');
const PASSWORD = 'smoke-test-passphrase-42';

let server: RunningServer;
let browser: Browser;
let page: Page;
const problems: string[] = [];

async function shot(name: string) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Mean of the page header's background RGB channels (0 black .. 255 white). */
async function headerBrightness(): Promise<number> {
  const color = await page.locator('.ant-layout-header').evaluate((header) => getComputedStyle(header).backgroundColor);
  const rgb = (color.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
  return rgb.reduce((a, b) => a + b, 0) / 3;
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await startServer(PASSWORD);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  page = await context.newPage();
  // A console error (a CSP violation included) or an uncaught exception fails the test.
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.url()}`);
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the built app in a real browser', () => {
  it('signs in, switches language and theme, lists users and signs out', async () => {
    const first = await page.goto(`${server.url}/`);
    // The strict policy really applies (scripts from this origin only), and nothing it blocks is
    // needed: a violation would be a console error below.
    expect(first?.headers()['content-security-policy']).toContain("script-src 'self';");
    await page.waitForURL(/\/login$/); // from / no ?next= is needed
    await page.getByRole('heading', { name: 'Sign in to EasyTune' }).waitFor();
    await shot('1-login');

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Welcome to EasyTune').waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await headerBrightness()).toBeGreaterThan(200);
    await shot('2-dashboard');

    await page.getByText('中文', { exact: true }).click();
    await page.getByText('欢迎使用 EasyTune').waitFor();
    await page.getByRole('switch', { name: '切换浅色/深色模式' }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await expect.poll(headerBrightness).toBeLessThan(60);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await shot('3-dashboard-zh-dark');

    await page.getByRole('navigation', { name: '主导航' }).getByRole('menuitem', { name: '设置' }).click();
    await page.getByRole('tab', { name: '用户' }).click();
    await page.waitForURL(/\/settings\?tab=users/);
    await page.getByRole('row', { name: /admin/ }).waitFor();
    await page.getByText('20 条/页').waitFor(); // antd's own strings follow the language too
    await shot('4-settings-users');

    await page.getByRole('button', { name: '账户' }).click();
    await page.getByRole('menuitem', { name: '退出登录' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByRole('button', { name: /登\s*录/ }).waitFor();
    await shot('5-logged-out');

    // The session really ended: a reload does not resume it.
    await page.reload();
    await page.getByRole('button', { name: /登\s*录/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');

    expect(problems, `browser problems; server log:\n${server.output()}`).toEqual([]);
  }, 120_000);
});
