/**
 * Who may do what to which thing: one table of actions × roles, each cell naming the scope that must
 * match. Anything not in the table is refused, and a scoped permission is refused when the resource does
 * not say which enterprise / area / measure it belongs to (fail closed).
 *
 * Roles (issue 3):
 *   enterprise          its own enterprise only
 *   areaReviewer        区镇 first review (初审) of enterprises in its area
 *   departmentReviewer  the measures its department leads (牵头单位) — from the policy, via `leadUnitsOf`
 *   finance             payments and budgets, district-wide
 *   auditor             reads everything, changes nothing
 *   admin               users and reference data; deliberately no access to claims or money
 *   bank                a bank branch (综合金融服务平台): the financing needs matched to its own products
 */
import type { Role } from '../db/schema.ts';
import { KaifangError } from '../errors.ts';
import type { Principal } from './users.ts';

/**
 * any: no scope; enterprise: resource.enterpriseUscc is the user's; area: resource.areaId is the user's; measure: the
 * user's department leads resource.measureId; enterpriseAdmin: the user is its enterprise's administrator and
 * resource.enterpriseUscc is that enterprise (its colleagues' accounts).
 */
type Scope = 'any' | 'enterprise' | 'area' | 'measure' | 'enterpriseAdmin';

const READ_CLAIMS: Partial<Record<Role, Scope>> = {
  enterprise: 'enterprise',
  areaReviewer: 'area',
  departmentReviewer: 'measure',
  finance: 'any',
  auditor: 'any',
};

export const PERMISSIONS = {
  'enterprise.read': { enterprise: 'enterprise', areaReviewer: 'area', departmentReviewer: 'measure', finance: 'any', auditor: 'any', admin: 'any' },
  'enterprise.create': { admin: 'any' },
  'enterprise.update': { admin: 'any' },

  'claim.read': READ_CLAIMS,
  'claim.create': { enterprise: 'enterprise' },
  'claim.edit': { enterprise: 'enterprise' },
  'claim.submit': { enterprise: 'enterprise' },
  'claim.withdraw': { enterprise: 'enterprise' },
  'evidence.read': READ_CLAIMS,
  'evidence.upload': { enterprise: 'enterprise' },
  'claim.firstReview': { areaReviewer: 'area' },
  'claim.departmentReview': { departmentReviewer: 'measure' },
  'claim.jointDecision': { departmentReviewer: 'measure' },

  // 公示 lists are public once published; officials all read them.
  'publicity.read': { enterprise: 'any', areaReviewer: 'any', departmentReviewer: 'any', finance: 'any', auditor: 'any', admin: 'any' },
  'publicity.manage': { departmentReviewer: 'measure' },
  'objection.record': { departmentReviewer: 'measure' },
  'objection.resolve': { departmentReviewer: 'measure' },

  'payment.read': { enterprise: 'enterprise', departmentReviewer: 'measure', finance: 'any', auditor: 'any' },
  'payment.record': { finance: 'any' },
  'ledger.read': { enterprise: 'enterprise', departmentReviewer: 'measure', finance: 'any', auditor: 'any' },
  'ledger.recordCityAward': { departmentReviewer: 'measure' },
  'ledger.correct': { departmentReviewer: 'measure' },
  'budget.read': { departmentReviewer: 'measure', finance: 'any', auditor: 'any' },
  'budget.manage': { finance: 'any' },

  'credit.read': { areaReviewer: 'any', departmentReviewer: 'any', finance: 'any', auditor: 'any', admin: 'any' },
  'credit.manage': { admin: 'any' },

  // An enterprise's administrator keeps its colleagues' accounts (same USCC); the district admin keeps everyone's.
  'user.read': { auditor: 'any', admin: 'any', enterprise: 'enterpriseAdmin' },
  'user.manage': { admin: 'any', enterprise: 'enterpriseAdmin' },
  // The working-day calendar: every official reads it (due dates are counted in it); the administrator enters each
  // new year's State Council notice.
  'calendar.read': { areaReviewer: 'any', departmentReviewer: 'any', finance: 'any', auditor: 'any', admin: 'any' },
  'calendar.manage': { admin: 'any' },
  'audit.read': { auditor: 'any', admin: 'any' },
  // 政企服务 (measure 21, src/service-desk/): an enterprise files its own requests; officials handle them, narrowed in
  // src/service-desk/requests.ts to the unit the request is with (their department or area) or the enterprises they
  // are liaison for — anyone else is answered 404. The figures carry no names.
  'serviceRequest.file': { enterprise: 'enterprise' },
  'serviceRequest.read': { enterprise: 'enterprise', areaReviewer: 'any', departmentReviewer: 'any', auditor: 'any' },
  'serviceRequest.handle': { areaReviewer: 'any', departmentReviewer: 'any' },
  'serviceFigures.read': { areaReviewer: 'any', departmentReviewer: 'any', finance: 'any', auditor: 'any', admin: 'any' },
  'serviceLiaison.manage': { admin: 'any' },
  // 综合金融服务平台 (src/service-desk/financing.ts): a bank (one account per branch) answers only the needs matched to
  // its own products — narrowed there, anyone else's match is 404; 金融办 (the financial office's reviewers) keeps the
  // products and reads the pipeline, narrowed there to that department.
  'financing.post': { enterprise: 'enterprise' },
  'financing.respond': { bank: 'any' },
  'audit.verify': { auditor: 'any', admin: 'any' },
  // The investment map (issue 13): the public reads it without an account (routes marked public). Department
  // reviewers keep it — the owning unit of each layer (investment-map.yaml) is checked by the route; the commerce
  // bureau keeps the leads; the auditor reads them.
  'investmentMap.manage': { departmentReviewer: 'any' },
  'lead.read': { departmentReviewer: 'any', auditor: 'any' },
  'lead.manage': { departmentReviewer: 'any' },
} as const satisfies Record<string, Partial<Record<Role, Scope>>>;

