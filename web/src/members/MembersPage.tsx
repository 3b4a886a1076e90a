/**
 * @module web/members/MembersPage
 * Organization members with their roles (change, remove) and pending
 * invitations (invite by email with a role, revoke).
 */
import { type FormEvent, useState } from 'react';
import {
  createInvitation,
  listInvitations,
  listMembers,
  type OrgRole,
  removeMember,
  revokeInvitation,
  updateMemberRole,
} from '../api/control-plane.ts';
import { AsyncView, ErrorMessage } from '../components/AsyncView.tsx';
import { fmtDate } from '../components/format.ts';
import { useAsync } from '../components/use-async.ts';
import { useSession } from '../session/session.tsx';

const ROLES: OrgRole[] = ['owner', 'admin', 'member', 'viewer'];
const noOrg = () => Promise.reject(new Error('Choose an organization first.'));

export function MembersPage() {
  const { orgId, auth } = useSession();
  const members = useAsync((s) => (orgId ? listMembers(orgId, s) : noOrg()), [orgId]);
  const invitations = useAsync((s) => (orgId ? listInvitations(orgId, s) : noOrg()), [orgId]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<OrgRole>('member');
  const [error, setError] = useState<Error | null>(null);
  const [notice, setNotice] = useState('');
  const me = auth.status === 'user' ? auth.user.id : null;

  /** Runs a mutation, then reloads; errors show above the tables. */
  const act = async (fn: () => Promise<unknown>, done: string) => {
    setError(null);
    try {
      await fn();
      setNotice(done);
      members.reload();
      invitations.reload();
    } catch (e) {
      setError(e as Error);
    }
  };

  const invite = (e: FormEvent) => {
    e.preventDefault();
    if (!orgId) return;
    act(() => createInvitation(orgId, email, role), `Invitation sent to ${email}`).then(() => setEmail(''));
  };

  return (
    <>
      <h1>Members</h1>
      <form className="panel form-row" onSubmit={invite} aria-labelledby="invite-title">
        <h2 id="invite-title">Invite someone</h2>
        <label>
          Email
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as OrgRole)}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Send invitation
        </button>
      </form>
      <output className="muted">{notice}</output>
      {error && <ErrorMessage error={error} />}
      <h2>Members</h2>
      <AsyncView state={members} label="Loading members…">
        {(list) =>
          list.length === 0 ? (
            <p className="empty" data-testid="no-members">
              No members to show.
            </p>
          ) : (
            <div className="table-wrap">
              <table data-testid="members-table">
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((m) => (
                    <tr key={m.userId}>
                      <th scope="row">
                        {m.email} {m.userId === me && <span className="badge">you</span>}
                      </th>
                      <td>
                        <label>
                          <span className="visually-hidden">Role of {m.email}</span>
                          <select
                            value={m.role}
                            onChange={(e) =>
                              orgId &&
                              act(
                                () => updateMemberRole(orgId, m.userId, e.target.value as OrgRole),
                                `${m.email} is now ${e.target.value}`,
                              )
                            }
                          >
                            {ROLES.map((r) => (
                              <option key={r}>{r}</option>
                            ))}
                          </select>
                        </label>
                      </td>
                      <td>
                        {m.userId !== me && (
                          <button
                            type="button"
                            className="danger"
                            onClick={() =>
                              orgId &&
                              window.confirm(`Remove ${m.email} from the organization?`) &&
                              act(() => removeMember(orgId, m.userId), `${m.email} removed`)
                            }
                          >
                            Remove<span className="visually-hidden"> {m.email}</span>
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </AsyncView>
      <h2>Pending invitations</h2>
      <AsyncView state={invitations} label="Loading invitations…">
        {(list) =>
          list.length === 0 ? (
            <p className="empty">No pending invitations.</p>
          ) : (
            <ul data-testid="invitations">
              {list.map((i) => (
                <li key={i.id}>
                  {i.email} as <strong>{i.role}</strong>
                  {i.expiresAt && <span className="muted"> · expires {fmtDate(i.expiresAt)}</span>}{' '}
                  <button
                    type="button"
                    className="link"
                    onClick={() => orgId && act(() => revokeInvitation(orgId, i.id), `Invitation revoked`)}
                  >
                    Revoke<span className="visually-hidden"> invitation for {i.email}</span>
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </AsyncView>
    </>
  );
}
