/**
 * The dashboard in a real browser against the real local stack: live status,
 * routing and sign-in, navigation, the phone layout and error states. The SQL
 * workbench, editor and keyboard flows are in dashboard-sql.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DESKTOP, editorText, PHONE, screenshot, signInWithDevKey, typeSql } from './browser-session.ts';
import { dashboardStack } from './dashboard-stack.ts';

const stack = dashboardStack();
const open = stack.open;

describe('dashboard', () => {
  it('renders the live status of every dependency', async () => {
    const { page, errors } = await open();
    await page.goto(`${stack.url}/status`);
    // Anyone: liveness only.
    await page.getByTestId('liveness-only').waitFor({ timeout: 20_000 });
    // The local dev key is an operator credential: the deep check lists every dependency.
    await signInWithDevKey(page, stack.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Status' }).click();
    await expect.poll(() => page.title()).toBe('Orochi Edge');
    const status = page.getByTestId('health-status');
    await status.waitFor({ timeout: 20_000 });
    expect(await status.textContent()).toBe('ok');
    for (const name of ['postgres', 'shard', 'r2Cold', 'r2Frozen', 'queue']) {
      const item = page.getByTestId(`check-${name}`);
      expect(await item.getAttribute('class')).toBe('ok');
    }
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

  it('links the dev outbox from the sign-in page in local mode only', async () => {
    const { page, errors } = await open();
    await page.goto(`${stack.url}/sign-in`);
    await page.getByTestId('dev-outbox-link').getByRole('link', { name: 'dev outbox' }).click();
    await page.getByRole('heading', { name: 'Dev outbox' }).waitFor();
    await page.getByTestId('outbox-empty').waitFor();
    // A deployed Worker has no outbox (404): no link, and the page says there is none.
    await page.route('**/v1/dev/outbox', (route) =>
      route.fulfill({ status: 404, json: { error: { code: 'not_found', message: 'no route' } } }),
    );
    await page.goto(`${stack.url}/sign-in`);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();
    await page.waitForTimeout(500);
    expect(await page.getByTestId('dev-outbox-link').count()).toBe(0);
    await page.goto(`${stack.url}/dev/outbox`);
    await page.getByTestId('no-outbox').waitFor();
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
    await page.getByTestId('chart-line').locator('.uplot canvas').waitFor();
    expect(await page.getByTestId('chart-line').getByRole('checkbox').count()).toBe(5);
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
