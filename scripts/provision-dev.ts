/**
 * @module scripts/provision-dev
 * Local mode only: the organization `Local` with the project and database
 * named `default` that `OROCHI_DEV_API_KEY` reaches, owned by
 * `dev@orochi.local` (sign in by magic link; the mail lands in the dev
 * outbox, `/dev/outbox`). Idempotent.
 *
 * So that the person running `npm start` sees that database in the
 * dashboard, with `firstUserOwnsLocal` the first account created locally (other than dev@orochi.local)
 * becomes an owner of `Local` too: a trigger on `users` in the local
 * control-plane database does it, whichever sign-in path created the account.
 * Later accounts join only by invitation, as anywhere else.
 */
import type { PGlite } from '@electric-sql/pglite';
import {
  DEV_DATABASE_ID,
  DEV_ORG_ID,
  DEV_PROJECT_ID,
  DEV_USER_EMAIL,
  DEV_USER_ID,
} from '../workers/auth/dev-ids.ts';

export async function provisionDevDatabase(
  db: PGlite,
  opts: {
    /** Install the first-account-owns-`Local` trigger (the local stack does; test pools that count memberships do not). */
    firstUserOwnsLocal?: boolean;
  } = {},
): Promise<void> {
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
    if (opts.firstUserOwnsLocal) await tx.exec(FIRST_USER_OWNS_LOCAL);
  });
}

/** The trigger described in the module comment (ids are fixed constants, not input). */
const FIRST_USER_OWNS_LOCAL = `
CREATE OR REPLACE FUNCTION orochi_local_first_user_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> '${DEV_USER_ID}'::uuid AND NOT EXISTS (
    SELECT 1 FROM memberships WHERE org_id = '${DEV_ORG_ID}'::uuid AND user_id <> '${DEV_USER_ID}'::uuid
  ) THEN
    INSERT INTO memberships (org_id, user_id, role) VALUES ('${DEV_ORG_ID}'::uuid, NEW.id, 'owner')
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS orochi_local_first_user_owner ON users;
CREATE TRIGGER orochi_local_first_user_owner AFTER INSERT ON users
  FOR EACH ROW EXECUTE FUNCTION orochi_local_first_user_owner();
`;
