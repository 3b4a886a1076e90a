/**
 * The API reference page (/v1/docs) in Debian's Chromium against the local
 * stack, with every request to another origin refused: the page must render
 * the operations of /v1/openapi.json from the self-hosted bundle alone. The
 * dashboard's navigation links to it.
 */
import { describe, expect, it } from 'vitest';
import { screenshot, signInWithDevKey } from './browser-session.ts';
import { dashboardStack } from './dashboard-stack.ts';

const stack = dashboardStack();

describe('API reference', () => {
  it('renders the OpenAPI document offline, from same-origin resources only', async () => {
    const { page, errors } = await stack.open();
    const origin = new URL(stack.url).origin;
    const foreign: string[] = [];
    await page.context().route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:'))
        return route.continue();
      foreign.push(url);
      return route.abort();
    });
    const loaded: string[] = [];
    page.on('requestfinished', (r) => loaded.push(new URL(r.url()).pathname));
    const res = await page.goto(`${stack.url}/v1/docs`);
    expect(res?.status()).toBe(200);
    // The document's title, the first operation's summary and another tag's operation list.
    await page.getByRole('heading', { name: 'Orochi Edge API' }).first().waitFor({ timeout: 60_000 });
    await page.getByText('Liveness: this Worker answers').first().waitFor();
    await page.getByText('/v1/databases/{database}/sql').first().waitFor();
    expect(loaded).toContain('/api-reference/standalone.js');
    expect(loaded).toContain('/v1/openapi.json');
    await screenshot(page, 'api-reference');
    // Fonts or telemetry from a CDN would be attempts to leave the origin.
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('is linked from the dashboard navigation', async () => {
    const { page, errors } = await stack.open();
    await signInWithDevKey(page, stack.url);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API reference' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/v1/docs');
    await page.getByText('/v1/databases/{database}/sql').first().waitFor({ timeout: 60_000 });
    expect(errors).toEqual([]);
  });
});
