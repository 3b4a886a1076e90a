/**
 * @module scripts/start
 * `npm start`: the whole local stack, no cloud account. Data persists under
 * `.data/` (git-ignored). Ctrl-C stops everything, leaving no processes behind.
 *
 * Environment: PORT (default 8787), OROCHI_DATA_DIR (default .data),
 * OROCHI_DEV_API_KEY (local mode only: a key that reaches the `default` database).
 */
import { resolve } from 'node:path';
import { ROOT, startStack } from './stack.ts';

const port = Number(process.env.PORT ?? 8787);
const dataDir = resolve(ROOT, process.env.OROCHI_DATA_DIR ?? '.data');
const devApiKey = process.env.OROCHI_DEV_API_KEY || undefined;

console.log(`Starting Orochi Edge (local mode; data in ${dataDir}) ...`);
const stack = await startStack({
  dataDir,
  port,
  devApiKey,
  inheritOutput: process.env.OROCHI_VERBOSE === '1',
});

console.log(`
  Orochi Edge is running
  Dashboard      ${stack.dashboardUrl}/   (use localhost, not 127.0.0.1: passkeys need a host name)
  Sign-in mail   ${stack.dashboardUrl}/dev/outbox   (local mode: magic links land here, nothing is sent)
  HTTPS API      ${stack.dashboardUrl}/v1/   (health: ${stack.dashboardUrl}/v1/health)
  Postgres (WS)  ${stack.postgres.wsProxy}  -> embedded PGlite (${stack.postgres.databaseUrl.replace(/:[^:@/]+@/, ':***@')})
  Dev API key    ${devApiKey ? 'OROCHI_DEV_API_KEY reaches database "default"' : 'not set (export OROCHI_DEV_API_KEY=<key> to enable)'}
  Press Ctrl-C to stop.
`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping ...`);
  await stack.stop();
  console.log('stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
