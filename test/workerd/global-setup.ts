/**
 * Runs in Node before the workerd pool starts: the embedded control-plane
 * Postgres, migrated and provisioned, shared with tests via `inject`; and
 * PostgreSQL's recorded answers for the random-query suite (PGlite does not
 * run inside workerd; see random-queries-oracle.ts); and a webhook receiver
 * on 127.0.0.1 for the changefeed tests (webhook-receiver.ts).
 */
import type { TestProject } from 'vitest/node';
import { startLocalPostgres } from '../../scripts/local-postgres.ts';
import { provisionDevDatabase } from '../../scripts/provision-dev.ts';
import { recordRandomQueries } from './random-queries-oracle.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';

export default async function setup(project: TestProject) {
  const pg = await startLocalPostgres();
  await provisionDevDatabase(pg.db);
  project.provide('pgWsProxy', pg.wsProxy);
  project.provide('pgDatabaseUrl', pg.databaseUrl);
  project.provide('rqgOracle', await recordRandomQueries());
  const receiver = await startWebhookReceiver();
  project.provide('cdcReceiver', receiver.url);
  return async () => {
    await receiver.stop();
    await pg.stop();
  };
}
