/**
 * @module web/components/AsyncView
 * The shared loading and error presentation: a busy region while loading,
 * an alert with the API's code and a retry button on failure.
 */
import type { ReactNode } from 'react';
import { ApiError } from '../api/http.ts';
import type { AsyncState } from './use-async.ts';

export function ErrorMessage({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const code = error instanceof ApiError ? error.code : null;
  return (
    <div role="alert" className="alert error" data-testid="error">
      <strong>{error instanceof ApiError && error.status === 0 ? 'Network error' : 'Error'}</strong>
      {code && <code className="code">{code}</code>} <span>{error.message}</span>
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" aria-busy="true" data-testid="loading">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

/** Renders loading, error (with retry) or the children for loaded data. */
export function AsyncView<T>({
  state,
  label,
  children,
}: {
  state: AsyncState<T>;
  label?: string;
  children: (data: T) => ReactNode;
}) {
  if (state.error) return <ErrorMessage error={state.error} onRetry={state.reload} />;
  if (state.data === undefined) return <Loading label={label} />;
  return <>{children(state.data)}</>;
}
