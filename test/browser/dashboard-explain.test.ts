/**
 * EXPLAIN in the SQL workbench, in a real browser against the real local
 * stack: a distributed table, Explain on a query that names one distribution
 * key, the plan drawn as a tree (pruned shards, the fragment), collapsed and
 * expanded with the mouse and the keyboard, the raw text, Explain analyze's
 * rows per shard, and the same at phone width.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, signInWithDevKey, typeSql } from './browser-session.ts';
import { dashboardStack } from './dashboard-stack.ts';

// The page-side callbacks run in the browser; Node's tsconfig has no DOM library, so name
// the two globals they read (types only: nothing is emitted).
declare const document: { activeElement: unknown; documentElement: { scrollWidth: number } };
declare const window: { innerWidth: number };

const stack = dashboardStack();
const open = stack.open;

/** Waits for the data plane's answer to `sql` (by its text) and fails with the API's error if it refused it. */
async function answered(page: Page, sql: (s: string) => boolean, act: () => Promise<void>) {
  const res = page.waitForResponse(
    (r) => r.url().endsWith('/v1/databases/default/sql') && sql(r.request().postDataJSON()?.sql ?? ''),
  );
  await act();
  const r = await res;
  expect(r.ok(), `${r.status()} ${await r.text()}`).toBe(true);
}

async function runSql(page: Page, sql: string) {
  await typeSql(page, sql);
  await answered(
    page,
    (s) => s === sql,
    () => page.getByLabel('SQL query').press('Control+Enter'),
  );
  await page.getByTestId('query-stats').waitFor();
}

const QUERY = 'SELECT id, amount FROM orders WHERE id = 42';

