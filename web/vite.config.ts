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
    // antd (with its rc-* parts and icons) is ~1 MB minified on its own; it gets a chunk of its own
    // that stays cached across app releases, so the size warning is set just above it.
    chunkSizeWarningLimit: 1100,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/ },
            { name: 'antd', test: /node_modules[\\/](antd|@ant-design|rc-[^\\/]+|@rc-component)[\\/]/ },
            { name: 'vendor', test: /node_modules[\\/]/ },
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
