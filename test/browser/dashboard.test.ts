/**
 * The dashboard in a real browser against the real local stack (the same
 * `startStack` that `npm start` runs): PGlite + relay + wrangler dev + assets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../scripts/stack.ts';
import { DESKTOP, DEV_KEY, openPage, PHONE, screenshot, signInWithDevKey } from './browser-session.ts';
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

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('dashboard', () => {
  it('renders the live status of every dependency', async () => {
    const { page, errors } = await openPage(browser);
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
    const { page, errors } = await openPage(browser);
    const res = await page.goto(`${stack.url}/some/deep/link`);
    expect(res?.status()).toBe(200);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    const api = await fetch(`${stack.url}/v1/nope`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect(errors).toEqual([]);
  });

  it('asks a signed-out visitor to sign in, keeping the deep link', async () => {
    const { page, errors } = await openPage(browser);
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
    const { page, errors } = await openPage(browser, DESKTOP);
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
    await page.getByRole('link', { name: 'Databases', exact: true }).click();
    await expect.poll(() => page.getByTestId('database-default').textContent()).toContain('default');
    await screenshot(page, 'databases');
    expect(errors).toEqual([]);
  });
});

describe('SQL workbench', () => {
  it('draws a line chart for a time-series result and a grid with every row', async () => {
    const { page, errors } = await openPage(browser, DESKTOP);
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
    const editor = page.getByLabel('SQL query');
    await editor.fill(
      "SELECT time_bucket('1 hour', time) AS bucket, avg(cpu) AS cpu, host FROM cpu GROUP BY 1, 3",
    );
    await editor.press('Control+Enter');
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

  it('runs SQL with Ctrl-Enter against the real data plane and shows the answer or its error', async () => {
    const { page, errors } = await openPage(browser, DESKTOP);
    await signInWithDevKey(page, stack.url);
    const editor = page.getByLabel('SQL query');
    await editor.fill('SELECT 1 AS one');
    const answered = page.waitForResponse('**/v1/databases/default/sql');
    await editor.press('Control+Enter');
    const res = await answered;
    if (res.ok()) {
      await page.getByTestId('results-grid').waitFor();
      expect(await page.getByTestId('results-grid').locator('tbody td').first().textContent()).toBe('1');
    } else {
      // Until the data plane lands: the API's error code must reach the user.
      const body = (await res.json()) as { error: { code: string } };
      await expect.poll(() => page.getByTestId('error').textContent()).toContain(body.error.code);
    }
    expect(await page.getByTestId('history').locator('option').count()).toBe(2);
    await screenshot(page, 'sql-run');
    expect(errors).toEqual([]);
  });
});

describe('phone width', () => {
  it('collapses the navigation into a menu and fits the screen', async () => {
    const { page, errors } = await openPage(browser, PHONE);
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
    expect(errors).toEqual([]);
  });
});
