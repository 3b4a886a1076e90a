/**
 * Integration tests inside workerd (the Workers runtime) through
 * @cloudflare/vitest-pool-workers: real Durable Objects (SQLite), R2, Queues.
 * The control-plane Postgres is real too: globalSetup starts PGlite behind the
 * WebSocket relay and the Worker reaches it with the production Neon driver.
 */
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      main: './workers/index.ts',
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          ENVIRONMENT: 'local',
          PG_WS_PROXY: inject('pgWsProxy'),
          DATABASE_URL: inject('pgDatabaseUrl'),
          OROCHI_DEV_API_KEY: 'test-dev-key',
          // Seals changefeed signing secrets (workers/cdc/signing-secrets.ts).
          OROCHI_CDC_KEY: 'test-cdc-key',
          // Replays one seeded history of test/workerd/change-log-replay.test.ts.
          CHANGE_LOG_SEED: process.env.CHANGE_LOG_SEED ?? '',
        },
      },
    })),
  ],
  test: {
    include: ['test/workerd/**/*.test.ts', 'workers/**/*.test.ts', 'durable-objects/**/*.test.ts'],
    exclude: ['workers/**/*.node.test.ts'],
    globalSetup: ['./test/workerd/global-setup.ts'],
    testTimeout: 30_000,
  },
});
