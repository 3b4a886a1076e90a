/**
 * @module test/browser/browser-session
 * Shared setup for the dashboard suites: one stack and one Chromium per file,
 * pages that record uncaught errors, and screenshots as test artifacts.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ROOT } from '../../scripts/stack.ts';

export const ARTIFACTS = resolve(ROOT, 'test-results/screenshots');
export const DEV_KEY = 'browser-test-key';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface TestPage {
  page: Page;
  /** Uncaught exceptions in the page; a test ends by asserting it is empty. */
  errors: string[];
}

export async function openPage(browser: Browser, viewport = DESKTOP): Promise<TestPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Signs in with the local dev key through the sign-in page's form, as a person would. */
export async function signInWithDevKey(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/sign-in`);
  await page.getByText('Local development: use a dev API key').click();
  await page.getByLabel('Dev API key (OROCHI_DEV_API_KEY)').fill(DEV_KEY);
  await page.getByRole('button', { name: 'Use dev key' }).click();
  await page.waitForURL(`${url}/databases/default`);
}

/**
 * Replaces the SQL editor's text as a person pasting it would. The editor is
 * CodeMirror (a contenteditable, not a form field), so `fill()` does not apply:
 * click into it, select all, insert the text; then wait until the editor shows it.
 */
export async function typeSql(page: Page, sql: string): Promise<void> {
  const editor = page.getByLabel('SQL query');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  if (sql) await page.keyboard.insertText(sql);
  else await page.keyboard.press('Backspace');
  await expect.poll(() => editorText(page)).toBe(sql);
}

/** The text the SQL editor shows, one line per editor line (empty when only the placeholder shows). */
export async function editorText(page: Page): Promise<string> {
  return page
    .getByLabel('SQL query')
    .locator('.cm-line')
    .evaluateAll((lines) =>
      lines.map((l) => (l.querySelector('.cm-placeholder') ? '' : l.textContent)).join('\n'),
    );
}
