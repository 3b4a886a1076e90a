/**
 * A finished request leaves no control-plane socket open. The Neon driver's
 * `pool.end()` sends Terminate without closing its WebSocket, and the local
 * relay (like a server slow to hang up) keeps it open: each one left behind
 * made every later request of the isolate slower (4 ms → 200 ms per request
 * after a few hundred). The relay's `GET /stats` counts its open WebSockets.
 */
import { SELF } from 'cloudflare:test';
import { expect, inject, it } from 'vitest';
import { BASE, signIn } from './auth-fixtures.ts';

/** Open WebSockets at the relay (every file of the run shares it). */
async function openAtRelay(): Promise<number> {
  const res = await fetch(`http://${inject('pgWsProxy')}/stats`);
  return ((await res.json()) as { open: number }).open;
}

it('closes its control-plane WebSocket when a request ends', async () => {
  const s = await signIn();
  const requests = 60;
  for (let i = 0; i < requests; i++) {
    // Each one checks the session row in Postgres.
    const res = await SELF.fetch(`${BASE}/v1/auth/me`, {
      headers: { authorization: `Bearer ${s.accessToken}` },
    });
    expect(res.status).toBe(200);
    await res.text();
  }
  // Closing is a handshake: allow it a moment, and allow the other files' requests in flight.
  let open = await openAtRelay();
  for (let tries = 0; open > 8 && tries < 30; tries++) {
    await new Promise((r) => setTimeout(r, 100));
    open = await openAtRelay();
  }
  expect(open).toBeLessThanOrEqual(8);
});
