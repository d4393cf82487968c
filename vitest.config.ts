import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two cores: keep the worker pool small so network tests are not starved.
    maxWorkers: 2,
    // On a slow machine (Node starting in over 100 ms) a test that starts processes or drives
    // Chromium can take over vitest's default of 5 s; no test measures time.
    testTimeout: 30_000,
  },
});
