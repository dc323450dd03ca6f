// The whole product in a real browser (Debian's chromium, never a downloaded one) against a real
// `easytune serve` that trains a tiny random Llama on two CPU cores: sign in, upload datasets,
// walk the wizard, watch the job train, find the adapter, compare it with its base in the
// playground, switch language and theme, sign out. Every page is screenshotted and scanned with
// axe-core in light and dark mode.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { formatFindings } from './axe';
import { current, scanBothThemes, scans, shot, startHarness, step, stopHarness, themeOf, toggleTheme } from './harness';

const PASSWORD = 'e2e-flow-passphrase-42';

/** Mean of the page header's background RGB channels (0 black .. 255 white). */
async function headerBrightness(): Promise<number> {
  const color = await current().page.locator('.ant-layout-header').evaluate((header) => getComputedStyle(header).backgroundColor);
  const rgb = (color.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
  return rgb.reduce((a, b) => a + b, 0) / 3;
}

function nav(name: string | RegExp) {
  return current().page.getByRole('navigation').getByRole('menuitem', { name });
}

beforeAll(async () => {
  await startHarness(PASSWORD);
}, 120_000);

afterAll(async () => {
  await stopHarness();
});

describe('EasyTune in a real browser', () => {
  step('signs in', async () => {
    const { page, server } = current();
    const first = await page.goto(`${server.url}/`);
    // The strict policy really applies (scripts from this origin only), and nothing it blocks is
    // needed: a violation would be a console error, and those fail the run.
    expect(first?.headers()['content-security-policy']).toContain("script-src 'self';");
    await page.waitForURL(/\/login$/); // from / no ?next= is needed
    await page.getByRole('heading', { name: 'Sign in to EasyTune' }).waitFor();
    await shot('login');
    await scanBothThemes('login');

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await headerBrightness()).toBeGreaterThan(200);
    await shot('dashboard');
    await scanBothThemes('dashboard');
  });

  step('shows every settings tab', async () => {
    const { page } = current();
    await nav('Settings').click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    for (const [tab, ready] of [
      ['Profile', () => page.getByText('Member since').waitFor()],
      ['Password', () => page.getByLabel('Current password').waitFor()],
      ['Users', () => page.getByRole('row', { name: /admin/ }).waitFor()],
      ['Audit log', () => page.getByRole('table').getByRole('row').nth(1).waitFor()],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click();
      await ready();
      await shot(`settings-${tab.toLowerCase().replace(/\s+/g, '-')}`);
      await scanBothThemes(`settings ${tab}`);
    }
  });

  step('switches to 中文 and dark mode, and back', async () => {
    const { page } = current();
    await page.getByText('中文', { exact: true }).click();
    await page.getByRole('heading', { name: '设置' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await toggleTheme();
    expect(await themeOf()).toBe('dark');
    await expect.poll(headerBrightness).toBeLessThan(60);
    await page.getByRole('tab', { name: '用户' }).click();
    await page.getByText('20 条/页').waitFor(); // antd's own strings follow the language too
    await shot('settings-users-zh-dark');

    await page.getByText('EN', { exact: true }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await toggleTheme();
    expect(await themeOf()).toBe('light');
    await expect.poll(headerBrightness).toBeGreaterThan(200);
  });

  step('signs out', async () => {
    const { page } = current();
    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await shot('logged-out');
    // The session really ended: a reload does not resume it.
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  step('met no console error, failed request or uncaught exception', async () => {
    const { problems, server } = current();
    expect(problems, `browser problems; server log tail:\n${server.tail()}`).toEqual([]);
  }, { always: true });

  step('has no serious or critical accessibility violation (axe-core, light and dark)', async () => {
    const { findings } = current();
    console.info(`axe-core: ${scans.count} page states, both themes, ${scans.seconds.toFixed(1)} s`);
    expect(findings.length, `axe-core found:\n${formatFindings(findings)}`).toBe(0);
  }, { always: true });
});
