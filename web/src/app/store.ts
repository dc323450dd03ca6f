import { combineSlices, configureStore, createListenerMiddleware, isAnyOf } from '@reduxjs/toolkit';
import { api } from '../api/api';
import { authApi } from '../features/auth/authApi';
import authSlice, { REFRESH_TOKEN_KEY, loggedOut, refreshTokenSynced } from '../features/auth/authSlice';
import preferencesSlice from '../features/preferences/preferencesSlice';
import { LANGUAGE_KEY, THEME_KEY, writeItem } from '../features/preferences/storage';

const rootReducer = combineSlices(api, authSlice, preferencesSlice);
export type RootState = ReturnType<typeof rootReducer>;

/** Builds a store; tests pass `preloadedState` to start from a given session or preference. */
export function makeStore(preloadedState?: Partial<RootState>) {
  const listener = createListenerMiddleware();
  // Cached data belongs to the user who fetched it: drop it when they leave and when anyone signs
  // in. Not on an expired session, which would abort the requests that are learning of it.
  listener.startListening({
    matcher: isAnyOf(loggedOut, authApi.endpoints.login.matchFulfilled),
    effect: (_action, { dispatch }) => {
      dispatch(api.util.resetApiState());
    },
  });
  const store = configureStore({
    reducer: rootReducer,
    preloadedState,
    // The dev-only immutability/serializability checks warn when they take over 32 ms, which a
    // loaded CI machine reaches on its own; the test harness fails on any warning, so allow more.
    middleware: (getDefault) =>
      getDefault({ immutableCheck: { warnAfter: 2000 }, serializableCheck: { warnAfter: 2000 } })
        .prepend(listener.middleware)
        .concat(api.middleware),
  });
  persist(store);
  return store;
}

export type AppStore = ReturnType<typeof makeStore>;
export type AppDispatch = AppStore['dispatch'];

// Mirrors what must survive a reload to localStorage, and follows other tabs' sessions.
function persist(store: { getState: () => RootState; subscribe: (f: () => void) => void; dispatch: AppDispatch }) {
  const snapshot = ({ auth, preferences }: RootState) =>
    [auth.refreshToken, preferences.language, preferences.theme] as const;
  // Start from the current state: a language or theme taken from the browser is not a choice
  // and should keep following the browser until the user picks one.
  let last = snapshot(store.getState());
  store.subscribe(() => {
    const next = snapshot(store.getState());
    if (last[0] !== next[0]) writeItem(REFRESH_TOKEN_KEY, next[0]);
    if (last[1] !== next[1]) writeItem(LANGUAGE_KEY, next[1]);
    if (last[2] !== next[2]) writeItem(THEME_KEY, next[2]);
    last = next;
  });
  window.addEventListener('storage', (event) => {
    if (event.key === REFRESH_TOKEN_KEY && event.newValue !== store.getState().auth.refreshToken) {
      store.dispatch(refreshTokenSynced(event.newValue));
    }
  });
}
