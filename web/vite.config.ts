import react from '@vitejs/plugin-react';
import { configDefaults, defineConfig } from 'vitest/config';

// The API server (`easytune serve`) listens on 127.0.0.1:8000 by default.
const API_TARGET = process.env.EASYTUNE_API ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { '/api': { target: API_TARGET, changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    // Pages are lazy chunks (src/app/routes.tsx): the parts of antd only one page uses load with
    // that page, so the app's chunks stay under 500 kB. ECharts (job page only, loaded lazily) is
    // 536 kB even tree-shaken and cannot be cut (split parts break its module init order), so the
    // warning is set just above it; React also keeps a chunk of its own, cached across releases.
    chunkSizeWarningLimit: 560,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/ },
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|react-redux|@reduxjs)[\\/]/ },
          ],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    exclude: [...configDefaults.exclude, 'e2e/**'], // the browser test runs with `npm run e2e`
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    css: false,
    restoreMocks: true,
    // antd renders are heavy under jsdom and this machine is shared; a miss here is not a hang.
    testTimeout: 20_000,
  },
});
