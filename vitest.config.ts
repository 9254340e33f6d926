import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Unit and route tests. On PGlite by default; on PostgreSQL when TEST_DATABASE_URL is set
// (each test file then creates its own database and drops it).
export default defineConfig({
  test: {
    include: ['api/**/*.test.ts', 'db/**/*.test.ts', 'supply-chain/**/*.test.ts', 'web-shared/**/*.test.ts'],
    globalSetup: ['api/test/global-setup.ts'],
    // One file per core. Vitest's default leaves a core to its own process, which mostly waits: the
    // tests are CPU-bound in their worker (PGlite runs there), so on two cores that halved the pace.
    maxWorkers: availableParallelism(),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
