import { theme, type ThemeConfig } from 'antd';
import type { ThemeMode } from '../features/preferences/storage';

// antd's stock palettes miss WCAG AA contrast (4.5:1 for text) in a few places that every page
// shows, which the axe-core scan of the browser tests reports as serious:
// - light: the primary blue #1677ff gives 4.1:1 both as text on white (links, the active tab,
//   the selected menu item) and behind white text (primary buttons). Blue-7 #0958d9 gives 6.2:1
//   both ways (5.5:1 on the selected menu item's pale blue).
// - dark: the derived primary (#1668dc) is fine behind white text (5.2:1) but is only 3.6:1 as
//   text on the dark background, so the text uses of the accent (links, tabs, the selected menu
//   item, the current page number) get a lighter blue; buttons keep the primary.
// - both: secondary text (Typography type="secondary", descriptions, hints) is 45% opaque, 3.4:1
//   on white and 4.4:1 on the dark layout; 57% gives 4.9:1 and 6.4:1.
// src/app/theme.test.ts recomputes these ratios from the resolved tokens.

const LIGHT_PRIMARY = '#0958d9';
const DARK_ACCENT_TEXT = '#4096ff'; // 6.2:1 on #141414, 7.0:1 on black
const DARK_SELECTED_MENU_TEXT = '#69b1ff'; // 5.7:1 on the selected item's dark blue

const LIGHT: ThemeConfig = {
  algorithm: theme.defaultAlgorithm,
  token: {
    colorPrimary: LIGHT_PRIMARY,
    colorLink: LIGHT_PRIMARY,
    colorTextTertiary: 'rgba(0, 0, 0, 0.57)',
    colorTextDescription: 'rgba(0, 0, 0, 0.57)',
  },
};

const DARK: ThemeConfig = {
  algorithm: theme.darkAlgorithm,
  token: {
    colorLink: '#69b1ff', // a seed: the dark algorithm turns it into #5c99dc (5.4:1 on #1f1f1f)
    colorLinkHover: '#91caff',
    colorLinkActive: '#69b1ff',
    colorTextTertiary: 'rgba(255, 255, 255, 0.57)',
    colorTextDescription: 'rgba(255, 255, 255, 0.57)',
  },
  components: {
    Menu: { itemSelectedColor: DARK_SELECTED_MENU_TEXT },
    Tabs: { itemSelectedColor: DARK_ACCENT_TEXT, itemActiveColor: DARK_ACCENT_TEXT, itemHoverColor: '#69b1ff' },
    Pagination: { itemActiveColor: DARK_ACCENT_TEXT, itemActiveColorHover: '#69b1ff' },
  },
};

/** The antd theme of a mode: its algorithm plus the contrast fixes above. */
export function themeConfig(mode: ThemeMode): ThemeConfig {
  return mode === 'dark' ? DARK : LIGHT;
}
