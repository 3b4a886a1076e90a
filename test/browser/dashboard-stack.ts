/**
 * @module test/browser/dashboard-stack
 * The fixture the dashboard suites share: registers the file's beforeAll and
 * afterAll that start the real local stack (the same `startStack` that
 * `npm start` runs: PGlite + relay + wrangler dev + assets) and one Chromium,
 * and opens fresh pages that leave a screenshot when their test fails.
 * Vitest runs each test file in its own process, so each file that calls
 * `dashboardStack()` starts one stack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, onTestFailed } from 'vitest';
import { type Stack, startStack } from '../../scripts/stack.ts';
import { DESKTOP, DEV_KEY, openPage, screenshot, type TestPage } from './browser-session.ts';
import { launchChromium } from './chromium.ts';
import { freePort } from './free-port.ts';

/** The running stack and page factory of one dashboard test file. */
export interface DashboardStack {
  /** The stack's base URL (once beforeAll has run). */
  readonly url: string;
  /** A fresh page for one test; if the test fails, a screenshot shows what the person would have seen. */
  open(viewport?: typeof DESKTOP): Promise<TestPage>;
}

/** Call once at the top level of a test file. */
export function dashboardStack(): DashboardStack {
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

  return {
    get url() {
      return stack.url;
    },
    async open(viewport = DESKTOP) {
      const opened = await openPage(browser, viewport);
      const name = (expect.getState().currentTestName ?? 'test').replace(/\W+/g, '-');
      onTestFailed(() => screenshot(opened.page, `failed-${name}`));
      return opened;
    },
  };
}
