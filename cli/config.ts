/**
 * @module cli/config
 * Where the CLI finds its API: flags, then the environment (`OROCHI_URL`,
 * `OROCHI_API_KEY`, `OROCHI_DATABASE`, `OROCHI_PROJECT`), then the file
 * `orochi login` wrote (`$XDG_CONFIG_HOME/orochi/config.json`, else
 * `~/.config/orochi/config.json`, mode 0600 since it holds a key or the
 * session of `orochi login --browser`).
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** What every command needs to reach the API. */
export interface CliConfig {
  /** The API's base URL, without a trailing slash. */
  readonly url: string;
  readonly apiKey: string;
  /** The database `{database}` names in data-plane URLs (id or name). */
  readonly database: string;
}

/** A signed-in user's session (`orochi login --browser`): the refresh token and the last access token. */
export interface StoredSession {
  readonly refreshToken: string;
  readonly accessToken: string;
  /** When the access token expires (ms since the epoch). */
  readonly accessTokenExpiresAt: number;
  readonly email: string;
}

/** The stored file: any field may be missing until `orochi login` wrote it. */
export interface StoredConfig extends Partial<CliConfig> {
  /** The project `databases` and `keys` act on. */
  readonly project?: string;
  readonly session?: StoredSession;
}

function sessionOf(v: unknown): StoredSession | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const s = v as Record<string, unknown>;
  if (typeof s.refreshToken !== 'string' || typeof s.accessToken !== 'string') return undefined;
  return {
    refreshToken: s.refreshToken,
    accessToken: s.accessToken,
    accessTokenExpiresAt: typeof s.accessTokenExpiresAt === 'number' ? s.accessTokenExpiresAt : 0,
    email: typeof s.email === 'string' ? s.email : '',
  };
}

/** Flags that override the environment and the file. */
export interface ConfigFlags {
  url?: string;
  apiKey?: string;
  database?: string;
  project?: string;
}

/** The folder for the config file and the shell's history. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'orochi');
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'config.json');
}

/** The stored config, or `{}` when there is none yet. */
export function readStoredConfig(env: NodeJS.ProcessEnv = process.env): StoredConfig {
  let text: string;
  try {
    text = readFileSync(configPath(env), 'utf8');
  } catch {
    return {};
  }
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null) return {};
  const o = parsed as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  return {
    url: str('url'),
    apiKey: str('apiKey'),
    database: str('database'),
    project: str('project'),
    session: sessionOf(o.session),
  };
}

/** Writes the config file readable by its owner only. */
export function writeStoredConfig(config: StoredConfig, env: NodeJS.ProcessEnv = process.env): string {
  mkdirSync(configDir(env), { recursive: true, mode: 0o700 });
  const path = configPath(env);
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync keeps the mode of an existing file: make sure an older, looser file is tightened.
  chmodSync(path, 0o600);
  return path;
}

/** Thrown when no URL or key is configured anywhere; main prints it without a stack. */
export class ConfigError extends Error {}

/**
 * Flags over environment over file; `database` defaults to `default`. With `keyOptional` (the
 * proxy, whose clients may send the key as their password; commands that fall back to the
 * stored session) a missing key is an empty string.
 */
export function resolveConfig(
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv = process.env,
  keyOptional = false,
): CliConfig {
  const stored = readStoredConfig(env);
  // An empty variable counts as unset, as shells make it easy to export one by accident.
  const url = flags.url || env.OROCHI_URL || stored.url;
  const apiKey = flags.apiKey || env.OROCHI_API_KEY || stored.apiKey;
  const database = flags.database || env.OROCHI_DATABASE || stored.database || 'default';
  if (!url) throw new ConfigError('no API URL: run `orochi login` or set OROCHI_URL');
  if (!apiKey && !keyOptional) throw new ConfigError('no API key: run `orochi login` or set OROCHI_API_KEY');
  return { url: url.replace(/\/+$/, ''), apiKey: apiKey ?? '', database };
}
