import { configDefaults, defineConfig } from 'vitest/config';

// Browser tests (`npm run test:browser`, which builds both web apps first). One file at a time: each file starts its own server and Chromium on a 2-core machine.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['e2e/**/*.test.ts'],
    // The Worker tier has its own config (npm run test:worker).
    exclude: [...configDefaults.exclude, 'e2e/worker/**'],
    fileParallelism: false,
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 200_000,
  },
});
