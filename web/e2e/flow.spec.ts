// The whole product in a real browser (Debian's chromium, never a downloaded one) against a real
// `easytune serve` that trains a tiny random Llama on two CPU cores: sign in, register the base
// model, upload a broken and a good dataset, walk the wizard, watch the job train, open the
// adapter, compare it with its base in the playground, visit every settings tab, switch language
// and theme, sign out. Every page is screenshotted and scanned with axe-core in light and dark.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { formatFindings } from './axe';
import {
  current,
  expectHttpError,
  scanBothThemes,
  scans,
  settle,
  shot,
  startHarness,
  step,
  stopHarness,
  themeOf,
  toggleTheme,
} from './harness';
import { TINY_MODEL_NAME, WEB_ROOT } from './server';

const PASSWORD = 'e2e-flow-passphrase-42';
const DATASET = 'Pirate chat';
const JOB = 'pirate-e2e';
const GOAL = 'Answer every question like a cheerful pirate';
/** Training is seconds of work, but the child process imports torch first; leave room. */
const TRAINING_TIMEOUT_MS = 120_000;

/** Mean of the page header's background RGB channels (0 black .. 255 white). */
async function headerBrightness(): Promise<number> {
  const color = await current().page.locator('.ant-layout-header').evaluate((header) => getComputedStyle(header).backgroundColor);
  const rgb = (color.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number);
  return rgb.reduce((a, b) => a + b, 0) / 3;
}

function nav(name: string | RegExp): Locator {
  return current().page.getByRole('navigation').getByRole('menuitem', { name });
}

function heading(name: string | RegExp, level = 3): Locator {
  return current().page.getByRole('heading', { name, level });
}

/** The visible (open) antd dialog or drawer. */
function dialog(): Locator {
  return current().page.getByRole('dialog').filter({ visible: true });
}

/** Close the open dialog or drawer with its close (×) button, and wait until it is gone. */
async function closeOverlay() {
  const overlay = dialog();
  await overlay.getByRole('button', { name: 'Close', exact: true }).click();
  await overlay.waitFor({ state: 'detached' });
}

/** Pick `option` in an antd Select: its popup list is what a user sees and clicks. */
async function choose(select: Locator, option: string | RegExp) {
  const { page } = current();
  // Click the select's box: the combobox input inside a non-search select is a zero-opacity
  // sliver that Playwright never finds stable.
  await select.locator('xpath=ancestor::*[contains(concat(" ", normalize-space(@class), " "), " ant-select ")][1]').click();
  const popup = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  await popup.locator('.ant-select-item-option').filter({ hasText: option }).first().click();
  await popup.waitFor({ state: 'hidden' });
}

/** A number as text, e.g. in a statistic: "5.977", "0.0003". */
const NUMBER = /^-?\d+(\.\d+)?(e-?\d+)?$/;

const CJK = /[\u3400-\u9fff]/;
/** What may stay in Latin letters in Chinese text: setting names and other identifiers
 * (train.epochs, q_proj, model.safetensors), numbers, units, technical and model names. */
const CODE_LIKE = new RegExp(
  [
    String.raw`[\w-]+(?:\.[\w-]+)+`,
    String.raw`\w*_\w*`,
    String.raw`\d[\d.,:/e-]*`,
    String.raw`\b(?:GiB|MiB|KiB|GB|MB|ms|min|s|h|LoRA|QLoRA|DoRA|rsLoRA|GGUF|CF|KL|SFT|DPO|ORPO|SimPO|KTO|ChatML|CPU|GPU|CUDA|bf16|fp16|fp32|true|false|auto|cpu|cuda|cosine|linear|AdamW|SIGTERM|SIGKILL|L1|L2|L3)\b`,
    [TINY_MODEL_NAME, JOB].map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
  ].join('|'),
  'g',
);

/** Texts that hold no Chinese yet Latin words beyond identifiers, numbers and names: English left untranslated. */
function latinOnly(texts: string[]): string[] {
  return texts.filter((text) => !CJK.test(text) && /[A-Za-z]{2,}/.test(text.replace(CODE_LIKE, ' ')));
}

