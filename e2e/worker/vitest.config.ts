import { defineConfig } from 'vitest/config';

// The Worker tier (`npm run test:worker`): wrangler dev on a throw-away PostgreSQL database.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['e2e/worker/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
