import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Builds client/dist for the browser tests (test/e2e) when it is missing or stale.
    globalSetup: ['test/e2e/helpers-setup.ts'],
  },
});
