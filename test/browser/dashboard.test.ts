/**
 * The dashboard in a real browser against the real local stack (the same
 * `startStack` that `npm start` runs): PGlite + relay + wrangler dev + assets.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type Stack, startStack } from '../../scripts/stack.ts';
import { launchChromium } from './chromium.ts';
import { freePort } from './free-port.ts';

const ARTIFACTS = resolve(ROOT, 'test-results/screenshots');
let stack: Stack;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'orochi-browser-'));
  stack = await startStack({ dataDir, port: await freePort(), devApiKey: 'browser-test-key' });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('dashboard', () => {
  it('renders the live status of every dependency', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(stack.url);
    await expect.poll(() => page.title()).toBe('Orochi Edge');
    const status = page.getByTestId('health-status');
    await status.waitFor({ timeout: 20_000 });
    expect(await status.textContent()).toBe('ok');
    for (const name of ['postgres', 'shard', 'r2Cold', 'r2Frozen', 'queue']) {
      const item = page.getByTestId(`check-${name}`);
      expect(await item.getAttribute('class')).toBe('ok');
    }
    expect(await page.getByTestId('check-postgres').textContent()).toMatch(/PostgreSQL \d+/);
    await page.screenshot({ path: join(ARTIFACTS, 'status.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('serves the SPA for deep links but JSON errors for unknown API routes', async () => {
    const page = await browser.newPage();
    const res = await page.goto(`${stack.url}/databases/some/deep/link`);
    expect(res?.status()).toBe(200);
    await page.getByTestId('health-status').waitFor({ timeout: 20_000 });
    const api = await fetch(`${stack.url}/v1/nope`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
