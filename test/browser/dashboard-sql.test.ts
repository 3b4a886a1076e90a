/**
 * The dashboard's SQL workbench in a real browser against the real local
 * stack: charts and the result grid, a hypertable created, charted and listed
 * through the real data plane, highlighting and catalog completion, and the
 * keyboard-only flow.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP, editorText, screenshot, signInWithDevKey, typeSql } from './browser-session.ts';
import { inkOf } from './chart-canvas.ts';
import { dashboardStack } from './dashboard-stack.ts';

const stack = dashboardStack();
const open = stack.open;
const BLUE = '#2563eb';
const RED = '#dc2626';

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
    const chart = page.getByTestId('chart-line');
    await chart.locator('.uplot canvas').waitFor();
    // One series, named by the split column's value, with all 24 points drawn (few enough to draw as is).
    expect(await chart.getAttribute('data-points')).toBe('24');
    expect(await chart.getAttribute('data-drawn')).toBe('24');
    expect(await chart.locator('.u-legend').textContent()).toContain('host_0');
    // The peak (hour 12) is the highest ink, mid-plot; the ends are the lowest.
    const ink = await inkOf(chart, BLUE);
    expect(ink.pixels).toBeGreaterThan(100);
    expect(ink.topX).toBeGreaterThan(0.45);
    expect(ink.topX).toBeLessThan(0.55);
    expect(ink.bottomX < 0.05 || ink.bottomX > 0.95).toBe(true);
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
    const chart = page.getByTestId('chart-line');
    await chart.locator('.uplot canvas').waitFor();
    const picker = chart.getByRole('group', { name: 'Series' });
    expect(
      await picker.getByRole('checkbox').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-series'))),
    ).toEqual(['h1', 'h2']);
    expect(
      await picker.getByRole('checkbox').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-points'))),
    ).toEqual(['6', '6']);
    // Values rise every hour: each line's highest ink is at the right end, its lowest at the left;
    // h2 (twice h1) reaches higher than h1.
    const h1 = await inkOf(chart, BLUE);
    const h2 = await inkOf(chart, RED);
    for (const ink of [h1, h2]) {
      expect(ink.topX).toBeGreaterThan(0.95);
      expect(ink.bottomX).toBeLessThan(0.05);
    }
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
