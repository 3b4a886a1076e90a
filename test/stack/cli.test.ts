/**
 * The `orochi` bin in a real terminal against the real local stack
 * (wrangler dev + embedded Postgres): `orochi load` of a CSV draws its
 * progress bar and loads every row (100,000 rows in `npm test`, to keep this
 * file near two minutes on a busy 2-core machine; `npm run test:cli-1m` runs
 * it with 1,000,000 — `CLI_LOAD_ROWS`); a load interrupted with Ctrl-C
 * and run again loads every row exactly once (count, sum and distinct ids);
 * the SQL shell completes table names with Tab and keeps its history; `-c`
 * reports errors with their SQLSTATE and exit status 1.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type Stack, startStack } from '../../scripts/stack.ts';
import { freePort } from '../browser/free-port.ts';
import { runInPty } from './pty.ts';

const KEY = 'cli-e2e-key';
let stack: Stack;
let dir: string;

/** A CSV of ids 1..n with a text and a float column. */
function writeCsv(path: string, n: number): void {
  const parts: string[] = ['id,host,v\n'];
  for (let i = 1; i <= n; i++) parts.push(`${i},h${i % 50},${i / 4}\n`);
  writeFileSync(path, parts.join(''));
}

async function sqlRows(text: string): Promise<unknown[][]> {
  const res = await fetch(`${stack.url}/v1/databases/default/sql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sql: text }),
  });
  const body = (await res.json()) as { rows?: unknown[][]; error?: { message: string } };
  if (!res.ok) throw new Error(body.error?.message);
  return body.rows ?? [];
}

/** Rows as numbers: counts and sums here are far below 2^53; `sum(bigint)` is numeric, sent as a string. */
async function sql(text: string): Promise<number[][]> {
  return (await sqlRows(text)).map((r) => r.map(Number));
}

/** Runs the bin in a PTY; `env` replaces the default configuration (URL and key in the environment). */
function orochi(args: string[], env?: Record<string, string>) {
  const config = env ?? { OROCHI_URL: stack.url, OROCHI_API_KEY: KEY, XDG_CONFIG_HOME: join(dir, 'config') };
  return runInPty(['npx', '--no', 'orochi', ...args], config, ROOT);
}

/** Without the terminal's escape sequences. */
function plain(s: string): string {
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orochi-cli-'));
  stack = await startStack({ dataDir: join(dir, 'stack'), port: await freePort(), devApiKey: KEY });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('orochi load in a terminal', () => {
  const n = Number(process.env.CLI_LOAD_ROWS ?? 100_000);
  const fmt = new Intl.NumberFormat('en-US');

  it(`loads a ${fmt.format(n)}-row CSV with a progress bar (rows/s, ETA) and accepted/rejected counts`, async () => {
    const file = join(dir, 'big.csv');
    writeCsv(file, n);
    await sql(`CREATE TABLE big (id bigint NOT NULL, host text, v double precision)`);
    await sql(`SELECT create_distributed_table('big', 'id')`);
    const run = orochi(['load', file, '--table', 'big']);
    expect(await run.exited).toBe(0);
    const out = plain(run.output());
    // The bar redraws in place: a percentage, the rows so far, rows/s and an ETA.
    expect(out).toMatch(/\d+% \| [\d,]+ rows \| [\d,]+ rows\/s \| ETA \d+s/);
    expect(out).toContain(`${fmt.format(n)} rows |`);
    expect(out).toContain(
      `accepted ${fmt.format(n)} rows, rejected 0 rows (${Math.ceil(n / 50_000)} batches)`,
    );
    expect(await sql(`SELECT count(*), sum(id) FROM big`)).toEqual([[n, (n * (n + 1)) / 2]]);
  }, 150_000);

  it('a load interrupted with Ctrl-C and run again loads each row once', async () => {
    const total = 100_000;
    const file = join(dir, 'resume.csv');
    writeCsv(file, total);
    await sql(`CREATE TABLE resumed (id bigint NOT NULL, host text, v double precision)`);
    await sql(`SELECT create_distributed_table('resumed', 'id')`);
    const args = ['load', file, '--table', 'resumed', '--batch-rows', '5000'];

    const first = orochi(args);
    // Ctrl-C once a few batches (of 20) are in.
    const deadline = Date.now() + 60_000;
    while (!/(?:[3-9]\d|\d{3}),000 rows \|/.test(plain(first.output()))) {
      if (Date.now() > deadline) throw new Error(`no progress: ${plain(first.output())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    first.type('\x03');
    expect(await first.exited).toBe(130);
    expect(plain(first.output())).toContain('run the same command again to resume');
    expect(plain(first.output())).not.toContain('accepted');
    const [[partial]] = await sql(`SELECT count(*) FROM resumed`);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(total);

    const second = orochi(args);
    expect(await second.exited).toBe(0);
    const out = plain(second.output());
    const m = /accepted ([\d,]+) rows, rejected 0 rows \(20 batches, (\d+) already loaded\)/.exec(out);
    expect(m, out).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThanOrEqual(3);
    expect(await sql(`SELECT count(*), sum(id), count(DISTINCT id) FROM resumed`)).toEqual([
      [total, (total * (total + 1)) / 2, total],
    ]);
  }, 150_000);
});

