/**
 * @module workers/auth/dev-ids
 * Fixed ids of the rows `npm start` provisions for `OROCHI_DEV_API_KEY`
 * (local mode only; see scripts/provision-dev.ts).
 */
export const DEV_ORG_ID = '00000000-0000-4000-8000-000000000000';
export const DEV_PROJECT_ID = '00000000-0000-4000-8000-000000000001';
export const DEV_DATABASE_ID = '00000000-0000-4000-8000-000000000002';
/** The local owner of the `local` org: sign in as this address via the dev outbox. */
export const DEV_USER_ID = '00000000-0000-4000-8000-000000000003';
export const DEV_USER_EMAIL = 'dev@orochi.local';