describe('Explain in the SQL workbench', () => {
  it('draws the plan of a pruned query as a tree that expands and collapses', async () => {
    const { page, errors } = await open(DESKTOP);
    await signInWithDevKey(page, stack.url);
    // From here on; the browser itself logs the session probe's expected 401 (it can land
    // after sign-in returns), which is no page error.
    const consoleErrors: string[] = [];
    page.on(
      'console',
      (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && consoleErrors.push(m.text()),
    );
    await runSql(
      page,
      `CREATE TABLE orders (id bigint NOT NULL, customer text, amount double precision);
SELECT create_distributed_table('orders', 'id');
INSERT INTO orders SELECT i, 'c' || (i % 7), i * 1.5 FROM generate_series(1, 200) AS i;`,
    );
    expect(await page.getByTestId('command-result').textContent()).toContain('200 rows');

    await typeSql(page, `-- one customer's order\n${QUERY};`);
    await answered(
      page,
      (s) => s === `EXPLAIN ${QUERY}`,
      () => page.getByRole('button', { name: 'Explain', exact: true }).click(),
    );
    const tree = page.getByRole('tree', { name: 'Query plan' });
    await tree.waitFor();
    // The exchange: one shard of 8 scanned, 7 pruned, by the key in the WHERE.
    const exchange = tree.getByRole('treeitem', { name: /Exchange on "orders"/ });
    expect(await exchange.getAttribute('data-kind')).toBe('exchange');
    expect(await exchange.getByTestId('plan-shards').first().textContent()).toBe('shards 1 of 8 scanned');
    expect(await exchange.getByTestId('plan-shards-pruned').first().textContent()).toBe('7 pruned');
    expect(await exchange.textContent()).toContain('distribution column = 42');
    // The fragment each shard runs, and the shard's engine plan under it.
    const task = tree.getByRole('treeitem', { name: /Task/ });
    expect(await task.getByTestId('plan-fragment').textContent()).toContain(
      // The engine's bound filter, the constant already of the column's type (bigint).
      `FROM "orders" WHERE ("id" = '42'::bigint)`,
    );
    const scan = tree.getByRole('treeitem', { name: /Seq Scan on orders/ });
    expect(await scan.isVisible()).toBe(true);
    expect(await scan.getByTestId('plan-chunks').textContent()).toMatch(/chunks \d+ scanned, \d+ pruned/);
    expect(await page.getByTestId('plan-execution').count()).toBe(0);
    await screenshot(page, 'sql-explain-tree');

    // Collapse and expand with the mouse: the task's engine plan hides and comes back.
    expect(await task.getAttribute('aria-expanded')).toBe('true');
    await task.locator('.plan-node').first().click();
    expect(await task.getAttribute('aria-expanded')).toBe('false');
    expect(await scan.count()).toBe(0);
    await task.locator('.plan-node').first().click();
    expect(await task.getAttribute('aria-expanded')).toBe('true');
    expect(await scan.isVisible()).toBe(true);

    // And with the keyboard: Home focuses the root; Down moves to the exchange; Left collapses it, Right expands it.
    await task.focus();
    await page.keyboard.press('Home');
    const root = tree.getByRole('treeitem', { name: /Custom Scan \(Orochi Distributed\)/ });
    expect(await root.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowDown');
    expect(await exchange.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowLeft');
    expect(await exchange.getAttribute('aria-expanded')).toBe('false');
    expect(await task.count()).toBe(0);
    await page.keyboard.press('ArrowRight');
    expect(await exchange.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('ArrowRight');
    expect(await task.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await exchange.evaluate((el) => el === document.activeElement)).toBe(true);
    // Only one item is in the tab order (roving tabindex).
    expect(await tree.locator('[role="treeitem"][tabindex="0"]').count()).toBe(1);

    // The raw text, as the data plane sent it.
    await page.getByRole('button', { name: 'Raw text' }).click();
    const raw = await page.getByTestId('plan-raw').textContent();
    expect(raw).toMatch(/^Custom Scan \(Orochi Distributed\)\n/);
    expect(raw).toContain('  ->  Exchange on "orders"  (shards: 1 of 8 scanned, 7 pruned)');
    expect(await tree.count()).toBe(0);
    await page.getByRole('button', { name: 'Raw text' }).click();
    await tree.waitFor();

    expect(errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('shows rows and time per shard for Explain analyze, readable at phone width', async () => {
    const { page, errors } = await open(PHONE);
    await signInWithDevKey(page, stack.url);
    // From here on; the browser itself logs the session probe's expected 401 (it can land
    // after sign-in returns), which is no page error.
    const consoleErrors: string[] = [];
    page.on(
      'console',
      (m) => m.type() === 'error' && !/status of 401/.test(m.text()) && consoleErrors.push(m.text()),
    );
    const sql = 'SELECT customer, count(*) FROM orders WHERE id IN (1, 2, 3) GROUP BY customer';
    await typeSql(page, sql);
    await answered(
      page,
      (s) => s === `EXPLAIN ANALYZE ${sql}`,
      () => page.getByRole('button', { name: 'Explain analyze' }).click(),
    );
    const tree = page.getByRole('tree', { name: 'Query plan' });
    await tree.waitFor();
    const exchange = tree.getByRole('treeitem', { name: /Exchange on "orders"/ });
    expect(await exchange.getByTestId('plan-shards').first().textContent()).toMatch(
      /^shards [1-3] of 8 scanned$/,
    );
    // One row per shard scanned, and the rows the coordinator returned (one per customer: 3).
    const runs = exchange.getByTestId('plan-runs').locator('tbody tr');
    const scanned = Number(
      /shards (\d)/.exec((await exchange.getByTestId('plan-shards').first().textContent())!)![1],
    );
    expect(await runs.count()).toBe(scanned);
    const perShard = await runs.locator('td:nth-child(2)').allTextContents();
    expect(perShard.reduce((n, r) => n + Number(r), 0)).toBeGreaterThanOrEqual(3);
    expect(await tree.getByTestId('plan-actual-rows').first().textContent()).toBe('3 rows');
    expect(await page.getByTestId('plan-execution').textContent()).toMatch(/Execution time \d+\.\d{3} ms/);
    // Nothing wider than the phone: the long fragment and shard ids wrap.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(
      await exchange.locator('.plan-runs-scroll').evaluate((el) => el.scrollWidth - el.clientWidth),
    ).toBeLessThanOrEqual(0);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'sql-explain-analyze-phone');
    expect(errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
