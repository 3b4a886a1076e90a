/**
 * @module cli/control-plane
 * `orochi databases [list|create|delete]` and `orochi keys [list|create|revoke]`
 * over the signed-in user's session (cli/session.ts) and the typed client.
 * Both act on one project: `--project`, else `$OROCHI_PROJECT`, else the one
 * stored in the config file, else the user's only project (with several,
 * the error lists them). Output is a psql-like table, or JSON with `--json`.
 */
import { createInterface } from 'node:readline/promises';
import type { ApiClient, Schemas } from '../client/api-client.ts';
import { unwrap } from '../client/api-error.ts';
import { cliClient } from './api.ts';
import { ConfigError, type ConfigFlags, readStoredConfig } from './config.ts';
import { formatResult } from './result-format.ts';
import { requireSession } from './session.ts';

/** A session client and the project it acts on. */
export interface ProjectContext {
  readonly client: ApiClient;
  readonly project: Schemas['Project'];
}

/** Resolves the session and the project for a `databases` or `keys` command. */
export async function projectContext(flags: ConfigFlags, command: string): Promise<ProjectContext> {
  const { url, bearer } = requireSession(flags, command);
  const client = cliClient(url, bearer);
  const wanted = flags.project || process.env.OROCHI_PROJECT || readStoredConfig().project;
  const { orgs } = await unwrap(client.GET('/v1/orgs'));
  const projects: Schemas['Project'][] = [];
  for (const org of orgs)
    projects.push(
      ...(await unwrap(client.GET('/v1/orgs/{org}/projects', { params: { path: { org: org.id } } })))
        .projects,
    );
  const named = (p: Schemas['Project']) => `${p.name} (${p.id})`;
  if (wanted) {
    const found = projects.filter((p) => p.id === wanted || p.name === wanted);
    if (found.length === 1) return { client, project: found[0] };
    if (found.length > 1)
      throw new ConfigError(
        `several projects are named "${wanted}": pass --project with an id: ${found.map(named).join(', ')}`,
      );
    throw new ConfigError(`no project "${wanted}" among yours: ${projects.map(named).join(', ') || 'none'}`);
  }
  if (projects.length === 1) return { client, project: projects[0] };
  if (projects.length === 0) throw new ConfigError('you have no project yet: create one in the dashboard');
  throw new ConfigError(
    `you have several projects; pass --project <id|name>: ${projects.map(named).join(', ')}`,
  );
}

/** Rows printed as a table (every value as text) or as JSON. */
function print(rows: Record<string, unknown>[], columns: string[], json: boolean): string {
  if (json) return JSON.stringify(rows, null, 2);
  return formatResult(
    {
      columns: columns.map((name) => ({ name, type: 'text' })),
      rows: rows.map((r) => columns.map((c) => r[c] ?? null)),
      rowCount: rows.length,
    },
    'table',
  );
}

async function databasesOf(ctx: ProjectContext): Promise<Schemas['Database'][]> {
  const path = { project: ctx.project.id };
  return (await unwrap(ctx.client.GET('/v1/projects/{project}/databases', { params: { path } }))).databases;
}

/** The project's database with this name or id; a clear error when there is none. */
export async function findDatabase(ctx: ProjectContext, nameOrId: string): Promise<Schemas['Database']> {
  const db = (await databasesOf(ctx)).find((d) => d.name === nameOrId || d.id === nameOrId);
  if (!db) throw new ConfigError(`no database "${nameOrId}" in project "${ctx.project.name}"`);
  return db;
}

/** `orochi databases list`. */
export async function listDatabases(ctx: ProjectContext, json: boolean): Promise<string> {
  const rows = await databasesOf(ctx);
  return print(rows, ['name', 'id', 'status', 'defaultShardCount', 'locationHint', 'createdAt'], json);
}

/** `orochi databases create <name>`. */
export async function createDatabase(
  ctx: ProjectContext,
  name: string,
  opts: { shards?: number },
): Promise<string> {
  const db = await unwrap(
    ctx.client.POST('/v1/projects/{project}/databases', {
      params: { path: { project: ctx.project.id } },
      body: { name, defaultShardCount: opts.shards },
    }),
  );
  return `created database "${db.name}" (${db.id}) in project "${ctx.project.name}"`;
}

/** Asks on the terminal; false when there is none (scripts pass --yes). */
async function confirmTyped(question: string, expected: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim() === expected;
  } finally {
    rl.close();
  }
}

/** `orochi databases delete <name>`: its data is destroyed, so the name must be typed again (or --yes). */
export async function deleteDatabase(ctx: ProjectContext, name: string, yes: boolean): Promise<string> {
  const db = await findDatabase(ctx, name);
  if (
    !yes &&
    !(await confirmTyped(`Delete database "${db.name}" and all its data? Type its name: `, db.name))
  )
    throw new ConfigError('not deleted: confirm by typing the name, or pass --yes');
  await unwrap(ctx.client.DELETE('/v1/databases/{database}', { params: { path: { database: db.id } } }));
  return `deleted database "${db.name}" (${db.id})`;
}

/** `orochi keys list`: prefixes only; the secrets are never shown again. */
export async function listKeys(ctx: ProjectContext, json: boolean): Promise<string> {
  const { apiKeys } = await unwrap(
    ctx.client.GET('/v1/projects/{project}/api-keys', { params: { path: { project: ctx.project.id } } }),
  );
  const columns = ['id', 'name', 'role', 'prefix', 'databaseId', 'createdAt', 'expiresAt', 'revokedAt'];
  return print(apiKeys, columns, json);
}

/** `orochi keys create --role r`: prints the secret, which the API shows this once. */
export async function createKey(
  ctx: ProjectContext,
  opts: { role: Schemas['KeyRole']; name?: string; database?: string; expiresIn?: number },
): Promise<{ key: string; summary: string }> {
  let databaseId: string | undefined;
  if (opts.database) {
    databaseId = (await findDatabase(ctx, opts.database)).id;
  }
  const created = await unwrap(
    ctx.client.POST('/v1/projects/{project}/api-keys', {
      params: { path: { project: ctx.project.id } },
      body: {
        name: opts.name ?? `cli-${opts.role}`,
        role: opts.role,
        databaseId,
        expiresInSeconds: opts.expiresIn,
      },
    }),
  );
  const scope = databaseId ? `database ${opts.database}` : `project "${ctx.project.name}"`;
  return {
    key: created.key,
    summary: `created ${created.role} key "${created.name}" (${created.id}) for ${scope}; the secret is shown only now`,
  };
}

/** `orochi keys revoke <id>`. */
export async function revokeKey(ctx: ProjectContext, id: string): Promise<string> {
  await unwrap(
    ctx.client.DELETE('/v1/projects/{project}/api-keys/{key}', {
      params: { path: { project: ctx.project.id, key: id } },
    }),
  );
  return `revoked key ${id}`;
}
