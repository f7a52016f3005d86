/**
 * Who is signed in. The session is an httpOnly cookie; the app learns the user from GET /api/me on load and
 * from the login answer. Public pages never wait for this.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api } from '../api/client';
import { ApiError } from '../api/problem';
import type { Me, Role } from '../api/types';

export const OFFICIAL_ROLES: Role[] = ['areaReviewer', 'departmentReviewer', 'finance', 'auditor', 'admin'];

/**
 * Which role opens which workbench page, mirroring the server's permissions (src/identity/access.ts): the
 * administrator manages users and reference data and deliberately sees no claims or money; the auditor reads
 * everything and changes nothing.
 */
export const PAGE_ROLES = {
  portal: ['enterprise'],
  queue: ['areaReviewer', 'departmentReviewer', 'finance', 'auditor'],
  caseView: ['areaReviewer', 'departmentReviewer', 'finance', 'auditor'],
  publicity: ['departmentReviewer', 'auditor'],
  payments: ['finance', 'auditor'],
  /** 拨付批次: finance builds and records them, auditors read (src/claims/payment-batches.ts) */
  paymentBatches: ['finance', 'auditor'],
  /** 预算: finance sets them; lead departments (their measures) and auditors read */
  budgets: ['departmentReviewer', 'finance', 'auditor'],
  /** 追回跟踪: lead departments (their measures; they record receipts), finance and the auditor (ledger.read) */
  recoveries: ['departmentReviewer', 'finance', 'auditor'],
  overview: ['areaReviewer', 'departmentReviewer', 'finance', 'auditor'],
  audit: ['auditor', 'admin'],
  /** 服务时限 (measures 22–25): every official reads (src/http/routes/service-cases.ts READERS) */
  serviceLimits: ['areaReviewer', 'departmentReviewer', 'finance', 'auditor', 'admin'],
  /** 工作日历维护: the administrator enters each new year's holiday notice (src/identity/access.ts calendar.manage) */
  calendar: ['admin'],
  /** 诉求办理 (measure 21): the unit's queue and liaison enterprises; the auditor reads (serviceRequest.read) */
  serviceRequests: ['areaReviewer', 'departmentReviewer', 'auditor'],
  /** 诉求统计: officials (serviceRequest.figures); the public copy is /service-figures */
  serviceFigures: ['areaReviewer', 'departmentReviewer', 'finance', 'auditor', 'admin'],
  /** 企业信息直报: departments define and follow their reports; the auditor reads */
  directReports: ['departmentReviewer', 'auditor'],
  /** 挂钩联系: liaison leaders and officers are department or area officials (src/service-desk/visits.ts) */
  liaison: ['areaReviewer', 'departmentReviewer'],
  /** 帮办代办: the items' units assign agents and record steps; the auditor reads */
  assistance: ['areaReviewer', 'departmentReviewer', 'auditor'],
  /** 融资对接: 金融办 (a department reviewer of the financial office; the server narrows) and the auditor */
  financing: ['departmentReviewer', 'auditor'],
  /** 用户管理: the admin keeps accounts, the auditor reads them (an enterprise's administrator: /portal/colleagues) */
  users: ['admin', 'auditor'],
  /** 企业管理: the admin registers, edits and imports; officials who read enterprises see them read-only in their scope */
  enterprises: ['admin', 'areaReviewer', 'departmentReviewer', 'finance', 'auditor'],
  /** 市级奖励: lead departments record them for their measures (ledger.recordCityAward); finance and auditors read */
  cityAwards: ['departmentReviewer', 'finance', 'auditor'],
  /** 信用名单: the admin lists, delists and imports (credit.manage); officials read (credit.read) */
  creditList: ['admin', 'areaReviewer', 'departmentReviewer', 'finance', 'auditor'],
  /** 招商线索 (issue 13): department reviewers and the auditor read (lead.read); 区商务局 keeps them (the server checks the unit) */
  leads: ['departmentReviewer', 'auditor'],
} as const satisfies Record<string, readonly Role[]>;

export type WorkPage = keyof typeof PAGE_ROLES;

export function mayOpen(user: Me | null, page: WorkPage): boolean {
  return !!user && (PAGE_ROLES[page] as readonly Role[]).includes(user.role);
}

/**
 * Who records service cases: department reviewers (their own department's limits) and admins (any), as the
 * server's WRITERS. Returns the department a reviewer is confined to, null for an admin, false for readers.
 */
export function serviceCaseWriter(user: Me | null): string | null | false {
  if (user?.role === 'admin') return null;
  if (user?.role === 'departmentReviewer') return user.departmentId ?? null;
  return false;
}

interface AuthState {
  user: Me | null;
  /** true until the first /api/me answer */
  loading: boolean;
  /** the password; the user comes back with `secondFactorPending` when a code is due next */
  login: (username: string, password: string) => Promise<Me>;
  /** the code of the second factor, completing the sign-in */
  completeSecondFactor: (code: string) => Promise<Me>;
  logout: () => Promise<void>;
  refresh: () => Promise<void>;
  /** the session ended (a 401 somewhere): forget the user */
  expire: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

// Asked for as soon as the script runs, not after the first render: the workbench and the portal wait on it.
let firstMe: Promise<Me> | null = typeof window !== 'undefined' ? api.me() : null;
firstMe?.catch(() => undefined);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);

  const refresh = useCallback(async () => {
    try {
      const pending = firstMe ?? api.me();
      firstMe = null;
      setUser(await pending);
    } catch (e) {
      // 401: not signed in. Anything else (server down, endpoint missing): treat as signed out, public pages still work.
      if (!(e instanceof ApiError)) console.warn(e);
      setUser(null);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const login = useCallback(async (username: string, password: string) => {
    const res = await api.login(username, password);
    let me: Me = { ...res.user, secondFactorPending: res.user.secondFactorPending ?? res.secondFactorRequired };
    // /api/me carries the enterprise details the login answer may leave out
    try {
      me = await api.me();
    } catch {
      /* the login answer is enough to go on */
    }
    // half signed in (the code still due): not a user of the app yet
    if (!me.secondFactorPending) setUser(me);
    return me;
  }, []);

  const completeSecondFactor = useCallback(async (code: string) => {
    const res = await api.secondFactor(code);
    let me: Me = res.user;
    try {
      me = await api.me();
    } catch {
      /* the answer is enough to go on */
    }
    setUser(me);
    return me;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setUser(null);
    }
  }, []);

  const expire = useCallback(() => setUser(null), []);

  const value = useMemo(() => ({ user, loading, login, completeSecondFactor, logout, refresh, expire }), [user, loading, login, completeSecondFactor, logout, refresh, expire]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}

/** Where a user lands after signing in. */
export function homeOf(user: Me | null): string {
  if (!user) return '/policy';
  // a one-time or published password is changed before anything else (the API refuses the rest meanwhile)
  if (user.mustChangePassword) return '/account';
  if (user.role === 'enterprise') return '/portal';
  if (user.role === 'admin') return '/work/users';
  if (user.role === 'bank') return '/bank'; // a bank branch: the financing needs matched to it
  return '/work/queue';
}

export function uscc(user: Me | null): string | null {
  return user?.enterpriseUscc ?? user?.enterprise?.uscc ?? null;
}
