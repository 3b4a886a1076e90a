/** drizzle-kit: generates migrations/ from workers/db/schema.ts (`npm run db:generate`). */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './workers/db/schema.ts',
  out: './migrations',
});