describe('orochi sql in a terminal', () => {
  it('the shell completes a table name with Tab, runs the statement and keeps it in the history', async () => {
    await sql(`CREATE TABLE shell_demo (id bigint, name text)`);
    await sql(`INSERT INTO shell_demo VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    const shell = orochi(['sql']);
    const waitFor = async (re: RegExp) => {
      const deadline = Date.now() + 30_000;
      while (!re.test(plain(shell.output()))) {
        if (Date.now() > deadline) throw new Error(`waited for ${re}: ${plain(shell.output())}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor(/default=> $/);
    shell.type('SELECT count(*) FROM shell_d\t');
    await waitFor(/FROM shell_demo/);
    shell.type(';\r');
    await waitFor(/\(1 row\)/);
    expect(plain(shell.output())).toMatch(/count\s*\r?\n-+\r?\n\s+3\r?\n/);
    shell.type('\\q\r');
    expect(await shell.exited).toBe(0);
    const history = readFileSync(join(dir, 'config', 'orochi', 'history'), 'utf8');
    expect(history).toContain('SELECT count(*) FROM shell_demo;');
  }, 60_000);

  it('-c prints an error with its SQLSTATE and exits with status 1', async () => {
    const run = orochi(['sql', '-c', 'SELECT 1/0']);
    expect(await run.exited).toBe(1);
    expect(plain(run.output())).toMatch(/ERROR: {2}division by zero\r?\nSQLSTATE: 22012/);
  }, 30_000);
});

describe('orochi login and export', () => {
  it('login refuses a wrong key and stores nothing, then stores a good one (0600) that later commands use', async () => {
    const home = join(dir, 'login-home');
    const bad = orochi(['login', '--url', stack.url, '--api-key', 'not-a-key'], { XDG_CONFIG_HOME: home });
    expect(await bad.exited).toBe(1);
    expect(plain(bad.output())).toMatch(/ERROR: /);
    expect(existsSync(join(home, 'orochi', 'config.json'))).toBe(false);

    const good = orochi(['login', '--url', stack.url, '--api-key', KEY], { XDG_CONFIG_HOME: home });
    expect(await good.exited).toBe(0);
    expect(plain(good.output())).toContain('logged in to');
    const file = join(home, 'orochi', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      url: stack.url,
      apiKey: KEY,
      database: 'default',
    });

    const run = orochi(['sql', '--csv', '-c', 'SELECT 40 + 2 AS answer'], { XDG_CONFIG_HOME: home });
    expect(await run.exited).toBe(0);
    expect(plain(run.output())).toMatch(/answer\r?\n42/);
  }, 60_000);

  it('export (CSV and Parquet, several pages) loads back as the same rows', async () => {
    const cols = '(id bigint NOT NULL, name text, v double precision, ok boolean, at timestamptz)';
    await sql(`CREATE TABLE ex ${cols}`);
    const names = ['plain', 'with,comma', 'with "quote"', 'two\nlines', '', null];
    const values = Array.from({ length: 23 }, (_, i) => {
      const name = names[i % names.length];
      const text = name === null ? 'NULL' : `'${name.replace(/'/g, "''")}'`;
      const v = i % 5 === 0 ? 'NULL' : String(i * 1.25);
      return `(${i}, ${text}, ${v}, ${i % 2 === 0}, '2024-01-${String((i % 28) + 1).padStart(2, '0')} 12:00:00+00')`;
    });
    await sql(`INSERT INTO ex VALUES ${values.join(', ')}`);
    const expected = await sqlRows('SELECT * FROM ex ORDER BY id');
    for (const format of ['csv', 'parquet']) {
      const file = join(dir, `ex.${format}`);
      const out = orochi(['export', '--table', 'ex', '--format', format, '-o', file, '--page-rows', '7']);
      expect(await out.exited).toBe(0);
      expect(plain(out.output())).toContain('exported 23 rows');
      await sql(`CREATE TABLE ex_${format} ${cols}`);
      const back = orochi(['load', file, '--table', `ex_${format}`]);
      expect(await back.exited).toBe(0);
      expect(plain(back.output())).toContain('accepted 23 rows, rejected 0 rows');
      expect(await sqlRows(`SELECT * FROM ex_${format} ORDER BY id`)).toEqual(expected);
    }
  }, 120_000);
});