/** The Why column of a plan table, one text per setting row. */
async function planReasons(table: Locator): Promise<string[]> {
  return table.locator('tbody tr.ant-table-row').evaluateAll((rows) => rows.map((row) => (row.querySelectorAll('td')[2]?.textContent ?? '').trim()));
}

let jobUrl = '';

beforeAll(async () => {
  await startHarness(PASSWORD);
}, 120_000);

afterAll(async () => {
  await stopHarness();
});

describe('EasyTune in a real browser', () => {
  step('is served in chunks of at most 500 kB, ECharts (lazy, 540 kB) aside', () => {
    const assets = join(WEB_ROOT, 'dist', 'assets');
    const sizes = readdirSync(assets)
      .filter((name) => name.endsWith('.js'))
      .map((name) => ({ name, kB: statSync(join(assets, name)).size / 1000 }));
    expect(sizes.filter((chunk) => chunk.kB > 500 && !chunk.name.startsWith('echarts-'))).toEqual([]);
    expect(Math.max(...sizes.map((chunk) => chunk.kB))).toBeLessThan(560);
    expect(sizes.some((chunk) => chunk.name.startsWith('PlaygroundPage-'))).toBe(true); // a page of its own
  });

  step('signs in', async () => {
    const { page, server } = current();
    const first = await page.goto(`${server.url}/`);
    // The strict policy really applies (scripts from this origin only), and nothing it blocks is
    // needed: a violation would be a console error, and those fail the run.
    expect(first?.headers()['content-security-policy']).toContain("script-src 'self';");
    await page.waitForURL(/\/login$/); // from / no ?next= is needed
    await heading('Sign in to EasyTune').waitFor();
    await shot('login');
    await scanBothThemes('login');

    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await heading('Dashboard').waitFor();
    expect(await headerBrightness()).toBeGreaterThan(200);
    await shot('dashboard-empty');
    await scanBothThemes('dashboard (empty)');
  });

  step('registers the tiny base model on the models page (admin)', async () => {
    const { page, server } = current();
    await nav('Models').click();
    await heading('Models').waitFor();
    await page.getByRole('button', { name: 'Register base model' }).first().click();
    const modal = dialog();
    await modal.getByText('Register a base model').waitFor();
    await modal.getByLabel('Server path').fill(server.files.tinyModel);
    await modal.getByLabel('Name').fill(TINY_MODEL_NAME);
    await shot('models-register');
    await scanBothThemes('models: register dialog');
    await modal.getByRole('button', { name: 'Register' }).click();
    // The new model opens in the drawer with the facts read from its config.
    const drawer = dialog();
    await drawer.getByText(`${TINY_MODEL_NAME} v1`).first().waitFor();
    await drawer.getByText('llama', { exact: true }).waitFor();
    await settle();
    await shot('models-base-model');
    await scanBothThemes('models: base model drawer');
    await closeOverlay();
  });

  step('refuses the broken dataset line by line, then stores the good one with its statistics', async () => {
    const { page, server } = current();
    await nav('Datasets').click();
    await heading('Datasets').waitFor();
    await shot('datasets-empty');
    await scanBothThemes('datasets (empty)');

    await page.getByRole('button', { name: 'Upload dataset' }).first().click();
    const modal = dialog();
    await modal.getByText('Upload a dataset').waitFor();
    await modal.locator('input[type=file]').setInputFiles(server.files.badDataset);
    await expect.poll(() => modal.getByLabel('Name').inputValue()).toBe('broken-chat'); // named after the file
    expectHttpError(422, 'POST', '/api/v1/datasets');
    await modal.getByRole('button', { name: 'Upload and check' }).click();
    const problems = modal.getByRole('table', { name: 'Problems in the file' });
    await problems.waitFor();
    await modal.getByText('The file was refused: 2 problems. Nothing was stored.').waitFor();
    const rows = problems.getByRole('row');
    await expect.poll(() => rows.count()).toBe(3); // header + lines 3 and 5
    await expect.poll(() => rows.nth(1).innerText()).toMatch(/^line 3\b[\s\S]*messages/);
    await expect.poll(() => rows.nth(2).innerText()).toMatch(/^line 5\b[\s\S]*invalid JSON/);
    await settle();
    await shot('datasets-upload-refused');
    await scanBothThemes('datasets: refused upload');

    await modal.locator('input[type=file]').setInputFiles(server.files.goodDataset);
    await problems.waitFor({ state: 'detached' }); // a new file clears the old problems
    await modal.getByLabel('Name').fill(DATASET);
    await modal.getByRole('button', { name: 'Upload and check' }).click();

    // Stored: the dialog closes and the dataset opens with its token statistics and preview.
    const drawer = dialog();
    await drawer.getByRole('heading', { name: 'Token statistics' }).waitFor();
    await expect.poll(() => drawer.locator('.ant-statistic').filter({ hasText: 'Examples' }).locator('.ant-statistic-content').innerText()).toBe('32');
    await drawer.getByText(/English\s+75\s*%/).waitFor();
    await drawer.getByText(/Chinese\s+25\s*%/).waitFor();
    // 32 examples: too few to teach much, and the drawer says what the plan does about it.
    await drawer.getByText(/^Only 32 examples, with answers of about \d+(\.\d+)? tokens: too little to teach much\.$/).waitFor();
    await drawer.getByText(/a small batch and more epochs/).waitFor();
    await drawer.getByRole('heading', { name: 'Examples as training sees them' }).waitFor();
    await drawer.getByText('What is the weather like today?').first().waitFor();
    await settle();
    await shot('datasets-detail');
    await scanBothThemes('datasets: detail drawer');
    await closeOverlay();
    await page.getByRole('table', { name: 'Datasets' }).getByRole('row', { name: new RegExp(DATASET) }).waitFor();
    await shot('datasets-list');
    await scanBothThemes('datasets: list');
  });

  step('walks the four-step wizard and launches the job', async () => {
    const { page } = current();
    await nav('New job').click();
    await heading('New fine-tuning job').waitFor();

    // 1. Base model: the only one is chosen already.
    await expect.poll(() => page.getByRole('radio', { name: TINY_MODEL_NAME }).isChecked()).toBe(true);
    await shot('wizard-1-model');
    await scanBothThemes('wizard step 1 (model)');
    await page.getByRole('button', { name: 'Next' }).click();

    // 2. Dataset: the only one (the broken file was never stored) is chosen already.
    await page.locator('.ant-select-selection-item').filter({ hasText: new RegExp(`^${DATASET} — `) }).waitFor();
    await page.getByRole('heading', { name: 'Token statistics' }).waitFor();
    await settle();
    await shot('wizard-2-dataset');
    await scanBothThemes('wizard step 2 (dataset)');
    await page.getByRole('button', { name: 'Next' }).click();

    // 3. Intent: level card, goal, an expert override, and the plan with a reason per setting.
    await page.getByRole('radio', { name: /^L1 · Style and format/ }).click();
    await page.getByLabel('Goal').fill(GOAL);
    await page.getByRole('button', { name: /Expert overrides/ }).click();
    await page.getByRole('button', { name: 'Add override' }).click();
    // The setting is typed, then picked from the plan's settings the field suggests.
    await page.getByRole('combobox', { name: 'Setting of override 1' }).pressSequentially('train.ep');
    const suggestions = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
    await suggestions.locator('.ant-select-item-option').filter({ hasText: /^train\.epochs$/ }).click();
    await suggestions.waitFor({ state: 'hidden' });
    await page.getByLabel('Value of train.epochs').fill('3');
    // A forgetting threshold any trained adapter passes: the job page must then pin its warning.
    await expect.poll(() => page.locator('[aria-busy="true"]').count(), { timeout: 20_000 }).toBe(0); // first re-plan done
    await page.getByRole('button', { name: 'Add override' }).click();
    await page.getByRole('combobox', { name: 'Setting of override 2' }).pressSequentially('cf.warn_thr');
    await suggestions.locator('.ant-select-item-option').filter({ hasText: /^cf\.warn_threshold$/ }).click();
    await suggestions.waitFor({ state: 'hidden' });
    await page.getByLabel('Value of cf.warn_threshold').fill('0.000001');
    const settings = page.getByRole('table', { name: 'Planned settings' });
    await page.getByText('Level: L1 · Style and format').waitFor();
    const epochs = settings.getByRole('row').filter({ has: page.getByText('train.epochs', { exact: true }) });
    await epochs.getByText('your value').waitFor();
    await expect.poll(() => page.locator('[aria-busy="true"]').count(), { timeout: 20_000 }).toBe(0); // re-planned
    await expect.poll(() => epochs.getByRole('cell').nth(1).innerText()).toBe('3');
    await settings.getByRole('row').filter({ hasText: 'lora.r' }).getByText(/L1 \(style \/ format\) uses rank 4-8/).waitFor();
    await settings.getByRole('row').filter({ hasText: 'lora.target_modules' }).getByText(/attention q\/k\/v projections/).waitFor();
    // The few settings a person decides on are named in words; the other settings are folded.
    for (const name of ['Level', 'What is adapted', 'Rank', 'Epochs', 'Learning rate', 'Forgetting guard: warn above']) {
      await settings.getByRole('row').filter({ has: page.getByText(name, { exact: true }) }).waitFor();
    }
    expect(await page.getByRole('table', { name: 'Other planned settings' }).isVisible()).toBe(false);
    await page.getByText(/^Fits: needs about [\d.]+ GiB of [\d.]+ GiB$/).waitFor();
    await settle();
    await shot('wizard-3-intent-plan');
    await scanBothThemes('wizard step 3 (intent and plan)');
    await page.getByRole('button', { name: /All other settings/ }).click();
    const rest = page.getByRole('table', { name: 'Other planned settings' });
    await rest.waitFor();
    // Setting names wrap after a dot only: each one's box is no taller than one line of code.
    const tallest = await rest.locator('code').evaluateAll((codes) =>
      Math.max(...codes.map((code) => code.getBoundingClientRect().height / parseFloat(getComputedStyle(code).lineHeight))),
    );
    expect(tallest).toBeLessThan(2.5); // a wrap after a dot may make two lines; never a broken word
    await page.getByRole('button', { name: 'Next' }).click();

    // 4. Review and launch
    await page.getByText('Summary').waitFor();
    await page.getByText(GOAL).waitFor();
    await page.getByLabel('Job name').fill(JOB);
    await settle();
    await shot('wizard-4-review');
    await scanBothThemes('wizard step 4 (review)');
    await page.getByRole('button', { name: 'Launch job' }).click();
    await page.waitForURL(/\/jobs\/\d+$/);
    jobUrl = page.url();
  });

  step(
    'shows the job running, then succeeded, with the charts filled in',
    async () => {
      const { page } = current();
      await heading(JOB).waitFor();
      const status = page.locator('[data-status]').first();
      // Queued for at most a poll of the worker (0.2 s), then running while the child trains.
      await page.locator('[data-status="running"]').first().waitFor({ timeout: 60_000 });
      // Once the events say a worker started it, the badge never says Queued.
      const events = page.getByRole('region', { name: 'Event list' });
      await events.getByText('attempt 1 started').waitFor();
      expect(await page.locator('[data-status]').first().getAttribute('data-status')).not.toBe('queued');
      await shot('job-detail-running');
      await page.locator('[data-status="succeeded"]').first().waitFor({ timeout: TRAINING_TIMEOUT_MS });
      expect(await status.innerText()).toBe('Succeeded');

      const latestLoss = page.getByRole('group', { name: 'Latest loss' }).locator('.ant-statistic-content');
      await expect.poll(() => latestLoss.innerText()).toMatch(NUMBER);
      const evalLoss = page.getByRole('group', { name: 'Latest eval loss' }).locator('.ant-statistic-content');
      await expect.poll(() => evalLoss.innerText()).toMatch(NUMBER);
      for (const chart of ['Loss', 'Forgetting (CF score)', 'Learning rate', 'Throughput (tokens per second)']) {
        const figure = page.getByRole('img', { name: new RegExp(`^${escape(chart)} chart, \\d+ points$`) });
        // ECharts draws into an <svg> (the job pages use its SVG renderer) or a <canvas>.
        await figure.locator('svg, canvas').first().waitFor();
        const points = Number(/(\d+) points$/.exec((await figure.getAttribute('aria-label')) ?? '')?.[1]);
        expect(points, `${chart} chart points`).toBeGreaterThan(0);
      }
      await page.getByRole('button', { name: 'Open the adapter' }).waitFor();
      // The forgetting warning stays pinned above the events, whatever else they hold.
      await page.getByRole('region', { name: 'Warnings and errors' }).getByText(/^forgetting: CF score [\d.]+ is over the warning threshold/).waitFor();
      await page.getByRole('group', { name: 'CF score' }).getByText('above the warning threshold').waitFor();
      const explained = page.getByRole('region', { name: 'What the forgetting score means' });
      await explained.getByText(/^The forgetting \(CF\) score compares this model with its base model/).waitFor();
      await explained.getByText(/^What to change:/).waitFor();
      await events.getByText(/^\d+ checkpoints? saved$/).first().waitFor(); // routine events folded
      await settle();
      await shot('job-detail-succeeded');
      await scanBothThemes('job detail (succeeded)');

      // Its dataset link opens that dataset on the datasets page.
      await page.getByRole('link', { name: DATASET }).first().click();
      await page.waitForURL(/\/datasets\?selected=ds_/);
      await dialog().getByRole('heading', { name: 'Token statistics' }).waitFor();
      await closeOverlay();
    },
    { timeoutMs: TRAINING_TIMEOUT_MS + 60_000 },
  );

  step('lists the job and counts it on the dashboard', async () => {
    const { page } = current();
    await nav('Jobs').click();
    await heading('Jobs').waitFor();
    const row = page.getByRole('table', { name: 'Jobs' }).getByRole('row', { name: new RegExp(JOB) });
    await row.locator('[data-status="succeeded"]').waitFor();
    await shot('jobs-list');
    await scanBothThemes('jobs list');

    await nav('Dashboard').click();
    await heading('Dashboard').waitFor();
    await page.getByText(JOB).first().waitFor();
    await settle();
    await shot('dashboard');
    await scanBothThemes('dashboard');
  });

  step('opens the adapter with its lineage on the models page', async () => {
    const { page } = current();
    await page.goto(jobUrl);
    await page.getByRole('button', { name: 'Open the adapter' }).click();
    await page.waitForURL(/\/models\?selected=/);
    const drawer = dialog();
    await drawer.getByText(`${JOB} v1`).first().waitFor();
    const lineage = drawer.getByRole('region', { name: 'Lineage' });
    await lineage.getByRole('link', { name: `${TINY_MODEL_NAME} v1` }).waitFor();
    await lineage.getByText(DATASET).waitFor();
    await lineage.getByRole('link', { name: /^Job #\d+$/ }).waitFor();
    await drawer.getByRole('region', { name: 'What the forgetting score means' }).getByText(/^What to change:/).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), drawer.getByRole('button', { name: /Download zip/ }).click()]);
    expect(download.suggestedFilename()).toBe(`${JOB}-v1.zip`); // the server's safe ASCII name
    await settle();
    await shot('models-adapter-lineage');
    await scanBothThemes('models: adapter drawer');
    await closeOverlay();
    await page.getByRole('table', { name: 'Adapters' }).getByRole('row', { name: new RegExp(JOB) }).waitFor();
    await shot('models-adapters');
    await scanBothThemes('models: adapters list');
  });

  step('streams the fine-tuned and the base answer side by side in the playground', async () => {
    const { page } = current();
    await nav('Playground').click();
    await heading('Playground').waitFor();
    await choose(page.getByRole('combobox', { name: 'Model' }), `${JOB} v1`);
    await page.getByLabel('Max new tokens').fill('24');
    await page.getByLabel('Message').fill('What is the weather like today?');
    await page.getByRole('button', { name: 'Generate' }).click();
    const tuned = page.getByRole('region', { name: 'Fine-tuned answer' });
    const base = page.getByRole('region', { name: 'Base model answer' });
    const ended = /^(Done|Stopped at the length limit)$/;
    await tuned.getByText(ended).waitFor({ timeout: 30_000 });
    await base.getByText(ended).waitFor({ timeout: 30_000 });
    await tuned.getByText(`Fine-tuned · ${JOB} v1`).waitFor();
    await base.getByText(`Base model · ${TINY_MODEL_NAME} v1`).waitFor();
    for (const side of [tuned, base]) {
      // A finished answer is rendered Markdown (.et-markdown); the raw text view is a paragraph.
      expect((await side.locator('.et-markdown').innerText()).trim().length, 'answer text').toBeGreaterThan(0);
    }
    // Answers are rendered as Markdown (no HTML from the model); the raw text is a click away.
    await page.getByRole('checkbox', { name: 'Show raw text' }).check();
    await expect.poll(() => tuned.locator('.et-markdown').count()).toBe(0);
    expect((await tuned.locator('.ant-typography').first().innerText()).trim().length, 'raw text').toBeGreaterThan(0);
    await page.getByRole('checkbox', { name: 'Show raw text' }).uncheck();
    await tuned.locator('.et-markdown').waitFor();
    await settle();
    await shot('playground');
    await scanBothThemes('playground (answered)');

    // Two new tokens cannot finish an answer: both sides say the length limit stopped them.
    await page.getByLabel('Max new tokens').fill('2');
    await page.getByRole('button', { name: 'Generate' }).click();
    for (const side of [tuned, base]) {
      await side.getByText('Stopped at the length limit', { exact: true }).waitFor({ timeout: 30_000 });
      await side.getByText(/^Stopped at the length limit: the answer reached Max new tokens/).waitFor();
    }
    await settle();
    await shot('playground-length-limit');
    await scanBothThemes('playground (cut at the length limit)');
  });

  step('shows every settings tab, creates an API token that works and a user', async () => {
    const { page, server } = current();
    await nav('Settings').click();
    await heading('Settings').waitFor();
    const tab = async (name: string, ready: () => Promise<void>) => {
      await page.getByRole('tab', { name }).click();
      await ready();
      await settle();
      await shot(`settings-${name.toLowerCase().replace(/\s+/g, '-')}`);
      await scanBothThemes(`settings ${name}`);
    };
    await tab('Profile', () => page.getByText('Member since').waitFor());
    await tab('Password', () => page.getByLabel('Current password').waitFor());

    await tab('API tokens', () => page.getByRole('table', { name: 'Your API tokens' }).waitFor());
    await page.getByRole('button', { name: 'New token' }).click();
    let modal = dialog();
    await modal.getByLabel('Name').fill('e2e-ci');
    await modal.getByRole('button', { name: 'Create' }).click();
    const secret = modal.getByRole('textbox', { name: 'New API token' });
    await secret.waitFor();
    await modal.getByText('Copy this token now').waitFor();
    await settle();
    await shot('settings-api-token-created');
    await scanBothThemes('settings: new API token dialog');
    // The secret shown once really is a bearer token for this account.
    const me = await fetch(`${server.url}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${await secret.inputValue()}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { username: string }).username).toBe('admin');
    await modal.getByRole('button', { name: 'I have copied it' }).click();
    await modal.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Your API tokens' }).getByRole('row', { name: /e2e-ci/ }).getByText('Active').waitFor();

    await tab('Users', () => page.getByRole('row', { name: /admin/ }).waitFor());
    await page.getByRole('button', { name: 'New user' }).click();
    modal = dialog();
    await modal.getByLabel('Username').fill('viewer-e2e');
    await modal.getByLabel('Initial password').fill('glass-harbour-lantern-42');
    await choose(modal.getByRole('combobox', { name: 'Role' }), 'Viewer');
    await settle();
    await shot('settings-users-create');
    await scanBothThemes('settings: new user dialog');
    await modal.getByRole('button', { name: 'Create' }).click();
    await modal.waitFor({ state: 'detached' });
    await page.getByRole('row', { name: /viewer-e2e/ }).waitFor();

    await tab('Audit log', () => page.getByRole('table').getByRole('row').filter({ hasText: 'viewer-e2e' }).first().waitFor());
  });

  step(
    'switches to 中文 and dark mode, every plan reason and job event in Chinese, and back',
    async () => {
    const { page } = current();
    await page.getByText('中文', { exact: true }).click();
    await heading('设置').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await toggleTheme();
    expect(await themeOf()).toBe('dark');
    await expect.poll(headerBrightness).toBeLessThan(60);
    await page.getByRole('tab', { name: '用户' }).click();
    await page.getByText('20 条/页').waitFor(); // antd's own strings follow the language too
    await shot('settings-users-zh-dark');

    // Every plan row's reason reads in Chinese: no reason is English left untranslated.
    await nav('新建任务').click();
    await heading('新建微调任务').waitFor();
    await expect.poll(() => page.getByRole('radio', { name: TINY_MODEL_NAME }).isChecked(), { timeout: 20_000 }).toBe(true);
    await page.getByRole('button', { name: '下一步' }).click();
    await page.locator('.ant-select-selection-item').filter({ hasText: new RegExp(`^${DATASET} — `) }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: '下一步' }).isEnabled(), { timeout: 20_000 }).toBe(true);
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByRole('radio', { name: /^L1 · 风格与格式/ }).click();
    const planned = page.getByRole('table', { name: '计划设置', exact: true });
    await planned.waitFor();
    await expect.poll(() => page.locator('[aria-busy="true"]').count(), { timeout: 20_000 }).toBe(0);
    await page.getByRole('button', { name: /其他全部设置/ }).click();
    const others = page.getByRole('table', { name: '其他计划设置', exact: true });
    await others.waitFor();
    const reasons = [...(await planReasons(planned)), ...(await planReasons(others))];
    expect(reasons.length, 'plan rows').toBeGreaterThan(25);
    expect(reasons.filter((reason) => !CJK.test(reason)), 'plan reasons without Chinese').toEqual([]);
    expect(latinOnly(reasons), 'plan reasons left in English').toEqual([]);
    await settle();
    await shot('wizard-3-plan-zh-dark');
    await page.goto(jobUrl); // a chart page in dark mode and Chinese, from a fresh load
    await page.getByRole('group', { name: '最新损失' }).waitFor();
    await page.locator('[data-status="succeeded"]').first().waitFor();
    await settle();
    await shot('job-detail-zh-dark');
    expect(await themeOf()).toBe('dark'); // remembered across the reload
    // The job's events (the pinned warnings, and every routine one unfolded) read in Chinese too.
    await page.getByRole('region', { name: '警告和错误' }).getByText(/^遗忘：遗忘分数 [\d.]+ 超过了警告阈值/).waitFor();
    const eventList = page.getByRole('region', { name: '事件列表' });
    await eventList.getByText('第 1 次尝试已开始').waitFor();
    // An unfolded group's button turns into 收起, so unfold the first folded group until none is left.
    const folded = eventList.getByRole('button', { name: '展开' });
    for (let left = await folded.count(); left > 0; left -= 1) {
      await folded.first().click();
      await expect.poll(() => folded.count()).toBe(left - 1);
    }
    const eventTexts = await page
      .locator('section[aria-label="警告和错误"] .ant-alert-message, [role="region"][aria-label="事件列表"] .ant-typography')
      .evaluateAll((nodes) => nodes.map((node) => (node.textContent ?? '').trim()).filter((text) => text.length > 0));
    expect(eventTexts.length, 'event lines').toBeGreaterThan(5);
    expect(latinOnly(eventTexts), `events left in English: ${JSON.stringify(latinOnly(eventTexts))}`).toEqual([]);

    await page.getByText('EN', { exact: true }).click();
    await heading(JOB).waitFor();
    await page.getByRole('group', { name: 'Latest loss' }).waitFor();
    await toggleTheme();
    expect(await themeOf()).toBe('light');
    await expect.poll(headerBrightness).toBeGreaterThan(200);
    },
    { timeoutMs: 120_000 },
  );

  step('signs out', async () => {
    const { page } = current();
    await page.getByRole('button', { name: /^Account / }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await shot('logged-out');
    // The session really ended: a reload does not resume it.
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  step(
    'met no console error, failed request or uncaught exception',
    () => {
      const { problems, server } = current();
      expect(problems, `browser problems; server log tail:\n${server.tail()}`).toEqual([]);
    },
    { always: true },
  );

  step(
    'has no serious or critical accessibility violation (axe-core, light and dark)',
    () => {
      const { findings } = current();
      console.info(`axe-core: ${scans.count} page states, both themes, ${scans.seconds.toFixed(1)} s`);
      expect(findings.length, `axe-core found:\n${formatFindings(findings)}`).toBe(0);
    },
    { always: true },
  );
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