export type Action = keyof typeof PERMISSIONS;
export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

/** What a permission is checked against: the owner enterprise, its area, the measure (and policy). */
export interface Resource {
  enterpriseUscc?: string | null;
  areaId?: string | null;
  measureId?: string | null;
  policyId?: string | null;
}

export interface AccessContext {
  /** The departments that lead (牵头) a measure, from the policy. */
  leadUnitsOf(measureId: string, policyId?: string): readonly string[];
}

/** An AccessContext from a measure → lead departments table (e.g. built from the policy's measure files). */
export function leadUnitIndex(entries: Iterable<readonly [measureId: string, departmentIds: readonly string[]]>): AccessContext & {
  measuresLedBy(departmentId: string): string[];
} {
  const byMeasure = new Map<string, readonly string[]>();
  for (const [measure, departments] of entries) byMeasure.set(measure, [...departments]);
  return {
    leadUnitsOf: (measureId) => byMeasure.get(measureId) ?? [],
    measuresLedBy: (departmentId) => [...byMeasure].filter(([, ds]) => ds.includes(departmentId)).map(([m]) => m),
  };
}

export function can(user: Principal, action: Action, resource: Resource = {}, context?: AccessContext): boolean {
  const scope = (PERMISSIONS[action] as Partial<Record<Role, Scope>>)[user.role];
  switch (scope) {
    case 'any':
      return true;
    case 'enterprise':
      return !!user.enterpriseUscc && resource.enterpriseUscc === user.enterpriseUscc;
    case 'enterpriseAdmin':
      return !!user.enterpriseAdmin && !!user.enterpriseUscc && resource.enterpriseUscc === user.enterpriseUscc;
    case 'area':
      return !!user.areaId && resource.areaId === user.areaId;
    case 'measure': {
      if (!user.departmentId || !resource.measureId) return false;
      if (!context) throw new Error(`can(${action}) for a department reviewer needs an AccessContext (the measures' lead units)`);
      return context.leadUnitsOf(resource.measureId, resource.policyId ?? undefined).includes(user.departmentId);
    }
    default:
      return false;
  }
}

/** Like `can`, but throws KaifangError `forbidden` (for HTTP 403) instead of returning false. */
export function authorize(user: Principal, action: Action, resource: Resource = {}, context?: AccessContext): void {
  if (!can(user, action, resource, context)) {
    throw new KaifangError({
      code: 'forbidden',
      zh: `无权执行此操作（${action}）`,
      en: `not allowed: ${action}`,
      details: { action, role: user.role },
    });
  }
}

/**
 * For list queries: which rows of a scoped action the user may see, as a filter to put in SQL.
 * `{ all: true }`, or the one enterprise / area, or the measures its department leads; `none` when the
 * role has no such permission.
 */
export type ListScope =
  | { kind: 'all' }
  | { kind: 'enterprise'; enterpriseUscc: string }
  | { kind: 'area'; areaId: string }
  | { kind: 'measures'; measureIds: string[] }
  | { kind: 'none' };

export function listScope(
  user: Principal,
  action: Action,
  context?: { measuresLedBy(departmentId: string): readonly string[] },
): ListScope {
  const scope = (PERMISSIONS[action] as Partial<Record<Role, Scope>>)[user.role];
  if (scope === 'any') return { kind: 'all' };
  if (scope === 'enterprise' && user.enterpriseUscc) return { kind: 'enterprise', enterpriseUscc: user.enterpriseUscc };
  if (scope === 'enterpriseAdmin' && user.enterpriseAdmin && user.enterpriseUscc) return { kind: 'enterprise', enterpriseUscc: user.enterpriseUscc };
  if (scope === 'area' && user.areaId) return { kind: 'area', areaId: user.areaId };
  if (scope === 'measure' && user.departmentId) {
    if (!context) throw new Error(`listScope(${action}) for a department reviewer needs measuresLedBy`);
    return { kind: 'measures', measureIds: [...context.measuresLedBy(user.departmentId)] };
  }
  return { kind: 'none' };
}
