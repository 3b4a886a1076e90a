/**
 * A person's whole journey in a real Chromium against the real stack: sign up
 * through a magic link read from the dev outbox, register a passkey with the
 * DevTools virtual authenticator (a real WebAuthn ceremony), sign out, sign in
 * with it, create an organization, a database and an API key, use the key
 * from a plain HTTPS client, revoke it, and find all of it in the audit log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../../scripts/stack.ts';
import { DEV_KEY, openPage, screenshot, typeSql } from './browser-session.ts';
import { launchChromium } from './chromium.ts';
import { freePort } from './free-port.ts';

let stack: Stack;
/**
 * The browser's origin. WebAuthn refuses IP addresses as relying-party ids, so
 * the page talks to `localhost` (a secure context over http, like 127.0.0.1).
 */
let origin: string;
let browser: Browser;
let dataDir: string;
let page: Page;
let cdp: CDPSession;
let errors: string[];
let authenticatorId: string;
const email = `ada.${Date.now()}@example.com`;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'orochi-identity-'));
  [stack, browser] = await Promise.all([
    freePort().then((port) => startStack({ dataDir, port, devApiKey: DEV_KEY })),
    launchChromium(),
  ]);
  origin = stack.url.replace('127.0.0.1', 'localhost');
  ({ page, errors } = await openPage(browser));
  // window.confirm() guards revocations; a person would click OK.
  page.on('dialog', (d) => d.accept());
  cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  }));
}, 180_000);

