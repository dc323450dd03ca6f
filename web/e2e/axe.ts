// axe-core accessibility scans of the live page, in the real browser.
//
// How axe gets into the page: the app is served with a strict CSP (`script-src 'self'`), so a
// <script> tag with axe's source (page.addScriptTag) would be blocked. Instead axe's source is run
// with page.evaluate: that goes through the DevTools protocol (Runtime.evaluate), which the page's
// CSP does not govern, and axe itself needs no eval. We deliberately do NOT open the context with
// bypassCSP: the whole flow runs under the policy users get, so a CSP violation by the app still
// shows up as a console error and fails the test.
import axeCore from 'axe-core';
import type { Page } from 'playwright-core';

/** Impacts that fail the run; minor and moderate findings are left to review. */
const FAILING = new Set(['serious', 'critical']);

export interface A11yFinding {
  where: string;
  rule: string;
  impact: string;
  help: string;
  helpUrl: string;
  targets: string[];
  /** Per node: the start of its HTML and axe's summary of what is wrong (e.g. the ratio). */
  details: string[];
}

interface AxeWindow {
  axe?: typeof axeCore;
}

/** The rules whose outcome depends on colours: all that a theme switch can change. */
export const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

/**
 * Serious and critical axe violations of what the page shows now (`where` labels the report):
 * every rule axe runs by default, or only `rules`.
 */
export async function scanA11y(page: Page, where: string, rules?: string[]): Promise<A11yFinding[]> {
  const loaded = await page.evaluate(() => typeof (window as AxeWindow).axe !== 'undefined');
  if (!loaded) await page.evaluate(axeCore.source);
  const violations = await page.evaluate(async (only) => {
    const axe = (window as AxeWindow).axe as typeof axeCore;
    const options: axeCore.RunOptions = { resultTypes: ['violations'] };
    if (only) options.runOnly = { type: 'rule', values: only };
    const results = await axe.run(document, options);
    return results.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      helpUrl: v.helpUrl,
      targets: v.nodes.map((node) => node.target.map(String).join(' >> ')),
      details: v.nodes.map((node) => `${node.html.slice(0, 140)} | ${(node.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 220)}`),
    }));
  }, rules);
  return violations.filter((v) => FAILING.has(v.impact)).map((v) => ({ where, ...v }));
}

/** One line per finding: where, rule id, impact, help, then the selectors of the failing nodes. */
export function formatFindings(findings: A11yFinding[]): string {
  return findings
    .map(
      (f) =>
        `[${f.where}] ${f.rule} (${f.impact}): ${f.help}\n    ${f.helpUrl}\n` +
        f.targets
          .slice(0, 8)
          .map((t, i) => `    - ${t}\n        ${f.details[i] ?? ''}`)
          .join('\n') +
        (f.targets.length > 8 ? `\n    ... and ${f.targets.length - 8} more` : ''),
    )
    .join('\n');
}
