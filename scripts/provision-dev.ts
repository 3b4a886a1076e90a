/**
 * @module scripts/provision-dev
 * Local mode only: the organization, project and database named `default`
 * that `OROCHI_DEV_API_KEY` reaches, owned by `dev@orochi.local` (sign in by
 * magic link; the mail lands in `GET /v1/dev/outbox`). Idempotent.
 */
import type { PGlite } from '@electric-sql/pglite';
import {
  DEV_DATABASE_ID,
  DEV_ORG_ID,
  DEV_PROJECT_ID,
  DEV_USER_EMAIL,
  DEV_USER_ID,
} from '../workers/auth/dev-ids.ts';

export async function provisionDevDatabase(db: PGlite): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO organizations (id, name, slug) VALUES ($1, 'Local', 'local') ON CONFLICT (id) DO NOTHING`,
      [DEV_ORG_ID],
    );
    await tx.query(
      `INSERT INTO projects (id, org_id, name) VALUES ($1, $2, 'default') ON CONFLICT (id) DO NOTHING`,
      [DEV_PROJECT_ID, DEV_ORG_ID],
    );
    await tx.query(
      `INSERT INTO databases (id, project_id, name, status) VALUES ($1, $2, 'default', 'active') ON CONFLICT (id) DO NOTHING`,
      [DEV_DATABASE_ID, DEV_PROJECT_ID],
    );
    await tx.query(`INSERT INTO users (id, email) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      DEV_USER_ID,
      DEV_USER_EMAIL,
    ]);
    await tx.query(
      `INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, 'owner') ON CONFLICT DO NOTHING`,
      [DEV_ORG_ID, DEV_USER_ID],
    );
  });
}
