import { StyleProvider } from '@ant-design/cssinjs';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import userEvent, { PointerEventsCheckLevel } from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { AppProviders } from '../app/AppProviders';
import { routes } from '../app/routes';
import { makeStore, type RootState } from '../app/store';

/** Renders the whole app at `path`, as the browser would, with a fresh store. */
export function renderApp(path: string, preloadedState?: Partial<RootState>) {
  const store = makeStore(preloadedState);
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  // user-event checks pointer-events through getComputedStyle on every action, which is slow in
  // jsdom with antd's large injected style sheets; the app never relies on pointer-events: none.
  const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never });
  const view = render(
    <TestStyles>
      <AppProviders store={store}>
        <RouterProvider router={router} />
      </AppProviders>
    </TestStyles>,
  );
  return { ...view, store, router, user };
}

/** Auth state for a user who is signed in (or, with `access: null`, just reloaded the page). */
export function signedIn(access: string | null = 'access-1', refresh = 'refresh-1'): Partial<RootState> {
  window.localStorage.setItem('easytune.refresh_token', refresh);
  return { auth: { accessToken: access, refreshToken: refresh, expired: false } };
}

// antd injects ~300 KB of CSS, and jsdom re-reads all of it on every getComputedStyle call
// (0.2 s each; antd and Testing Library call it constantly). Tests assert behaviour, not looks,
// so the generated styles go to an element outside the document.
const detachedStyles = document.createElement('div');

export function TestStyles({ children }: { children: ReactNode }) {
  return <StyleProvider container={detachedStyles}>{children}</StyleProvider>;
}
