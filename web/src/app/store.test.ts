import { describe, expect, it } from 'vitest';
import { signedIn } from '../test/render';
import { makeStore } from './store';

const KEY = 'easytune.refresh_token';
const otherTab = (newValue: string | null) =>
  window.dispatchEvent(new StorageEvent('storage', { key: KEY, newValue, storageArea: window.localStorage }));

describe('session across tabs', () => {
  it('follows a refresh token rotated by another tab', () => {
    const store = makeStore(signedIn('access-1', 'refresh-1'));
    otherTab('refresh-2');
    expect(store.getState().auth).toMatchObject({ accessToken: 'access-1', refreshToken: 'refresh-2' });
  });

  it('signs out when another tab signs out', () => {
    const store = makeStore(signedIn('access-1', 'refresh-1'));
    otherTab(null);
    expect(store.getState().auth).toMatchObject({ accessToken: null, refreshToken: null });
  });
});
