/**
 * @module web/layout/OnboardingForm
 * A new account belongs to no organization: this creates the first
 * organization (if needed) and a project in it, then selects both.
 */
import { type FormEvent, useState } from 'react';
import { createOrg, createProject } from '../api/control-plane.ts';
import { ErrorMessage } from '../components/AsyncView.tsx';
import { useSession } from '../session/session.tsx';

const slugify = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'org';

export function OnboardingForm() {
  const { orgs, orgId, adoptContext } = useSession();
  const needOrg = orgs.length === 0 || !orgId;
  const [orgName, setOrgName] = useState('');
  const [projectName, setProjectName] = useState('default');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const org = needOrg ? (await createOrg(orgName, slugify(orgName))).id : (orgId as string);
      const project = await createProject(org, projectName);
      await adoptContext(org, project.id);
    } catch (err) {
      setError(err as Error);
      setBusy(false);
    }
  };

  return (
    <form
      className="panel form-row"
      onSubmit={submit}
      aria-labelledby="onboard-title"
      data-testid="onboarding"
    >
      <h2 id="onboard-title">{needOrg ? 'Create your organization' : 'Create a project'}</h2>
      {needOrg && (
        <label>
          Organization name
          <input required value={orgName} onChange={(e) => setOrgName(e.target.value)} maxLength={100} />
        </label>
      )}
      <label>
        Project name
        <input
          required
          value={projectName}
          onChange={(e) => setProjectName(e.target.value)}
          maxLength={100}
        />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create'}
      </button>
      {error && <ErrorMessage error={error} />}
    </form>
  );
}
