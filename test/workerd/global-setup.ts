/**
 * Runs in Node before the workerd pool starts: the embedded control-plane
 * Postgres, migrated and provisioned, shared with tests via `inject`.
 */
import type { TestProject } from 'vitest/node';
import { startLocalPostgres } from '../../scripts/local-postgres.ts';
import { provisionDevDatabase } from '../../scripts/provision-dev.ts';

export default async function setup(project: TestProject) {
  const pg = await startLocalPostgres();
  await provisionDevDatabase(pg.db);
  project.provide('pgWsProxy', pg.wsProxy);
  project.provide('pgDatabaseUrl', pg.databaseUrl);
  return async () => {
    await pg.stop();
  };
}
