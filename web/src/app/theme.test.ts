import { theme } from 'antd';
import { describe, expect, it } from 'vitest';
import { themeConfig } from './theme';

type Rgba = [number, number, number, number];

function parse(color: string): Rgba {
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(color);
  if (short) return parse(`#${short.slice(1).map((c) => c + c).join('')}`);
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (hex?.[1]) {
    const value = hex[1];
    return [0, 2, 4].map((i) => parseInt(value.slice(i, i + 2), 16)).concat(1) as Rgba;
  }
  const rgba = /^rgba?\(([^)]+)\)$/.exec(color.replace(/\s/g, ''));
  if (rgba?.[1]) {
    const [r = 0, g = 0, b = 0, a = 1] = rgba[1].split(',').map(Number);
    return [r, g, b, a];
  }
  throw new Error(`cannot parse colour ${color}`);
}

function luminance([r, g, b]: Rgba): number {
  const linear = [r, g, b].map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (linear[0] ?? 0) + 0.7152 * (linear[1] ?? 0) + 0.0722 * (linear[2] ?? 0);
}

/** WCAG contrast of `text` (possibly translucent) over an opaque `background`. */
function contrast(text: string, background: string): number {
  const [r, g, b, a] = parse(text);
  const bg = parse(background);
  const blended: Rgba = [r * a + bg[0] * (1 - a), g * a + bg[1] * (1 - a), b * a + bg[2] * (1 - a), 1];
  const [hi, lo] = [luminance(blended), luminance(bg)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const AA = 4.5;
const PRESETS = ['blue', 'purple', 'cyan', 'green', 'magenta', 'pink', 'red', 'orange', 'yellow', 'volcano', 'geekblue', 'gold', 'lime'] as const;

describe('the antd themes meet WCAG AA text contrast', () => {
  for (const mode of ['light', 'dark'] as const) {
    const config = themeConfig(mode);
    const token = theme.getDesignToken(config);
    const backgrounds = [token.colorBgContainer, token.colorBgLayout, token.colorBgElevated];

    it(`${mode}: white text on primary buttons, hovered and pressed too`, () => {
      for (const fill of [token.colorPrimary, token.colorPrimaryHover, token.colorPrimaryActive]) {
        expect(contrast(token.colorTextLightSolid, fill), `on ${fill}`).toBeGreaterThanOrEqual(AA);
      }
    });

    it(`${mode}: the text of primary danger buttons`, () => {
      const text = config.components?.Button?.dangerColor ?? token.colorTextLightSolid;
      for (const fill of [token.colorError, token.colorErrorHover, token.colorErrorActive]) {
        expect(contrast(text, fill), `on ${fill}`).toBeGreaterThanOrEqual(AA);
      }
    });

    it(`${mode}: secondary text, links and error text on every background`, () => {
      for (const bg of backgrounds) {
        expect(contrast(token.colorTextDescription, bg), `description on ${bg}`).toBeGreaterThanOrEqual(AA);
        expect(contrast(token.colorTextTertiary, bg), `tertiary on ${bg}`).toBeGreaterThanOrEqual(AA);
        expect(contrast(token.colorLink, bg), `link on ${bg}`).toBeGreaterThanOrEqual(AA);
        expect(contrast(token.colorLinkHover, bg), `hovered link on ${bg}`).toBeGreaterThanOrEqual(AA);
        expect(contrast(token.colorError, bg), `error on ${bg}`).toBeGreaterThanOrEqual(AA);
      }
    });

    it(`${mode}: status tags (success, processing, warning, error) on their backgrounds`, () => {
      for (const status of ['Success', 'Info', 'Warning', 'Error'] as const) {
        const text = token[`color${status}`];
        const bg = token[`color${status}Bg`];
        expect(contrast(text, bg), `${status} on ${bg}`).toBeGreaterThanOrEqual(AA);
      }
    });

    it(`${mode}: preset tag colours (<Tag color="green">)`, () => {
      for (const preset of PRESETS) {
        const text = token[`${preset}7`];
        const bg = token[`${preset}1`];
        expect(contrast(text, bg), `${preset}: ${text} on ${bg}`).toBeGreaterThanOrEqual(AA);
      }
    });

    it(`${mode}: the selected menu item, the active tab and the current page number`, () => {
      const menu = config.components?.Menu?.itemSelectedColor ?? token.colorPrimary;
      expect(contrast(menu, token.colorPrimaryBg)).toBeGreaterThanOrEqual(AA);
      const tab = config.components?.Tabs?.itemSelectedColor ?? token.colorPrimary;
      const page = config.components?.Pagination?.itemActiveColor ?? token.colorPrimary;
      for (const bg of backgrounds) {
        expect(contrast(tab, bg), `tab on ${bg}`).toBeGreaterThanOrEqual(AA);
        expect(contrast(page, bg), `page number on ${bg}`).toBeGreaterThanOrEqual(AA);
      }
    });
  }
});
