/**
 * Unit tests in Node: the pure engine, scripts and the Postgres chain.
 * Workerd integration tests live in `vitest.workerd.config.ts`.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'engine/**/*.test.ts',
      'scripts/**/*.test.ts',
      'test/node/**/*.test.ts',
      'bench/**/*.test.ts',
      'workers/**/*.node.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
