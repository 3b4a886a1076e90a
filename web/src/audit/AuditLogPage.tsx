/**
 * @module web/audit/AuditLogPage
 * The organization's audit log: filters in the URL's query string (so a
 * filtered view can be shared), newest first, "Load older" via the cursor.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { type AuditEntry, type AuditFilter, listAudit } from '../api/control-plane.ts';
import { ErrorMessage, Loading } from '../components/AsyncView.tsx';
import { fmtDate } from '../components/format.ts';
import { navigate, useLocation } from '../router/router.tsx';
import { useSession } from '../session/session.tsx';

const FIELDS = ['action', 'actorId', 'targetType', 'outcome', 'since', 'until'] as const;

/** Date inputs give whole days; the API compares instants, so `until` covers its whole day (UTC). */
function toApiFilter(f: AuditFilter): AuditFilter {
  return {
    ...f,
    since: f.since ? `${f.since}T00:00:00.000Z` : undefined,
    until: f.until ? `${f.until}T23:59:59.999Z` : undefined,
  };
}

export function AuditLogPage() {
  const { orgId } = useSession();
  const { search } = useLocation();
  const filter: AuditFilter = Object.fromEntries(
    FIELDS.flatMap((f) => (search.get(f) ? [[f, search.get(f)]] : [])),
  );
  const key = JSON.stringify(filter);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(false);
  const [draft, setDraft] = useState<AuditFilter>(filter);

  const load = async (after?: string, signal?: AbortSignal) => {
    if (!orgId) return setError(new Error('Choose an organization first.'));
    setLoading(true);
    setError(null);
    try {
      const page = await listAudit(orgId, toApiFilter(JSON.parse(key) as AuditFilter), after, signal);
      setEntries((prev) => (after && prev ? [...prev, ...page.entries] : page.entries));
      setCursor(page.nextCursor ?? null);
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setError(e as Error);
    } finally {
      if (!signal?.aborted) setLoading(false);
    }
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the org or the filter changes.
  useEffect(() => {
    const ctl = new AbortController();
    setEntries(null);
    load(undefined, ctl.signal);
    return () => ctl.abort();
  }, [orgId, key]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const f of FIELDS) if (draft[f]) q.set(f, draft[f] as string);
    navigate(`/audit-log${q.size ? `?${q}` : ''}`);
  };

  return (
    <>
      <h1>Audit log</h1>
      <form className="panel form-row" onSubmit={apply} aria-label="Filter the audit log">
        <label>
          Action
          <input
            value={draft.action ?? ''}
            placeholder="e.g. api_key.create"
            onChange={(e) => setDraft({ ...draft, action: e.target.value })}
          />
        </label>
        <label>
          Actor id
          <input
            value={draft.actorId ?? ''}
            onChange={(e) => setDraft({ ...draft, actorId: e.target.value })}
          />
        </label>
        <label>
          Target type
          <select
            value={draft.targetType ?? ''}
            onChange={(e) => setDraft({ ...draft, targetType: e.target.value })}
          >
            <option value="">Any</option>
            {['org', 'member', 'invitation', 'project', 'database', 'api_key', 'passkey', 'session'].map(
              (t) => (
                <option key={t}>{t}</option>
              ),
            )}
          </select>
        </label>
        <label>
          Outcome
          <select
            value={draft.outcome ?? ''}
            onChange={(e) => setDraft({ ...draft, outcome: e.target.value })}
          >
            <option value="">Any</option>
            <option value="success">success</option>
            <option value="failure">failure</option>
            <option value="denied">denied</option>
          </select>
        </label>
        <label>
          Since
          <input
            type="date"
            value={draft.since ?? ''}
            onChange={(e) => setDraft({ ...draft, since: e.target.value })}
          />
        </label>
        <label>
          Until
          <input
            type="date"
            value={draft.until ?? ''}
            onChange={(e) => setDraft({ ...draft, until: e.target.value })}
          />
        </label>
        <button type="submit" className="primary">
          Apply filters
        </button>
      </form>
      {error && <ErrorMessage error={error} onRetry={() => load()} />}
      {entries === null && !error && <Loading label="Loading audit log…" />}
      {entries && entries.length === 0 && <p className="empty">No entries match.</p>}
      {entries && entries.length > 0 && (
        <div className="table-wrap">
          <table data-testid="audit-table">
            <caption className="visually-hidden">Audit log entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Outcome</th>
                <th scope="col">IP</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>{fmtDate(e.createdAt)}</td>
                  <td title={e.userAgent ?? undefined}>
                    {`${e.actorType}${e.actorId ? ` ${e.actorId.slice(0, 8)}` : ''}`}
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.targetType ? `${e.targetType} ${e.targetId?.slice(0, 8) ?? ''}` : '—'}</td>
                  <td>
                    <span className={`badge outcome-${e.outcome}`}>{e.outcome}</span>
                  </td>
                  <td>{e.ip ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" onClick={() => load(cursor)} disabled={loading}>
          {loading ? 'Loading…' : 'Load older entries'}
        </button>
      )}
    </>
  );
}
