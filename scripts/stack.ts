/**
 * @module scripts/stack
 * The whole local stack as one function: embedded Postgres (PGlite + the
 * WebSocket relay), migrations, the `default` dev database, and `wrangler dev`
 * with local Durable Objects, R2, Queues, cron and the dashboard assets.
 * Used by `npm start` (scripts/start.ts) and by the browser tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type LocalPostgres, startLocalPostgres } from './local-postgres.ts';
import { provisionDevDatabase } from './provision-dev.ts';

export const ROOT = resolve(import.meta.dirname, '..');

export interface StackOptions {
  /** Folder for all local state (PGlite files, wrangler's DO/R2/queue state). */
  dataDir: string;
  port: number;
  pgPort?: number;
  wsPort?: number;
  devApiKey?: string;
  /** Forward wrangler's output to this process's stdout/stderr. */
  inheritOutput?: boolean;
}

export interface Stack {
  /** Base URL for programs (`http://127.0.0.1:PORT`, the address wrangler listens on). */
  readonly url: string;
  /**
   * Base URL for people: `http://localhost:PORT`, the same server. Passkeys
   * need it: WebAuthn refuses an IP address as relying-party id, so on
   * 127.0.0.1 passkey sign-in and registration fail.
   */
  readonly dashboardUrl: string;
  readonly postgres: LocalPostgres;
  stop(): Promise<void>;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const t = setTimeout(() => res(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      res(true);
    });
  });
}

/** Kills wrangler and everything it started (it runs in its own process group). */
async function killGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      /* already gone */
    }
  };
  signal('SIGINT');
  if (await waitForExit(child, 5000)) return;
  signal('SIGKILL');
  await waitForExit(child, 2000);
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/v1/health`);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`wrangler dev did not answer ${url}/v1/health within ${timeoutMs} ms`);
}

/** Starts everything and resolves once `/v1/health` answers. */
export async function startStack(opts: StackOptions): Promise<Stack> {
  mkdirSync(opts.dataDir, { recursive: true });
  const postgres = await startLocalPostgres({
    dataDir: resolve(opts.dataDir, 'pglite'),
    pgPort: opts.pgPort,
    wsPort: opts.wsPort,
  });
  // The person at the keyboard is the first to sign in: they see the `default` database.
  await provisionDevDatabase(postgres.db, { firstUserOwnsLocal: true });

  // Secrets go through an env file, not --var, so wrangler prints them as hidden.
  const envFile = resolve(opts.dataDir, 'dev.vars');
  const vars: Record<string, string> = {
    ENVIRONMENT: 'local',
    PG_WS_PROXY: postgres.wsProxy,
    DATABASE_URL: postgres.databaseUrl,
  };
  if (opts.devApiKey) vars.OROCHI_DEV_API_KEY = opts.devApiKey;
  writeFileSync(
    envFile,
    Object.entries(vars)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join('\n'),
    {
      mode: 0o600,
    },
  );

  const wrangler = spawn(
    process.execPath,
    [
      resolve(ROOT, 'node_modules/wrangler/bin/wrangler.js'),
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(opts.port),
      '--persist-to',
      resolve(opts.dataDir, 'wrangler'),
      '--env-file',
      envFile,
      '--show-interactive-dev-session=false',
      '--inspector-port',
      '0',
    ],
    {
      cwd: ROOT,
      detached: true,
      stdio: opts.inheritOutput ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: process.env.CI ?? '' },
    },
  );
  let output = '';
  wrangler.stdout?.on('data', (d) => (output = (output + d).slice(-20_000)));
  wrangler.stderr?.on('data', (d) => (output = (output + d).slice(-20_000)));

  const url = `http://127.0.0.1:${opts.port}`;
  try {
    await waitForHealth(url, wrangler, 120_000);
  } catch (e) {
    await killGroup(wrangler);
    await postgres.stop();
    throw new Error(`${(e as Error).message}\n--- wrangler output ---\n${output}`);
  }
  return {
    url,
    dashboardUrl: `http://localhost:${opts.port}`,
    postgres,
    async stop() {
      await killGroup(wrangler);
      await postgres.stop();
    },
  };
}
