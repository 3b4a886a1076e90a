/**
 * The `orochi` bin's account commands against the real local stack (wrangler
 * dev + embedded Postgres), in a PTY: `login --browser` prints the page and the
 * code and waits; the test approves (or denies) that code as a signed-in user
 * through the API, exactly what the dashboard page does; the session is
 * stored 0600, refreshed through the refresh route when its access token
 * expires, and ended by `logout`. `databases` and `keys` create, list, use,
 * revoke and delete real resources over that session, and tell a user who
 * only has an API key to sign in.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type Stack, startStack } from '../../scripts/stack.ts';
import { freePort } from '../browser/free-port.ts';
import { runInPty } from './pty.ts';

const KEY = 'cli-account-key';
let stack: Stack;
let dir: string;
let home: string;
/** The signed-in user who approves, as the dashboard would. */
let user: { accessToken: string; user: { id: string; email: string } };
let projectId: string;

async function api(path: string, token: string | null, body?: unknown, method?: string) {
  const res = await fetch(`${stack.url}${path}`, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  return { status: res.status, json: (text ? JSON.parse(text) : null) as any };
}

/** Runs the bin in a PTY with only the URL (and the config folder) in its environment. */
function orochi(args: string[], env: Record<string, string> = {}) {
  return runInPty(
    ['npx', '--no', 'orochi', ...args],
    { OROCHI_URL: stack.url, XDG_CONFIG_HOME: home, ...env },
    ROOT,
  );
}

function plain(s: string): string {
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]|\r/g, '');
}

async function output(args: string[], env?: Record<string, string>): Promise<{ code: number; out: string }> {
  const run = orochi(args, env);
  const code = await run.exited;
  return { code, out: plain(run.output()) };
}

/** The JSON array a `--json` command printed (npx may draw a spinner around it in a PTY). */
function jsonOf(out: string) {
  return JSON.parse(out.slice(out.indexOf('['), out.lastIndexOf(']') + 1));
}

function storedConfig() {
  return JSON.parse(readFileSync(join(home, 'orochi', 'config.json'), 'utf8'));
}

