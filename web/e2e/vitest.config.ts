import { defineConfig } from 'vitest/config';

// The browser smoke test: Node drives a real chromium against a real `easytune serve`.
export default defineConfig({
  cacheDir: '../node_modules/.vite-e2e', // relative to root: keep e2e/ free of caches
  test: {
    root: import.meta.dirname,
    include: ['**/*.spec.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
