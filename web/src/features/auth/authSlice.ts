// Session tokens. The access token lives only in memory; the refresh token is mirrored to
// localStorage (see store.ts) so a reload or a new tab can resume the session.
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import type { TokenPair } from '../../api/types';
import { readItem } from '../preferences/storage';

export const REFRESH_TOKEN_KEY = 'easytune.refresh_token';

export interface AuthState {
  accessToken: string | null;
  refreshToken: string | null;
  /** True after the server refused to renew the session, so the login page can say why. */
  expired: boolean;
}

const authSlice = createSlice({
  name: 'auth',
  initialState: (): AuthState => ({
    accessToken: null,
    refreshToken: readItem(REFRESH_TOKEN_KEY),
    expired: false,
  }),
  reducers: {
    tokensReceived(state, action: PayloadAction<TokenPair>) {
      state.accessToken = action.payload.access_token;
      state.refreshToken = action.payload.refresh_token;
      state.expired = false;
    },
    /** Another tab rotated or dropped the refresh token. */
    refreshTokenSynced(state, action: PayloadAction<string | null>) {
      state.refreshToken = action.payload;
      if (action.payload === null) state.accessToken = null;
    },
    loggedOut() {
      return { accessToken: null, refreshToken: null, expired: false };
    },
    sessionExpired() {
      return { accessToken: null, refreshToken: null, expired: true };
    },
  },
  selectors: {
    selectAccessToken: (state) => state.accessToken,
    selectHasSession: (state) => state.accessToken !== null || state.refreshToken !== null,
    selectSessionExpired: (state) => state.expired,
  },
});

export const { tokensReceived, refreshTokenSynced, loggedOut, sessionExpired } = authSlice.actions;
export const { selectAccessToken, selectHasSession, selectSessionExpired } = authSlice.selectors;
export default authSlice;