// A failed step leaves a picture of what the person would have seen.
beforeEach((ctx) => {
  ctx.onTestFailed(() => screenshot(page, `failed-${ctx.task.name.replace(/\W+/g, '-')}`));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The newest link mailed to `to`, read from the local-only dev outbox. */
async function mailedLink(to: string): Promise<string> {
  const res = await fetch(`${stack.url}/v1/dev/outbox?to=${encodeURIComponent(to)}`);
  const { emails } = (await res.json()) as { emails: { text: string }[] };
  const link = /https?:\/\/\S+/.exec(emails[0]?.text ?? '')?.[0];
  if (!link) throw new Error(`no link mailed to ${to}`);
  return link;
}

describe.sequential('identity flow', () => {
  it('signs up through a magic link from the dev outbox', async () => {
    await page.goto(`${origin}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByTestId('link-sent').waitFor();
    // Local mode: the sign-in page links the dev outbox, where the mail with the link is.
    await page.getByTestId('dev-outbox-link').getByRole('link', { name: 'dev outbox' }).click();
    await page.waitForURL(`${origin}/dev/outbox`);
    const mail = page.getByTestId('outbox').locator('li', { hasText: email });
    await mail.waitFor();
    await screenshot(page, 'dev-outbox');
    await mail.getByRole('link').first().click();
    await page.waitForURL(/\/account\?welcome=1$/);
    await page.getByTestId('welcome').waitFor();
    expect(await page.getByTestId('user-email').textContent()).toBe(email);
    await screenshot(page, 'account-welcome');
  });

  it('registers a passkey, signs out, and signs back in with it', async () => {
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect
      .poll(() => page.getByTestId('account-notice').textContent(), { timeout: 15_000 })
      .toBe('Passkey added');
    await expect.poll(() => page.getByTestId('passkeys').locator('li').count()).toBe(1);
    // The authenticator really holds a discoverable credential (what passkey sign-in without an email needs).
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0].isResidentCredential).toBe(true);
    await screenshot(page, 'account-passkeys');

    const liveSessions = async () =>
      (
        (await (await page.request.get(`${origin}/v1/auth/sessions`)).json()) as {
          sessions: { method: string }[];
        }
      ).sessions;

    // Conditional UI: the sign-in page's email field asks for a passkey through autofill. The
    // virtual authenticator answers that request at once (a person would pick the passkey from
    // the autofill list), so signing out lands on /sign-in and signs straight back in: no click, no email.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${origin}/databases`);
    expect(await page.getByTestId('user-email').textContent()).toBe(email);
    // Signing out really ended the earlier session; one ceremony made one session.
    expect((await liveSessions()).map((x) => x.method)).toEqual(['passkey']);

    // The button, in a browser without conditional UI: a modal ceremony.
    await page
      .context()
      .addInitScript('PublicKeyCredential.isConditionalMediationAvailable = async () => false;');
    await page.reload();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(`${origin}/sign-in`);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(`${origin}/databases`);
    expect(await page.getByTestId('user-email').textContent()).toBe(email);
    expect((await liveSessions()).map((x) => x.method)).toEqual(['passkey']);
  });

  it("shows the first local account the dev key's default database, then creates an organization, a project and a database", async () => {
    await page.goto(`${origin}/databases`);
    // The first account created on a local stack owns the `Local` org: the database the dev key reaches is listed.
    await page.getByTestId('database-default').waitFor();
    expect(await page.getByTestId('org-select').locator('option:checked').textContent()).toBe('Local');
    await page.getByTestId('org-select').selectOption({ label: 'New organization…' });
    await page.getByTestId('onboarding').waitFor();
    // The order is the onboarding form with its explanation, never "no databases … above" over it.
    expect(await page.getByTestId('no-databases').count()).toBe(0);
    expect(await page.getByText('Create one above').count()).toBe(0);
    await page.getByTestId('needs-project').waitFor();
    await page.getByLabel('Organization name').fill('Acme Analytics');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('org-select').locator('option:checked').textContent(), { timeout: 20_000 })
      .toBe('Acme Analytics');
    await page.getByLabel('Name', { exact: true }).fill('metrics');
    await page.getByLabel('Shards').fill('4');
    await page.getByRole('button', { name: 'Create database' }).click();
    const row = page.getByTestId('database-metrics');
    await row.waitFor();
    expect(await row.locator('td').nth(2).textContent()).toBe('4');
    await screenshot(page, 'databases-created');
  });

  it('deletes a database only after its name is typed', async () => {
    await page.getByLabel('Name', { exact: true }).fill('scratch');
    await page.getByRole('button', { name: 'Create database' }).click();
    await page.getByTestId('database-scratch').waitFor();
    await page.getByRole('button', { name: 'Delete scratch' }).click();
    const dialog = page.getByTestId('confirm-dialog');
    const confirm = dialog.getByRole('button', { name: 'Delete database' });
    await dialog.getByLabel(/Type scratch to confirm/).fill('scratc');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(/Type scratch to confirm/).fill('scratch');
    await confirm.click();
    await page.getByTestId('database-scratch').waitFor({ state: 'detached' });
    expect(await page.getByTestId('database-metrics').count()).toBe(1);
  });

  it('runs SQL on the new database from the editor', async () => {
    await page.getByTestId('database-metrics').getByRole('link', { name: 'metrics' }).click();
    await page.getByRole('heading', { name: 'metrics', level: 1 }).waitFor();
    // A new, empty database: the editor opens on a statement that runs there as it is.
    const opening = page.waitForResponse(
      (r) => r.url().endsWith('/sql') && Boolean(r.request().postDataJSON()?.sql?.includes('SELECT now()')),
    );
    await page.getByLabel('SQL query').press('Control+Enter');
    const first = await opening;
    expect(first.ok(), `${first.status()} ${await first.text()}`).toBe(true);
    await page.getByTestId('results-grid').waitFor();
    // The session cookie (with its CSRF header) authenticates the data plane; the URL holds the database id.
    const run = async (sql: string) => {
      await typeSql(page, sql);
      // This statement's answer, not the editor's catalog lookup for completion.
      const answered = page.waitForResponse(
        (r) => r.url().endsWith('/sql') && r.request().postDataJSON()?.sql === sql,
      );
      await page.getByLabel('SQL query').press('Control+Enter');
      const res = await answered;
      expect(res.ok(), `${sql}\n→ ${res.status()} ${await res.text()}`).toBe(true);
      expect(new URL(res.url()).pathname).toMatch(/^\/v1\/databases\/[0-9a-f-]{36}\/sql$/);
    };
    await run(
      "CREATE TABLE readings (id integer, label text); INSERT INTO readings VALUES (1, 'one'), (2, 'two');",
    );
    await expect.poll(() => page.getByTestId('command-result').textContent()).toContain('2 rows');
    await run('SELECT id, label FROM readings ORDER BY id');
    const grid = page.getByTestId('results-grid');
    await grid.waitFor();
    expect(await grid.locator('tbody tr').allTextContents()).toEqual(['1one', '2two']);
    await screenshot(page, 'database-sql');
  });

  it('creates an API key shown once, uses it from fetch, and revokes it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name').fill('ci-reader');
    await page.getByLabel('Role').selectOption('read');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('new-key-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^oro_/);
    // The list shows only the visible prefix of the secret, never the secret itself.
    const row = page.getByTestId('api-key-ci-reader');
    const prefix = ((await row.locator('code').textContent()) ?? '').replace('…', '');
    expect(prefix.length).toBeGreaterThan(4);
    expect(secret.startsWith(prefix)).toBe(true);
    expect(await page.getByTestId('api-keys-table').textContent()).not.toContain(secret);
    await screenshot(page, 'api-key-created');

    const use = () =>
      fetch(`${stack.url}/v1/databases/metrics`, { headers: { authorization: `Bearer ${secret}` } });
    const ok = await use();
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { name: string }).name).toBe('metrics');

    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('new-key').count()).toBe(0);
    await page.getByRole('button', { name: 'Revoke ci-reader' }).click();
    await page.getByTestId('api-key-ci-reader').getByText('revoked').waitFor();
    expect((await use()).status).toBe(401);
  });

  it('lists the audit entries of all of the above', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    const table = page.getByTestId('audit-table');
    await table.waitFor();
    const text = (await table.textContent()) ?? '';
    for (const action of ['org.create', 'database.create', 'api_key.create', 'api_key.revoke']) {
      expect(text).toContain(action);
    }
    await page.getByLabel('Action').fill('api_key.revoke');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await screenshot(page, 'audit-log');
    expect(errors).toEqual([]);
  });

  it('lists the owner among the members', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    const table = page.getByTestId('members-table');
    await table.waitFor();
    const row = table.locator('tbody tr', { hasText: email });
    expect(await row.locator('select').inputValue()).toBe('owner');
    await screenshot(page, 'members');
  });

  it('invites a second person, who joins through the emailed link', async () => {
    const bob = `bob.${Date.now()}@example.com`;
    const form = page.getByRole('form', { name: 'Invite someone' });
    await form.getByLabel('Email').fill(bob);
    await form.getByLabel(/^Role/).selectOption('viewer');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => page.getByTestId('invitations').textContent()).toContain(bob);
    const invite = await mailedLink(bob);
    expect(new URL(invite).pathname).toBe('/invite');

    // Bob: his own browser context, signs up by magic link, then opens the invitation.
    const other = await openPage(browser);
    await other.page.goto(`${origin}/sign-in`);
    await other.page.getByLabel('Email').fill(bob);
    await other.page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await other.page.getByTestId('link-sent').waitFor();
    await other.page.goto(await mailedLink(bob));
    await other.page.waitForURL(/\/account/);
    await other.page.goto(invite);
    await other.page.waitForURL(`${origin}/databases`);
    await expect.poll(() => other.page.getByTestId('database-metrics').count()).toBe(1);
    expect(await other.page.getByTestId('org-select').locator('option:checked').textContent()).toBe(
      'Acme Analytics',
    );
    expect(other.errors).toEqual([]);
    await other.page.context().close();

    await page.reload();
    const row = page.getByTestId('members-table').locator('tbody tr', { hasText: bob });
    await row.waitFor();
    expect(await row.locator('select').inputValue()).toBe('viewer');
  });

  it('renames the passkey and shows this session on the account page', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Account security' })
      .click();
    const list = page.getByTestId('passkeys');
    await list.waitFor();
    await list.getByRole('button', { name: /^Rename/ }).click();
    await list.getByRole('textbox').fill('Laptop');
    await list.getByRole('button', { name: /^Save/ }).click();
    await expect.poll(() => list.locator('strong').first().textContent()).toBe('Laptop');
    await expect.poll(() => page.getByTestId('sessions').textContent()).toMatch(/this device/i);
    // Sessions are named by browser and OS, not by a raw user-agent string.
    expect(await page.getByTestId('sessions').textContent()).toMatch(/Chrome \d+ on Linux/);
    await screenshot(page, 'account-security');
    expect(errors).toEqual([]);
  });

  it('returns to sign-in when the session disappears mid-use', async () => {
    // As if every session were revoked elsewhere: the next call gets 401, refresh fails too.
    await page.context().clearCookies();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Databases' }).click();
    await page.getByRole('heading', { name: 'Sign in to Orochi Edge' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'session ended' }).count()).toBe(1);
    expect(errors).toEqual([]);
  });
});
