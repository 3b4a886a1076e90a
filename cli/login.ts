/**
 * @module cli/login
 * `orochi login`: asks for what flags did not give (URL, API key), checks the
 * key against the API (`GET /v1/databases/{database}`, which every role may
 * call) and only then stores it (config.ts, mode 0600).
 */
import { createInterface } from 'node:readline/promises';
import { OrochiApi } from './api.ts';
import { type ConfigFlags, readStoredConfig, writeStoredConfig } from './config.ts';

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** Validates and stores the credentials; returns the line to print. */
export async function login(flags: ConfigFlags): Promise<string> {
  const stored = readStoredConfig();
  const url =
    (flags.url ??
      process.env.OROCHI_URL ??
      (await ask(`API URL${stored.url ? ` [${stored.url}]` : ''}: `))) ||
    stored.url;
  if (!url) throw new Error('an API URL is required');
  const apiKey = flags.apiKey ?? process.env.OROCHI_API_KEY ?? (await ask('API key: '));
  if (!apiKey) throw new Error('an API key is required');
  const database = flags.database ?? process.env.OROCHI_DATABASE ?? stored.database ?? 'default';
  const config = { url: url.replace(/\/+$/, ''), apiKey, database };
  const db = await new OrochiApi(config).database();
  // Keeps a browser session stored for the same API (databases and keys need it), never another's.
  const session = stored.url === config.url ? stored.session : undefined;
  const path = writeStoredConfig({ ...stored, ...config, session });
  return `logged in to ${config.url}: database "${db.name}" (${db.id}); config saved to ${path}`;
}
