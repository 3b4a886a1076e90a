/**
 * The device approval page (`/device`, `orochi login --browser`) in a real
 * Chromium against the real stack: a signed-in person opens the address the
 * CLI prints, sees the code and the requesting client, and approves (the
 * device's poll then receives a session) or denies (it receives
 * `access_denied`); a code that does not exist is answered in place.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../scripts/stack.ts';
import { DEV_KEY, openPage, screenshot } from './browser-session.ts';
import { launchChromium } from './chromium.ts';
import { freePort } from './free-port.ts';

let stack: Stack;
let browser: Browser;
let dataDir: string;
let page: Page;
let errors: string[];
const email = `device.${Date.now()}@example.com`;

async function post(path: string, body: unknown) {
  const res = await fetch(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  return { status: res.status, json: (await res.json()) as any };
}

function poll(deviceCode: string) {
  return post('/v1/auth/device/token', {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    device_code: deviceCode,
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'orochi-device-'));
  [stack, browser] = await Promise.all([
    freePort().then((port) => startStack({ dataDir, port, devApiKey: DEV_KEY })),
    launchChromium(),
  ]);
  ({ page, errors } = await openPage(browser));
  // Sign in through the magic-link page, as a person following the mailed link.
  expect((await post('/v1/auth/magic-link', { email })).status).toBe(202);
  const outbox = await fetch(`${stack.url}/v1/dev/outbox?to=${encodeURIComponent(email)}`);
  const text: string = ((await outbox.json()) as { emails: { text: string }[] }).emails[0].text;
  const link = /https?:\/\/\S+\/auth\/magic-link\?token=\S+/.exec(text)![0];
  await page.goto(link);
  await page.waitForURL(/\/account\?welcome=1$/);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('device approval page', () => {
  it('shows the request behind the code and approves it; the device then gets a session', async () => {
    const codes = (await post('/v1/auth/device', { client_name: 'orochi CLI on test-host' })).json;
    await page.goto(codes.verification_uri_complete);
    await page.getByRole('button', { name: 'Continue' }).click();
    const confirm = page.getByTestId('device-confirm');
    await confirm.waitFor();
    expect(await page.getByTestId('device-code').textContent()).toBe(codes.user_code);
    expect(await confirm.textContent()).toContain('orochi CLI on test-host');
    await screenshot(page, 'device-confirm');
    expect((await poll(codes.device_code)).json.error.code).toBe('authorization_pending');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByTestId('device-done').getByText('Device signed in').waitFor();
    await new Promise((r) => setTimeout(r, codes.interval * 1000));
    const tokens = await poll(codes.device_code);
    expect(tokens.status, JSON.stringify(tokens.json)).toBe(200);
    expect(tokens.json.user.email).toBe(email);
    expect(errors).toEqual([]);
  }, 60_000);

  it('denies a request typed in by hand, and answers an unknown code in place', async () => {
    await page.goto(`${stack.url}/device`);
    await page.getByRole('textbox').fill('BCDF-GHJK');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('this code is not valid, has expired or was already used').waitFor();

    const codes = (await post('/v1/auth/device', {})).json;
    await page.getByRole('textbox').fill(codes.user_code.replace('-', '').toLowerCase());
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.getByTestId('device-done').getByText('Sign-in denied').waitFor();
    expect((await poll(codes.device_code)).json.error.code).toBe('access_denied');
    expect(errors).toEqual([]);
  }, 60_000);
});
