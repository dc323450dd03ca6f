import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { format } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { installMatchMedia, resetMedia } from './media';
import { server } from './server';

installMatchMedia();
// antd on a busy shared machine can take over a second to settle; a longer wait is not a hang.
configure({ asyncUtilTimeout: 5000 });

// jsdom cannot compute styles of pseudo-elements; antd asks for them when measuring scrollbars.
const computeStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element) => computeStyle(element);

// Like pytest's warnings-as-errors: a React or antd warning (act, deprecations, keys) fails the test.
const logged: string[] = [];
const original = { error: console.error, warn: console.warn };
beforeEach(() => {
  logged.length = 0;
  console.error = (...args: unknown[]) => void logged.push(format(...args));
  console.warn = (...args: unknown[]) => void logged.push(format(...args));
});

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  // Clean up first: a failing check below must not leave this test's handlers to the next one.
  cleanup();
  server.resetHandlers();
  window.localStorage.clear();
  resetMedia();
  Object.assign(console, original);
  expect(logged, 'the test logged warnings or errors').toEqual([]);
});
afterAll(() => server.close());
