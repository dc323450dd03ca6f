import { theme, type ThemeConfig } from 'antd';
import type { ThemeMode } from '../features/preferences/storage';

// antd's stock palettes miss WCAG AA contrast (4.5:1 for text) in places every page shows, which
// the axe-core scan of the browser tests reports as serious. What changes, and why:
// - light primary: #1677ff gives 4.1:1 both as text on white (links, the active tab, the
//   selected menu item) and behind white text (primary buttons); blue-7 #0958d9 gives 6.2:1.
// - dark primary: the derived #1668dc is fine behind white text (5.2:1) but 3.6:1 as text on the
//   dark background, so the text uses of the accent (links, tabs, the selected menu item, the
//   current page number) get a lighter blue; buttons keep the primary.
// - status colours, as text (status tags, form errors, danger buttons): light success #52c41a,
//   warning #faad14, info #1677ff and error #ff4d4f give 1.8-3.7:1 on their pale backgrounds;
//   the -8 shades (-7 for red and blue) give 4.8-5.5:1, with the pale backgrounds kept. In dark,
//   info and error are lighter; the primary danger button gets dark text (its red is light).
// - preset tag colours (<Tag color="green">) print the palette's 7th shade on its 1st: several
//   are 2-3.4:1 in light (cyan, green, orange, volcano, yellow, gold, lime) and purple and
//   geekblue are in dark; those text shades move one or two steps darker (lighter in dark).
// - hover states: antd lightens the primary on hover, under white text that falls to 4.2:1
//   (light) and 3.5:1 (dark); here hover darkens instead.
// - secondary text (Typography type="secondary", descriptions, hints) is 45% opaque, 3.4:1 on
//   white and 4.4:1 on the dark layout; 57% gives 4.9:1 and 6.4:1.
// src/app/theme.test.ts recomputes these ratios from the resolved tokens.

const LIGHT_PRIMARY = '#0958d9';
const DARK_ACCENT_TEXT = '#4096ff'; // 6.2:1 on #141414, 7.0:1 on black
const DARK_SELECTED_MENU_TEXT = '#69b1ff'; // 5.7:1 on the selected item's dark blue

const LIGHT: ThemeConfig = {
  algorithm: theme.defaultAlgorithm,
  token: {
    colorPrimary: LIGHT_PRIMARY,
    colorPrimaryHover: '#0a4fc4', // hover darkens (antd lightens, to 4.2:1 under white text)
    colorLink: LIGHT_PRIMARY,
    colorLinkHover: '#003eb3',
    colorInfo: LIGHT_PRIMARY,
    colorError: '#cf1322',
    // A darker seed would also darken the derived pale backgrounds: those stay antd's.
    colorSuccess: '#237804',
    colorSuccessBg: '#f6ffed',
    colorSuccessBorder: '#b7eb8f',
    colorWarning: '#ad4e00',
    colorWarningBg: '#fffbe6',
    colorWarningBorder: '#ffe58f',
    colorTextTertiary: 'rgba(0, 0, 0, 0.57)',
    colorTextDescription: 'rgba(0, 0, 0, 0.57)',
    // Preset tag text (the palette's 7th shade) one or two shades darker.
    cyan7: '#006d75',
    green7: '#237804',
    orange7: '#ad4e00',
    volcano7: '#ad2102',
    yellow7: '#876800',
    gold7: '#874d00',
    lime7: '#3f6600',
  },
};

const DARK: ThemeConfig = {
  algorithm: theme.darkAlgorithm,
  token: {
    colorPrimaryHover: '#1554ad', // hover darkens: white text 7.2:1 (antd's lighter hover: 3.5:1)
    colorLink: '#69b1ff', // a seed: the dark algorithm turns it into #5c99dc (5.4:1 on #1f1f1f)
    colorLinkHover: '#91caff',
    colorLinkActive: '#69b1ff',
    colorInfo: '#69b1ff', // a seed, as colorLink
    colorError: '#ff8a8a', // a seed: the dark algorithm turns it into #dc7878
    colorTextTertiary: 'rgba(255, 255, 255, 0.57)',
    colorTextDescription: 'rgba(255, 255, 255, 0.57)',
    purple7: '#ab7ae0',
    geekblue7: '#7f9ef3',
  },
  components: {
    Button: { dangerColor: '#000000' },
    Menu: { itemSelectedColor: DARK_SELECTED_MENU_TEXT },
    Tabs: { itemSelectedColor: DARK_ACCENT_TEXT, itemActiveColor: DARK_ACCENT_TEXT, itemHoverColor: '#69b1ff' },
    Pagination: { itemActiveColor: DARK_ACCENT_TEXT, itemActiveColorHover: '#69b1ff' },
  },
};

/** The antd theme of a mode: its algorithm plus the contrast fixes above. */
export function themeConfig(mode: ThemeMode): ThemeConfig {
  return mode === 'dark' ? DARK : LIGHT;
}
