/**
 * @module scripts/migrate
 * `npm run db:migrate`: applies migrations/ to the Postgres at DATABASE_URL
 * (Neon in production) with the same driver the Worker uses.
 */
import { neonConfig, Pool } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import { migrate } from 'drizzle-orm/neon-serverless/migrator';
import { WebSocket } from 'ws';
import { MIGRATIONS_DIR } from './local-postgres.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set');
  process.exit(2);
}
neonConfig.webSocketConstructor = WebSocket;
const pool = new Pool({ connectionString: url });
try {
  await migrate(drizzle(pool), { migrationsFolder: MIGRATIONS_DIR });
  console.log('migrations applied');
} finally {
  await pool.end();
}
