import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { theme } from 'antd';
import { describe, expect, it, vi } from 'vitest';
import { AppProviders } from '../../app/AppProviders';
import { makeStore } from '../../app/store';
import { setPrefersDark } from '../../test/media';
import { renderApp, TestStyles } from '../../test/render';
import { PreferenceSwitches } from './PreferenceSwitches';

/** Shows the background colour antd resolved from the active theme algorithm. */
function TokenProbe() {
  const { token } = theme.useToken();
  return <output aria-label="container background">{token.colorBgContainer}</output>;
}

function renderSwitches() {
  const store = makeStore();
  const user = userEvent.setup();
  render(
    <TestStyles>
      <AppProviders store={store}>
        <PreferenceSwitches />
        <TokenProbe />
      </AppProviders>
    </TestStyles>,
  );
  return { store, user };
}

const background = () => screen.getByLabelText('container background').textContent;

describe('language', () => {
  it('defaults to the browser language and switches on click, remembering the choice', async () => {
    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['zh-CN', 'en']);
    const { user } = renderApp('/login');

    expect(await screen.findByRole('heading', { name: '登录 EasyTune' })).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('zh-CN');
    expect(window.localStorage.getItem('easytune.language')).toBeNull(); // a default is not a choice

    await user.click(screen.getByText('EN'));

    expect(await screen.findByRole('heading', { name: 'Sign in to EasyTune' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('en');
    expect(window.localStorage.getItem('easytune.language')).toBe('en');
  });

  it('prefers the remembered language over the browser', async () => {
    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['en-GB']);
    window.localStorage.setItem('easytune.language', 'zh');
    renderApp('/login');

    expect(await screen.findByRole('button', { name: '登 录' })).toBeInTheDocument();
  });
});

describe('theme', () => {
  it('defaults to the system colour scheme and toggles the antd algorithm', async () => {
    setPrefersDark(true);
    const { store, user } = renderSwitches();
    const toggle = screen.getByRole('switch', { name: 'Switch between light and dark mode' });

    expect(toggle).toBeChecked();
    const dark = background();
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));

    await user.click(toggle);

    await waitFor(() => expect(toggle).not.toBeChecked());
    expect(background()).not.toBe(dark);
    expect(background()).toBe('#ffffff');
    expect(document.documentElement.dataset.theme).toBe('light');
    expect(store.getState().preferences.theme).toBe('light');
    expect(window.localStorage.getItem('easytune.theme')).toBe('light');
  });

  it('prefers the remembered theme over the system one', () => {
    setPrefersDark(false);
    window.localStorage.setItem('easytune.theme', 'dark');
    renderSwitches();

    expect(screen.getByRole('switch', { name: 'Switch between light and dark mode' })).toBeChecked();
    expect(background()).not.toBe('#ffffff');
  });
});
