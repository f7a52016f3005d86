import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'policies/**/*.test.ts', 'e2e/**/*.test.ts', 'web/src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Database suites open PGlite instances; keep parallelism modest on a 2-core machine.
    maxWorkers: 2,
  },
});
