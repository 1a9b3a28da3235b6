import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['./test/setup.ts'],
    // An end-to-end rotation takes ~30 s alone and several times that on a loaded machine: the bound
    // catches a hang, not a slow run (speed is measured by `npm run bench`, never asserted).
    testTimeout: 180_000,
    // Set-up starts stand-ins and synthesizes the app (building the bundles once per fresh clone): on a
    // loaded machine that alone can pass a minute, and a hook that times out skips a whole file.
    hookTimeout: 240_000,
    // Integration tests start loopback servers; two forks keep CI's two cores busy without thrashing.
    pool: 'forks',
    maxWorkers: 2,
  },
});
