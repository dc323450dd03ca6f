import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import { initialLanguage, initialTheme, type Language, type ThemeMode } from './storage';

export interface PreferencesState {
  language: Language;
  theme: ThemeMode;
}

const preferencesSlice = createSlice({
  name: 'preferences',
  initialState: (): PreferencesState => ({ language: initialLanguage(), theme: initialTheme() }),
  reducers: {
    languageChanged(state, action: PayloadAction<Language>) {
      state.language = action.payload;
    },
    themeChanged(state, action: PayloadAction<ThemeMode>) {
      state.theme = action.payload;
    },
  },
  selectors: {
    selectLanguage: (state) => state.language,
    selectTheme: (state) => state.theme,
  },
});

export const { languageChanged, themeChanged } = preferencesSlice.actions;
export const { selectLanguage, selectTheme } = preferencesSlice.selectors;
export default preferencesSlice;
