import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two cores: keep the worker pool small so network tests are not starved.
    maxWorkers: 2,
  },
});
