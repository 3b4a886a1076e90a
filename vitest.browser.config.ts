/**
 * Browser end-to-end tests (Debian's Chromium against the real local stack),
 * plus the dashboard's pure modules (charts, SQL catalog, export), which need no browser.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts', 'test/stack/**/*.test.ts', 'web/src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
