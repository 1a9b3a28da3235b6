import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['./test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start loopback servers; two forks keep CI's two cores busy without thrashing.
    pool: 'forks',
    maxWorkers: 2,
  },
});
