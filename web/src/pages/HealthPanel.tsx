/**
 * @module web/HealthPanel
 * Shows each dependency `/v1/health` checked, with its latency or error.
 */
import { useEffect, useState } from 'react';
import { client, getDevKey, unwrap } from '../api/http.ts';

interface Check {
  ok: boolean;
  ms: number;
  detail?: string;
  error?: string;
}
interface Health {
  status: 'ok' | 'degraded';
  reasons?: string[];
  /** Only from the operators' deep check (`/v1/health/deep`); the public check is liveness only. */
  checks?: Record<string, Check>;
}

const LABELS: Record<string, string> = {
  postgres: 'Control plane (Postgres)',
  shard: 'Shard Durable Object (SQLite)',
  r2Cold: 'R2 cold tier',
  r2Frozen: 'R2 frozen tier',
  queue: 'Queue',
};

export function HealthPanel() {
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // With the local dev key (an operator credential in local mode) the deep check runs too.
    const load: Promise<Health> = getDevKey()
      ? unwrap(client.GET('/v1/health/deep'))
      : unwrap(client.GET('/v1/health'));
    load.then(setHealth).catch((e: Error) => setError(e.message));
  }, []);

  if (error)
    return (
      <p role="alert" className="error">
        Could not reach the API: {error}
      </p>
    );
  if (!health) return <p aria-busy="true">Checking services…</p>;
  return (
    <section aria-labelledby="health-title" className="panel">
      <h2 id="health-title">
        System status:{' '}
        <span data-testid="health-status" className={health.status}>
          {health.status}
        </span>
      </h2>
      {!health.checks && (
        <p className="muted" data-testid="liveness-only">
          The API answers. Per-dependency checks are for operators (<code>GET /v1/health/deep</code>).
        </p>
      )}
      <ul className="checks">
        {Object.entries(health.checks ?? {}).map(([name, c]) => (
          <li key={name} data-testid={`check-${name}`} className={c.ok ? 'ok' : 'failed'}>
            <strong>{LABELS[name] ?? name}</strong> {c.ok ? '✓' : '✗'} <span className="ms">{c.ms} ms</span>
            <div className="detail">{c.ok ? c.detail : c.error}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}
