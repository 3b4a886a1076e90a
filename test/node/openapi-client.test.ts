/**
 * client/openapi-types.ts is generated from the route definitions
 * (`npm run gen:client`); this fails when a route changed and the committed
 * types did not follow.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

it('the committed client types match the routes', () => {
  let output = '';
  let status = 0;
  try {
    output = execFileSync('node_modules/.bin/tsx', ['scripts/gen-client.ts', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { status?: number; stderr?: string };
    status = err.status ?? 1;
    output = err.stderr ?? '';
  }
  expect(status, output).toBe(0);
  expect(output).toMatch(/up to date/);
});
