/**
 * @module web/account/DevicePage
 * `/device`: where a signed-in user confirms a device sign-in (`orochi login
 * --browser`, RFC 8628). The CLI prints this page's address with its code in
 * `?code=`; the page shows which request the code belongs to (client, address,
 * when) before the user approves or denies it, so a code someone else sent
 * cannot be approved blindly.
 */
import { type FormEvent, useState } from 'react';
import { decideDevice, lookupDevice } from '../api/identity.ts';
import { ErrorMessage } from '../components/AsyncView.tsx';
import { describeUserAgent, fmtDate } from '../components/format.ts';
import { useLocation } from '../router/router.tsx';

type Pending = Awaited<ReturnType<typeof lookupDevice>>;
type Step = { kind: 'enter' } | { kind: 'confirm'; pending: Pending } | { kind: 'done'; approved: boolean };

export function DevicePage() {
  const { search } = useLocation();
  const [code, setCode] = useState(search.get('code') ?? '');
  const [step, setStep] = useState<Step>({ kind: 'enter' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  const find = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => setStep({ kind: 'confirm', pending: await lookupDevice(code) }));
  };

  const decide = (approve: boolean) =>
    run(async () => {
      if (step.kind !== 'confirm') return;
      await decideDevice(step.pending.user_code, approve);
      setStep({ kind: 'done', approved: approve });
    });

  if (step.kind === 'done') {
    return (
      <section className="panel" data-testid="device-done">
        <h1>{step.approved ? 'Device signed in' : 'Sign-in denied'}</h1>
        <p>
          {step.approved
            ? 'Return to your terminal: it is signed in as you. You can end this session any time under Account.'
            : 'The device was not signed in. Nothing else changed.'}
        </p>
      </section>
    );
  }

  if (step.kind === 'confirm') {
    const p = step.pending;
    return (
      <section className="panel" aria-labelledby="device-title" data-testid="device-confirm">
        <h1 id="device-title">Sign in a device?</h1>
        <p>
          Only approve if you started this sign-in yourself and your terminal shows the code{' '}
          <strong data-testid="device-code">{p.user_code}</strong>.
        </p>
        <dl>
          <dt>Client</dt>
          <dd>{p.client_name ?? 'unnamed'}</dd>
          <dt>Requested from</dt>
          <dd>
            {p.ip ?? 'unknown address'} · {describeUserAgent(p.user_agent)}
          </dd>
          <dt>Requested at</dt>
          <dd>{fmtDate(p.created_at)}</dd>
          <dt>Code expires</dt>
          <dd>{fmtDate(p.expires_at)}</dd>
        </dl>
        <div className="form-row">
          <button type="button" className="primary" onClick={() => decide(true)} disabled={busy}>
            Approve
          </button>
          <button type="button" className="danger" onClick={() => decide(false)} disabled={busy}>
            Deny
          </button>
        </div>
        {error && <ErrorMessage error={error} />}
      </section>
    );
  }

  return (
    <form
      className="panel form-row"
      onSubmit={find}
      aria-labelledby="device-title"
      data-testid="device-enter"
    >
      <h1 id="device-title">Sign in a device</h1>
      <label>
        Code shown by `orochi login --browser`
        <input
          required
          value={code}
          onChange={(e) => setCode(e.target.value)}
          placeholder="BCDF-GHJK"
          autoComplete="off"
          spellCheck={false}
          maxLength={20}
        />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Checking…' : 'Continue'}
      </button>
      {error && <ErrorMessage error={error} />}
    </form>
  );
}
