/**
 * @module web/pages/DevOutboxPage
 * Local mode only: the emails the stack would have sent (sign-in links,
 * invitations), newest first, with their links clickable. Outside local mode
 * the API has no outbox and this page says so.
 */
import { listDevOutbox, type OutboxEmail } from '../api/identity.ts';
import { AsyncView } from '../components/AsyncView.tsx';
import { fmtDate } from '../components/format.ts';
import { useAsync } from '../components/use-async.ts';

const URL_RE = /(https?:\/\/\S+)/g;

/** The body text with its URLs as links (they are one-time sign-in or invitation links). */
function Body({ text }: { text: string }) {
  return (
    <p className="outbox-text">
      {text.split(URL_RE).map((part, i) =>
        i % 2 === 1 ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts of one fixed text.
          <a key={i} href={part}>
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </p>
  );
}

export function DevOutboxPage() {
  const state = useAsync((signal) => listDevOutbox(signal), []);
  return (
    <section aria-labelledby="outbox-title">
      <div className="page-head">
        <h1 id="outbox-title">Dev outbox</h1>
        <button type="button" onClick={state.reload}>
          Refresh
        </button>
      </div>
      <AsyncView state={state} label="Loading the outbox…">
        {(emails) =>
          emails === null ? (
            <p className="empty" data-testid="no-outbox">
              There is no dev outbox here: emails are only kept like this in local mode (`npm start`).
            </p>
          ) : emails.length === 0 ? (
            <p className="empty" data-testid="outbox-empty">
              No emails yet. Ask for a sign-in link on the sign-in page, then refresh.
            </p>
          ) : (
            <ul className="item-list" data-testid="outbox">
              {emails.map((m: OutboxEmail) => (
                <li key={m.id}>
                  <strong>{m.subject}</strong>{' '}
                  <span className="muted">
                    to {m.to} · {fmtDate(m.createdAt)}
                  </span>
                  <Body text={m.text} />
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
    </section>
  );
}
