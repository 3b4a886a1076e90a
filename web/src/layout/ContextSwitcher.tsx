/**
 * @module web/layout/ContextSwitcher
 * Organization and project pickers. Native `<select>`s: keyboard and screen
 * reader support for free, and they work at phone width.
 */
import { useSession } from '../session/session.tsx';

export function ContextSwitcher() {
  const { auth, orgs, projects, orgId, projectId, selectOrg, selectProject } = useSession();
  if (auth.status === 'devKey') {
    return <span className="switcher muted">Local dev project</span>;
  }
  return (
    <div className="switcher">
      <label>
        <span className="visually-hidden">Organization</span>
        <select value={orgId ?? ''} onChange={(e) => selectOrg(e.target.value)} data-testid="org-select">
          {orgs.length === 0 && <option value="">No organizations</option>}
          {orgs.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
          {orgs.length > 0 && <option value="">New organization…</option>}
        </select>
      </label>
      <span aria-hidden="true">/</span>
      <label>
        <span className="visually-hidden">Project</span>
        <select
          value={projectId ?? ''}
          onChange={(e) => selectProject(e.target.value)}
          data-testid="project-select"
        >
          {projects.length === 0 && <option value="">{orgId ? 'No projects' : '—'}</option>}
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
