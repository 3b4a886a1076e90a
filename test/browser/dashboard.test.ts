/**
 * The dashboard in a real browser against the real local stack (the same
 * `startStack` that `npm start` runs): PGlite + relay + wrangler dev + assets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { type Stack, startStack } from '../../scripts/stack.ts';
import {
  DESKTOP,
  DEV_KEY,
  editorText,
  openPage,
  PHONE,
  screenshot,
  signInWithDevKey,
  typeSql,
} from './browser-session.ts';
import { launchChromium } from './chromium.ts';
import { freePort } from './free-port.ts';

let stack: Stack;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'orochi-browser-'));
  [stack, browser] = await Promise.all([
    freePort().then((port) => startStack({ dataDir, port, devApiKey: DEV_KEY })),
    launchChromium(),
  ]);
}, 180_000);

/** A fresh page for one test; if the test fails, a screenshot shows what the person would have seen. */
async function open(viewport = DESKTOP) {
  const opened = await openPage(browser, viewport);
  const name = (expect.getState().currentTestName ?? 'test').replace(/\W+/g, '-');
  onTestFailed(() => screenshot(opened.page, `failed-${name}`));
  return opened;
}

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('dashboard', () => {
  it('renders the live status of every dependency', async () => {
    const { page, errors } = await open();
    await page.goto(`${stack.url}/status`);
    await expect.poll(() => page.title()).toBe('Orochi Edge');
    const status = page.getByTestId('health-status');
    await status.waitFor({ timeout: 20_000 });
    expect(await status.textContent()).toBe('ok');
    for (const name of ['postgres', 'shard', 'r2Cold', 'r2Frozen', 'queue']) {
      const item = page.getByTestId(`check-${name}`);
      expect(await item.getAttribute('class')).toBe('ok');
    }
    expect(await page.getByTestId('check-postgres').textContent()).toMatch(/PostgreSQL \d+/);
    await screenshot(page, 'status');
    expect(errors).toEqual([]);
  });

  it('serves the SPA for deep links but JSON errors for unknown API routes', async () => {
    const { page, errors } = await open();
    const res = await page.goto(`${stack.url}/some/deep/link`);
    expect(res?.status()).toBe(200);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    const api = await fetch(`${stack.url}/v1/nope`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(errors).toEqual([]);
  });

  it('asks a signed-out visitor to sign in, keeping the deep link', async () => {
    const { page, errors } = await open();
    await page.goto(`${stack.url}/databases/default/tables`);
    await page.getByRole('heading', { name: 'Sign in to Orochi Edge' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/databases/default/tables');
    await expect
      .poll(() => page.getByRole('button', { name: 'Sign in with a passkey' }).isVisible())
      .toBe(true);
    await screenshot(page, 'sign-in');
    expect(errors).toEqual([]);
  });

  it('navigates every page with the dev key and shows a loaded or error state on each', async () => {
    const { page, errors } = await open(DESKTOP);
    await signInWithDevKey(page, stack.url);
    // The database header comes from GET /v1/databases/default, answered with the dev key.
    await expect.poll(() => page.getByTestId('database-meta').textContent()).toMatch(/\d+ shards/);
    for (const [link, heading] of [
      ['Databases', 'Databases'],
      ['Status', 'Status'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      expect(await page.getByRole('link', { name: link, exact: true }).getAttribute('aria-current')).toBe(
        'page',
      );
    }
    // Account pages need a person, not a key: each says so instead of failing.
    for (const link of ['API keys', 'Members', 'Audit log', 'Account security']) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
      await page.getByTestId('needs-user').waitFor();
    }
    await page.getByRole('link', { name: 'Databases', exact: true }).click();
    await expect.poll(() => page.getByTestId('database-default').textContent()).toContain('default');
    await screenshot(page, 'databases');
    expect(errors).toEqual([]);
  });
});

describe('SQL workbench', () => {
  it('draws a line chart for a time-series result and a grid with every row', async () => {
    const { page, errors } = await open(DESKTOP);
    // A fixed answer isolates the chart from the data plane: 24 hourly points, peak at hour 12.
    const rows = Array.from({ length: 24 }, (_, h) => [
      `2024-01-01T${String(h).padStart(2, '0')}:00:00Z`,
      h <= 12 ? h * 10 : (24 - h) * 10,
      'host_0',
    ]);
    await page.route('**/v1/databases/default/sql', (route) =>
      route.fulfill({
        json: {
          columns: [
            { name: 'bucket', type: 'timestamptz' },
            { name: 'cpu', type: 'float8' },
            { name: 'host', type: 'text' },
          ],
          rows,
          rowCount: rows.length,
          stats: { ms: 12, shards: 8, chunksScanned: 3, chunksSkipped: 21, rowsRead: 3 },
        },
      }),
    );
    await signInWithDevKey(page, stack.url);
    await typeSql(
      page,
      "SELECT time_bucket('1 hour', time) AS bucket, avg(cpu) AS cpu, host FROM cpu GROUP BY 1, 3",
    );
    await page.getByLabel('SQL query').press('Control+Enter');
    const path = page.getByTestId('chart-line').locator('path[data-series]');
    await path.waitFor();
    expect(await path.getAttribute('data-series')).toBe('host_0');
    const d = (await path.getAttribute('d')) ?? '';
    const points = [...d.matchAll(/[ML]([\d.]+),([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(points).toHaveLength(24);
    for (let i = 1; i < points.length; i++) expect(points[i][0]).toBeGreaterThan(points[i - 1][0]);
    // SVG y grows downwards: the peak (hour 12) is the smallest y, the ends the largest.
    const ys = points.map((p) => p[1]);
    expect(ys.indexOf(Math.min(...ys))).toBe(12);
    expect(ys[0]).toBe(Math.max(...ys));
    expect(await page.getByTestId('query-stats').textContent()).toMatch(/Chunks skipped\s*21/);
    await screenshot(page, 'sql-chart');

    await page.getByRole('tab', { name: /Table \(24\)/ }).click();
    const grid = page.getByTestId('results-grid');
    expect(await grid.getAttribute('aria-rowcount')).toBe('25');
    expect(await grid.locator('tbody tr[aria-rowindex="2"] td').first().textContent()).toBe(
      '2024-01-01T00:00:00Z',
    );
    expect(errors).toEqual([]);
  });

  it('creates a hypertable, inserts and charts it from the editor against the real data plane', async () => {
    const { page, errors } = await open(DESKTOP);
    await signInWithDevKey(page, stack.url);
    /** Types SQL, runs it with Ctrl-Enter, and fails with the API's own error if it is rejected. */
    const run = async (sql: string) => {
      await typeSql(page, sql);
      // This statement's answer, not the editor's catalog lookup for completion.
      const answered = page.waitForResponse(
        (r) => r.url().endsWith('/v1/databases/default/sql') && r.request().postDataJSON()?.sql === sql,
      );
      await page.getByLabel('SQL query').press('Control+Enter');
      const res = await answered;
      expect(res.ok(), `${sql}\n→ ${res.status()} ${await res.text()}`).toBe(true);
      await page.getByTestId('query-stats').waitFor();
    };
    // Two hosts, six hours, two samples an hour: host h1 averages 10·h + 1 in hour h, h2 twice that.
    const values = [0, 1, 2, 3, 4, 5].flatMap((h) =>
      ['h1', 'h2'].flatMap((host, k) =>
        [0, 30].map((m) => {
          const v = (k + 1) * (10 * h + (m ? 2 : 0));
          return `('2024-01-01 0${h}:${m || '00'}:00+00', '${host}', ${v})`;
        }),
      ),
    );
    await run(
      `CREATE TABLE cpu (time timestamptz NOT NULL, host text NOT NULL, usage_user double precision);
SELECT create_hypertable('cpu', 'time', chunk_time_interval => interval '1 hour');
INSERT INTO cpu (time, host, usage_user) VALUES ${values.join(', ')};`,
    );
    expect(await page.getByTestId('command-result').textContent()).toContain('24 rows');

    await run(`SELECT time_bucket('1 hour', time) AS bucket, host, avg(usage_user) AS cpu
FROM cpu GROUP BY bucket, host ORDER BY bucket, host;`);
    const paths = page.getByTestId('chart-line').locator('path[data-series]');
    await paths.first().waitFor();
    expect(await paths.evaluateAll((ps) => ps.map((p) => p.getAttribute('data-series')))).toEqual([
      'h1',
      'h2',
    ]);
    const ys: number[][] = [];
    for (const path of await paths.all()) {
      const d = (await path.getAttribute('d')) ?? '';
      ys.push([...d.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1])));
    }
    expect(ys.map((y) => y.length)).toEqual([6, 6]);
    // Values rise every hour, so each line climbs (SVG y shrinks); h2 sits above h1 after hour 0.
    for (const y of ys) for (let i = 1; i < y.length; i++) expect(y[i]).toBeLessThan(y[i - 1]);
    for (let i = 1; i < 6; i++) expect(ys[1][i]).toBeLessThan(ys[0][i]);
    expect(await page.getByTestId('query-stats').textContent()).toMatch(/Shards\s*\d+/);
    await screenshot(page, 'sql-hypertable-chart');

    await page.getByRole('link', { name: 'Tables' }).click();
    const subnav = page.getByRole('navigation', { name: 'Database' });
    await expect
      .poll(() => subnav.getByRole('link', { name: 'Tables' }).getAttribute('aria-current'))
      .toBe('page');
    expect(await subnav.getByRole('link', { name: 'SQL' }).getAttribute('aria-current')).toBeNull();
    // The catalog lists cpu with its columns (information_schema through the data plane); pick it there.
    const list = page.getByTestId('table-list');
    await list.waitFor();
    expect(await list.textContent()).toMatch(
      /cpu\s*time timestamp with time zone not null, host text not null/,
    );
    await list.getByRole('button', { name: 'cpu', exact: true }).click();
    const shards = page.getByTestId('shards-table');
    await shards.waitFor();
    const header = await shards.locator('thead th').allTextContents();
    const rowsCol = header.indexOf('rows');
    expect(header).toEqual(expect.arrayContaining(['hash_min', 'hash_max', 'rows', 'bytes', 'tier']));
    const counts = await shards.locator(`tbody tr td:nth-child(${rowsCol + 1})`).allTextContents();
    expect(counts.reduce((s, c) => s + Number(c.replace(/\D/g, '')), 0)).toBe(24);
    await screenshot(page, 'tables');
    expect(errors).toEqual([]);
  });
});

describe('SQL editor', () => {
  it('highlights SQL and completes table and column names from the catalog', async () => {
    const { page, errors } = await open(DESKTOP);
    const asked: string[] = [];
    await page.route('**/v1/databases/default/sql', (route) => {
      const sql = (route.request().postDataJSON() as { sql: string }).sql;
      asked.push(sql);
      if (!sql.includes('information_schema.columns')) return route.fulfill({ status: 500 });
      return route.fulfill({
        json: {
          columns: [
            { name: 'table_name', type: 'text' },
            { name: 'column_name', type: 'text' },
          ],
          rows: [
            ['cpu', 'time'],
            ['cpu', 'host'],
            ['cpu', 'usage_user'],
            ['readings', 'id'],
          ],
          rowCount: 4,
          stats: { ms: 1, shards: 1, chunksScanned: 0, chunksSkipped: 0, rowsRead: 4 },
        },
      });
    });
    await signInWithDevKey(page, stack.url);
    // Nothing is asked before a completion needs the catalog.
    expect(asked).toEqual([]);
    await typeSql(page, "SELECT 'a', 42 -- note\nFROM cp");
    // Keywords, strings, numbers and comments are each drawn in their own style.
    const colorOf = (text: string) =>
      page
        .getByLabel('SQL query')
        .locator('span', { hasText: text })
        .last()
        .evaluate((e) => e.ownerDocument.defaultView?.getComputedStyle(e).color);
    const colors = await Promise.all(['SELECT', "'a'", '42', '-- note'].map(colorOf));
    expect(new Set(colors).size).toBe(4);

    const list = page.locator('.cm-tooltip-autocomplete');
    await page.keyboard.press('Control+Space');
    await list.getByRole('option', { name: /^cpu/ }).waitFor();
    expect(await list.getByRole('option', { name: /^readings/ }).count()).toBe(0);
    // CodeMirror ignores keys for 75 ms after the list opens, so a fast typist's Enter is not swallowed.
    await page.waitForTimeout(150);
    await page.keyboard.press('Enter');
    expect(await editorText(page)).toBe("SELECT 'a', 42 -- note\nFROM cpu");
    await screenshot(page, 'sql-editor-completion-table');

    await typeSql(page, 'SELECT cpu.us');
    await page.keyboard.press('Control+Space');
    await list.getByRole('option', { name: /^usage_user/ }).waitFor();
    await screenshot(page, 'sql-editor-completion');
    await page.waitForTimeout(150);
    await page.keyboard.press('Enter');
    expect(await editorText(page)).toBe('SELECT cpu.usage_user');
    // One lookup served both completions.
    expect(asked.filter((q) => q.includes('information_schema'))).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});

describe('phone width', () => {
  it('collapses the navigation into a menu and fits the screen', async () => {
    const { page, errors } = await open(PHONE);
    await signInWithDevKey(page, stack.url);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.isVisible()).toBe(false);
    const toggle = page.getByRole('button', { name: 'Menu' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await nav.isVisible()).toBe(true);
    await screenshot(page, 'phone-menu');
    await nav.getByRole('link', { name: 'Databases' }).click();
    expect(await nav.isVisible()).toBe(false);
    await page.getByTestId('database-default').waitFor();
    // A string expression: the Node tsconfig has no DOM types.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    await screenshot(page, 'phone-databases');
    expect(overflow).toBeLessThanOrEqual(0);

    // The SQL page with a chart and a wide grid still fits: the grid scrolls inside its own box.
    await page.route('**/v1/databases/*/sql', (route) =>
      route.fulfill({
        json: {
          columns: ['time', 'a', 'b', 'c', 'd', 'e'].map((name, i) => ({
            name,
            type: i ? 'float8' : 'timestamptz',
          })),
          rows: Array.from({ length: 48 }, (_, h) => [
            new Date(Date.UTC(2024, 0, 1, h)).toISOString(),
            h,
            2 * h,
            3,
            4,
            5,
          ]),
          rowCount: 48,
          stats: { ms: 3, shards: 8, chunksScanned: 2, chunksSkipped: 0, rowsRead: 2 },
        },
      }),
    );
    await page.getByRole('link', { name: 'default' }).click();
    await page.getByLabel('SQL query').press('Control+Enter');
    await page.getByTestId('chart-line').waitFor();
    expect(await page.getByTestId('chart-line').locator('path[data-series]').count()).toBe(5);
    const box = await page.getByTestId('chart-line').boundingBox();
    expect(box!.width).toBeLessThanOrEqual(PHONE.width);
    await page.getByRole('tab', { name: /Table/ }).click();
    await page.getByTestId('results-grid').waitFor();
    expect(
      await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'),
    ).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone-sql');
    expect(errors).toEqual([]);
  });
});

describe('keyboard', () => {
  it('runs a query, switches result views and skips to content without a mouse', async () => {
    const { page, errors } = await open(DESKTOP);
    await page.route('**/v1/databases/default/sql', (route) =>
      route.fulfill({
        json: {
          columns: [
            { name: 'host', type: 'text' },
            { name: 'n', type: 'int8' },
          ],
          rows: [
            ['a', 3],
            ['b', 7],
          ],
          rowCount: 2,
          stats: { ms: 1, shards: 1, chunksScanned: 0, chunksSkipped: 0, rowsRead: 2 },
        },
      }),
    );
    await signInWithDevKey(page, stack.url);
    // A client-side navigation puts focus on the new page, like a full load would.
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('main');
    // After a full load the skip link is the first stop and moves focus to the main region.
    await page.reload();
    await page.getByLabel('SQL query').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('main');

    await typeSql(page, '');
    await page.keyboard.type('SELECT host, count(*) AS n FROM t GROUP BY host');
    // Tab indents inside the editor; Escape then Tab leaves it for the Run button.
    await page.keyboard.press('Tab');
    expect(await editorText(page)).toBe('SELECT host, count(*) AS n FROM t GROUP BY host  ');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toBe('Run');
    await page.keyboard.press('Enter');
    // Category + number → a bar chart whose bars are proportional to the values.
    const bars = page.getByTestId('chart-bar').locator('rect');
    await bars.first().waitFor();
    const widths = await bars.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('width'))));
    expect(widths[1] / widths[0]).toBeCloseTo(7 / 3, 1);
    await page.getByRole('tab', { name: /Table/ }).focus();
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('results-grid').locator('tbody tr').count()).toBe(2);
    expect(errors).toEqual([]);
  });
});

describe('error states', () => {
  it('shows the API error code and position for bad SQL, and keeps it in history', async () => {
    const { page, errors } = await open(DESKTOP);
    await page.route('**/v1/databases/default/sql', (route) =>
      route.fulfill({
        status: 400,
        json: { error: { code: '42601', message: 'syntax error at or near "FORM"', position: 10 } },
      }),
    );
    await signInWithDevKey(page, stack.url);
    await typeSql(page, 'SELECT 1\nFORM t');
    await page.getByLabel('SQL query').press('Control+Enter');
    const alert = page.getByTestId('error');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('42601');
    expect(await alert.textContent()).toContain('syntax error at or near "FORM"');
    // PostgreSQL positions are 1-based characters: 10 is the F of FORM, first on line 2.
    expect(await page.getByText(/^At line \d+, column \d+\.$/).textContent()).toBe('At line 2, column 1.');
    expect(await page.getByTestId('history').locator('option').nth(1).textContent()).toMatch(/^✗/);
    // Picking it from the history puts it back into the editor.
    await typeSql(page, 'SELECT 2');
    await page.getByTestId('history').selectOption({ index: 1 });
    await expect.poll(() => editorText(page)).toBe('SELECT 1\nFORM t');
    await screenshot(page, 'sql-error');
    expect(errors).toEqual([]);
  });

  it('keeps a sign-in made while the page-load session check is still answering', async () => {
    const { page, errors } = await open(DESKTOP);
    // The check started at page load answers "signed out" only after the dev key was entered.
    await page.route('**/v1/auth/me', async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.fulfill({
        status: 401,
        json: { error: { code: 'unauthenticated', message: 'no session' } },
      });
    });
    await signInWithDevKey(page, stack.url);
    await page.waitForTimeout(2000);
    expect(await page.getByText('dev key', { exact: true }).count()).toBe(1);
    expect(await page.getByLabel('SQL query').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('shows a loading state, then a retryable error, when the API is down', async () => {
    const { page, errors } = await open(DESKTOP);
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    await page.route('**/v1/databases/default', async (route) => {
      await gate;
      await route.fulfill({
        status: 503,
        json: { error: { code: 'unavailable', message: 'control plane down' } },
      });
    });
    await signInWithDevKey(page, stack.url);
    await page.getByRole('link', { name: 'Databases', exact: true }).first().click();
    await page.getByTestId('loading').waitFor();
    release();
    const alert = page.getByTestId('error');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('control plane down');
    await page.unroute('**/v1/databases/default');
    await alert.getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId('database-default').waitFor();
    expect(errors).toEqual([]);
  });
});
