import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'policies/**/*.test.ts', 'e2e/**/*.test.ts', 'web/src/**/*.test.ts'],
    // A browser test's step waits up to 30 s for a visible result (e2e/harness.ts); a test of several steps on the
    // loaded 2-core machine needs room for a few of them. Unit tests finish in milliseconds either way.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Database suites open PGlite instances; keep parallelism modest on a 2-core machine.
    maxWorkers: 2,
  },
});
