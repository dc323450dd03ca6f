import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { installMatchMedia, resetMedia } from './media';
import { server } from './server';

installMatchMedia();
// antd on a busy shared machine can take over a second to settle; a longer wait is not a hang.
configure({ asyncUtilTimeout: 5000 });

// jsdom cannot compute styles of pseudo-elements; antd asks for them when measuring scrollbars.
const computeStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element) => computeStyle(element);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  cleanup();
  server.resetHandlers();
  window.localStorage.clear();
  resetMedia();
});
afterAll(() => server.close());
