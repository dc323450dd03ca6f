import { defineConfig } from 'vitest/config';

// The browser smoke test: Node drives a real chromium against a real `easytune serve`.
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['**/*.spec.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
