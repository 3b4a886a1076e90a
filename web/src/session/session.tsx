/**
 * @module web/session/session
 * Who is using the dashboard and in which org/project. Three ways in:
 * a cookie session (passkey or magic link), a dev API key in local mode
 * (before identity exists, or for quick local poking), or nobody.
 * The org/project choice persists in localStorage across reloads.
 */
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { listOrgs, listProjects, type Org, type Project } from '../api/control-plane.ts';
import { getDevKey, SESSION_LOST_EVENT, setDevKey } from '../api/http.ts';
import { fetchMe, logout, type User } from '../api/identity.ts';
import { navigate } from '../router/router.tsx';

export type Auth =
  | { status: 'loading' }
  | { status: 'signedOut'; error?: string }
  | { status: 'user'; user: User }
  | { status: 'devKey' };

interface SessionValue {
  auth: Auth;
  orgs: Org[];
  projects: Project[];
  /** False until the org and project lists have answered once (so "none" is not shown while loading). */
  contextLoaded: boolean;
  orgId: string | null;
  projectId: string | null;
  selectOrg(id: string): void;
  selectProject(id: string): void;
  /** Re-reads `/v1/auth/me` (after sign-in) and the org list. */
  refresh(): Promise<void>;
  /** After creating an org or project: reload the lists and select the new ones. */
  adoptContext(orgId: string, projectId: string): Promise<void>;
  signInWithDevKey(key: string | null): void;
  signOut(): Promise<void>;
}

const Ctx = createContext<SessionValue | null>(null);
const ORG_KEY = 'orochi.org';
const PROJECT_KEY = 'orochi.project';

export function SessionProvider({ children }: { children: ReactNode }) {
  const [auth, setAuth] = useState<Auth>({ status: 'loading' });
  const [orgs, setOrgs] = useState<Org[]>([]);
  const [projects, setProjects] = useState<Project[]>([]);
  const [orgId, setOrgId] = useState<string | null>(() => localStorage.getItem(ORG_KEY));
  const [projectId, setProjectId] = useState<string | null>(() => localStorage.getItem(PROJECT_KEY));
  const [contextLoaded, setContextLoaded] = useState(false);
  const [projectsTick, setProjectsTick] = useState(0);

  // Only the newest check may set state: a slow /me from page load must not overwrite a later sign-in.
  const generation = useRef(0);
  const refresh = useCallback(async () => {
    const mine = ++generation.current;
    const stale = () => mine !== generation.current;
    if (getDevKey()) {
      setAuth({ status: 'devKey' });
      return;
    }
    try {
      const user = await fetchMe();
      if (stale()) return;
      setAuth(user ? { status: 'user', user } : { status: 'signedOut' });
      if (!user) return;
      const list = await listOrgs();
      if (stale()) return;
      setOrgs(list);
      setOrgId((cur) => (cur && list.some((o) => o.id === cur) ? cur : (list[0]?.id ?? null)));
      if (list.length === 0) setContextLoaded(true);
    } catch (e) {
      if (stale()) return;
      // A control plane that is down should not look like "signed out" without saying why.
      setAuth({ status: 'signedOut', error: `Could not check your session: ${(e as Error).message}` });
    }
  }, []);

  useEffect(() => {
    refresh();
  }, [refresh]);

  useEffect(() => {
    // Only a signed-in user can lose a session; anonymous 401s (the first /me) are expected.
    const lost = () =>
      setAuth((a) =>
        a.status === 'user' ? { status: 'signedOut', error: 'Your session ended. Sign in again.' } : a,
      );
    window.addEventListener(SESSION_LOST_EVENT, lost);
    return () => window.removeEventListener(SESSION_LOST_EVENT, lost);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: projectsTick re-fetches after creating a project.
  useEffect(() => {
    if (!orgId || auth.status !== 'user') return;
    localStorage.setItem(ORG_KEY, orgId);
    const ctl = new AbortController();
    listProjects(orgId, ctl.signal)
      .then((list) => {
        setProjects(list);
        setProjectId((cur) => (cur && list.some((p) => p.id === cur) ? cur : (list[0]?.id ?? null)));
        setContextLoaded(true);
      })
      .catch(() => {
        setProjects([]);
        setContextLoaded(true);
      });
    return () => ctl.abort();
  }, [orgId, auth.status, projectsTick]);

  useEffect(() => {
    if (projectId) localStorage.setItem(PROJECT_KEY, projectId);
  }, [projectId]);

  const value = useMemo<SessionValue>(
    () => ({
      auth,
      orgs,
      projects,
      orgId,
      projectId,
      contextLoaded,
      selectOrg(id) {
        // '' is "a new organization": no org and no project until the onboarding form creates them.
        setOrgId(id || null);
        if (!id) {
          setProjects([]);
          setProjectId(null);
        }
      },
      selectProject: setProjectId,
      refresh,
      async adoptContext(newOrg, newProject) {
        setOrgId(newOrg);
        setProjectId(newProject);
        setOrgs(await listOrgs());
        setProjectsTick((t) => t + 1);
      },
      signInWithDevKey(key) {
        setDevKey(key);
        setAuth({ status: 'loading' });
        refresh();
      },
      async signOut() {
        generation.current++; // a session check still in flight must not sign back in
        if (getDevKey()) setDevKey(null);
        else await logout().catch(() => undefined);
        // To the sign-in page first, so the page being left does not flash an inline sign-in form.
        navigate('/sign-in');
        setOrgs([]);
        setProjects([]);
        setAuth({ status: 'signedOut' });
      },
    }),
    [auth, orgs, projects, contextLoaded, orgId, projectId, refresh],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