/** Starts `login --browser`, waits for the code it prints, and lets `decide` answer it. */
async function browserLogin(decide: (userCode: string) => Promise<void>) {
  const run = orochi(['login', '--browser']);
  const deadline = Date.now() + 60_000;
  let m: RegExpExecArray | null = null;
  while (!(m = /open (\S+\/device\?code=(\w{4}-\w{4}))/.exec(plain(run.output())))) {
    if (Date.now() > deadline) throw new Error(`no code printed: ${plain(run.output())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(m[1]).toBe(`${stack.url}/device?code=${m[2]}`);
  await decide(m[2]);
  const code = await run.exited;
  return { code, out: plain(run.output()) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orochi-cli-account-'));
  home = join(dir, 'config');
  stack = await startStack({ dataDir: join(dir, 'stack'), port: await freePort(), devApiKey: KEY });
  const email = `cli-${crypto.randomUUID().slice(0, 8)}@example.com`;
  expect((await api('/v1/auth/magic-link', null, { email })).status).toBe(202);
  const mail = (await api(`/v1/dev/outbox?to=${encodeURIComponent(email)}`, null)).json.emails[0].text;
  const token = decodeURIComponent(/token=([A-Za-z0-9_%-]+)/.exec(mail)![1]);
  user = (await api('/v1/auth/magic-link/verify', null, { token, mode: 'bearer' })).json;
  const org = await api('/v1/orgs', user.accessToken, {
    name: 'cli',
    slug: `cli-${crypto.randomUUID().slice(0, 8)}`,
  });
  projectId = (await api(`/v1/orgs/${org.json.id}/projects`, user.accessToken, { name: 'app' })).json.id;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('orochi login --browser, databases, keys, logout', () => {
  it('asks a user with only an API key to sign in through the browser', async () => {
    const r = await output(['databases'], { OROCHI_API_KEY: KEY });
    expect(r.code).toBe(1);
    expect(r.out).toContain('only an API key is configured: run `orochi login --browser`');
  }, 120_000);

  it('a denied sign-in stores nothing', async () => {
    const r = await browserLogin(async (code) => {
      expect((await api('/v1/auth/device/deny', user.accessToken, { user_code: code })).status).toBe(200);
    });
    expect(r.code).toBe(1);
    expect(r.out).toContain('the sign-in was denied in the browser');
  }, 180_000);

  it('signs in, manages databases and keys, refreshes, and logs out', async () => {
    const r = await browserLogin(async (code) => {
      const looked = await api('/v1/auth/device/lookup', user.accessToken, { user_code: code });
      expect(looked.json.client_name).toMatch(/^orochi CLI on /);
      expect((await api('/v1/auth/device/approve', user.accessToken, { user_code: code })).status).toBe(200);
    });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(`logged in to ${stack.url} as ${user.user.email}`);
    expect(statSync(join(home, 'orochi', 'config.json')).mode & 0o777).toBe(0o600);
    const first = storedConfig().session;
    expect(first.refreshToken).toMatch(/^ort_/);
    const sessions = (await api('/v1/auth/sessions', user.accessToken)).json.sessions;
    expect(sessions.filter((s: { method: string }) => s.method === 'device')).toHaveLength(1);

    // The local dev project is visible too: with two, the CLI asks which one.
    const several = await output(['databases']);
    expect(several.code).toBe(1);
    expect(several.out).toMatch(/several projects; pass --project <id\|name>: .*app \([0-9a-f-]{36}\)/);
    writeFileSync(join(home, 'orochi', 'config.json'), JSON.stringify({ ...storedConfig(), project: 'app' }));

    const created = await output(['databases', 'create', 'analytics', '--shards', '2']);
    expect(created.code, created.out).toBe(0);
    expect(created.out).toMatch(/created database "analytics" \([0-9a-f-]{36}\) in project "app"/);
    const listed = await output(['databases', 'list', '--json']);
    const dbs = jsonOf(listed.out);
    expect(dbs.map((d: { name: string }) => d.name)).toEqual(['analytics']);
    expect(dbs[0].defaultShardCount).toBe(2);

    // Data-plane commands run over the session when no API key is set.
    const viaSession = await output(['sql', '--csv', '-c', 'SELECT 6 * 7 AS answer'], {
      OROCHI_DATABASE: 'analytics',
    });
    expect(viaSession.code, viaSession.out).toBe(0);
    expect(viaSession.out).toContain('answer\n42');

    const key = await output([
      'keys',
      'create',
      '--role',
      'read',
      '--name',
      'reporting',
      '--scope',
      'analytics',
    ]);
    expect(key.code, key.out).toBe(0);
    const secret = /^(\S{20,})$/m.exec(key.out)![1];
    expect((await api('/v1/databases/analytics/sql', secret, { sql: 'SELECT 1' })).status).toBe(200);
    const keys = await output(['keys', '--json']);
    const [row] = jsonOf(keys.out).filter((k: { name: string }) => k.name === 'reporting');
    expect(row).toMatchObject({ role: 'read', databaseId: dbs[0].id, revokedAt: null });
    expect(keys.out).not.toContain(secret);
    const revoked = await output(['keys', 'revoke', row.id]);
    expect(revoked.code, revoked.out).toBe(0);
    expect((await api('/v1/databases/analytics/sql', secret, { sql: 'SELECT 1' })).status).toBe(401);

    // An expired access token is refreshed (the refresh token rotates) without a new sign-in.
    const config = storedConfig();
    writeFileSync(
      join(home, 'orochi', 'config.json'),
      JSON.stringify({ ...config, session: { ...config.session, accessTokenExpiresAt: 0 } }),
    );
    expect((await output(['databases'])).code).toBe(0);
    expect(storedConfig().session.refreshToken).not.toBe(first.refreshToken);

    // In a terminal, delete asks for the name; a wrong answer deletes nothing.
    const asked = orochi(['databases', 'delete', 'analytics']);
    const until = Date.now() + 60_000;
    while (!plain(asked.output()).includes('Type its name:')) {
      if (Date.now() > until) throw new Error(`no prompt: ${plain(asked.output())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    asked.type('analytic\r');
    expect(await asked.exited).toBe(1);
    expect(plain(asked.output())).toContain('not deleted: confirm by typing the name, or pass --yes');
    expect((await api(`/v1/projects/${projectId}/databases`, user.accessToken)).json.databases).toHaveLength(
      1,
    );
    const deleted = await output(['databases', 'delete', 'analytics', '--yes']);
    expect(deleted.code, deleted.out).toBe(0);
    expect((await api(`/v1/projects/${projectId}/databases`, user.accessToken)).json.databases).toEqual([]);

    const out = await output(['logout']);
    expect(out.code, out.out).toBe(0);
    expect(out.out).toContain(`ended the session of ${user.user.email}`);
    expect(storedConfig().session).toBeUndefined();
    const after = (await api('/v1/auth/sessions', user.accessToken)).json.sessions;
    expect(after.filter((s: { method: string }) => s.method === 'device')).toEqual([]);
    const gone = await output(['databases']);
    expect(gone.code).toBe(1);
    expect(gone.out).toContain('not signed in');
  }, 420_000);
});
