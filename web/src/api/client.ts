/**
 * The one module that talks to the Kaifang HTTP API (docs/api.md). Cookies ride along (session), JSON both
 * ways, problem+json → ApiError, creating POSTs carry an Idempotency-Key so a double click creates one thing.
 */
import { ApiError, type ProblemBody } from './problem';
import type {
  Area, AuditEntry, CalcInput, ClaimDetail, Claim, ClaimState, CreditStatus, EvaluationResult, Evidence, Me, NewClaim, Objection, Overview, Page,
  PaymentRow, PolicyLibrary, PublicityBatch, QueueCounts, ReviewAction,
  ComplianceReport, NewServiceCase, ServiceCase, ServiceCaseState, ServiceEventKind, ServiceImportResult, ServiceLimitCatalog,
  CreatedUser, LoginAnswer, NewUser, Role, SecondFactorOffer, UserStatusFilter, UserView,
} from './types';

type Query = Record<string, string | number | boolean | undefined | null>;

let onUnauthenticated: (() => void) | null = null;
/** The app registers what to do when the session is gone (go to the login page). */
export function setUnauthenticatedHandler(fn: (() => void) | null) {
  onUnauthenticated = fn;
}

export function qs(q?: Query): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function idempotencyKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

interface RequestOptions {
  method?: string;
  query?: Query;
  body?: unknown;
  form?: FormData;
  idempotent?: boolean | string;
  signal?: AbortSignal;
  /** do not call the unauthenticated handler on 401 (the login form and /api/me handle it themselves) */
  quiet401?: boolean;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  let body: BodyInit | undefined;
  if (opts.form) body = opts.form;
  else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (opts.idempotent) headers['idempotency-key'] = typeof opts.idempotent === 'string' ? opts.idempotent : idempotencyKey();
  let res: Response;
  try {
    res = await fetch(`${path}${qs(opts.query)}`, { method: opts.method ?? (body ? 'POST' : 'GET'), headers, body, credentials: 'include', signal: opts.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, { code: 'network', messageZh: '无法连接服务器', messageEn: 'cannot reach the server' });
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    const problem: ProblemBody = data && typeof data === 'object' ? (data as ProblemBody) : { status: res.status, title: typeof data === 'string' ? data.slice(0, 200) : res.statusText };
    const err = new ApiError(res.status, problem);
    if (res.status === 401 && !opts.quiet401 && onUnauthenticated) onUnauthenticated();
    throw err;
  }
  return data as T;
}

// ── Public ────────────────────────────────────────────────────────────────────────────────────────────
let policyPromise: Promise<PolicyLibrary> | null = null;
/** The policy library is large and never changes while the page is open: fetched once. */
export function getPolicy(): Promise<PolicyLibrary> {
  policyPromise ??= request<PolicyLibrary>('/api/policy').catch((e) => {
    policyPromise = null;
    throw e;
  });
  return policyPromise;
}

export const api = {
  health: () => request<{ ok: boolean; policy: string; version: string }>('/api/health'),
  calc: (input: CalcInput, asOf?: string) => request<EvaluationResult>('/api/calc', { body: input, query: { asOf } }),
  areas: () => request<Area[]>('/api/areas'),

  // session
  login: (username: string, password: string) => request<LoginAnswer>('/api/auth/login', { body: { username, password }, quiet401: true }),
  logout: () => request<void>('/api/auth/logout', { method: 'POST', quiet401: true }),
  me: () => request<Me>('/api/me', { quiet401: true }),
  secondFactor: (code: string) => request<LoginAnswer>('/api/auth/second-factor', { body: { code }, quiet401: true }),

  // users and one's own account (src/http/routes/users.ts); no Idempotency-Key: the answers hold one-time passwords
  users: (q: { role?: Role | ''; status?: UserStatusFilter | ''; areaId?: string; departmentId?: string; enterpriseUscc?: string; q?: string; page?: number; pageSize?: number }) =>
    request<Page<UserView>>('/api/users', { query: q }),
  createUser: (u: NewUser) => request<CreatedUser>('/api/users', { body: u }),
  updateUser: (id: number, patch: { displayName?: string; enterpriseAdmin?: boolean }) => request<UserView>(`/api/users/${id}`, { method: 'PATCH', body: patch }),
  userAction: (id: number, action: 'disable' | 'enable' | 'unlock' | 'second-factor/reset') => request<UserView>(`/api/users/${id}/${action}`, { method: 'POST', body: {} }),
  resetPassword: (id: number) => request<{ oneTimePassword: string }>(`/api/users/${id}/reset-password`, { method: 'POST', body: {} }),
  changePassword: (currentPassword: string, newPassword: string) => request<void>('/api/me/password', { body: { currentPassword, newPassword } }),
  secondFactorSetup: () => request<SecondFactorOffer>('/api/me/second-factor/setup', { method: 'POST', body: {} }),
  secondFactorEnable: (password: string, code: string) => request<void>('/api/me/second-factor/enable', { body: { password, code } }),
  secondFactorDisable: (password: string) => request<void>('/api/me/second-factor/disable', { body: { password } }),

  // enterprises
  entitlements: (uscc: string, year?: number) => request<EvaluationResult>(`/api/enterprises/${encodeURIComponent(uscc)}/entitlements`, { query: { year } }),
  enterpriseCredit: (uscc: string) => request<CreditStatus>(`/api/enterprises/${encodeURIComponent(uscc)}/credit`),
  enterpriseFacts: (uscc: string, year: number) => request<{ facts: Record<string, unknown> }>(`/api/enterprises/${encodeURIComponent(uscc)}/facts/${year}`),

  // claims
  claims: (q: { state?: ClaimState | ''; measure?: number | string; incentive?: string; areaId?: string; year?: number; q?: string; queue?: string; page?: number; pageSize?: number }) =>
    request<Page<Claim>>('/api/claims', { query: q }),
  queues: () => request<QueueCounts>('/api/claims/queues'),
  createClaim: (c: NewClaim, key?: string) => request<Claim>('/api/claims', { body: c, idempotent: key ?? true }),
  claim: (id: number | string) => request<ClaimDetail>(`/api/claims/${id}`),
  patchClaim: (id: number | string, patch: Partial<Omit<NewClaim, 'incentive' | 'year'>>) => request<Claim>(`/api/claims/${id}`, { method: 'PATCH', body: patch }),
  uploadEvidence: (id: number | string, file: File, signal?: AbortSignal) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return request<Evidence>(`/api/claims/${id}/evidence`, { form, idempotent: true, signal });
  },
  evidenceUrl: (id: number | string, evidenceId: number | string) => `/api/claims/${id}/evidence/${evidenceId}`,
  submit: (id: number | string) => request<Claim>(`/api/claims/${id}/submit`, { method: 'POST', body: {}, idempotent: true }),
  withdraw: (id: number | string, reason?: string) => request<Claim>(`/api/claims/${id}/withdraw`, { method: 'POST', body: reason ? { reason } : {}, idempotent: true }),
  review: (id: number | string, body: { action: ReviewAction; reason?: string; amountFen?: number; meetingRef?: string }) =>
    request<Claim>(`/api/claims/${id}/review`, { method: 'POST', body, idempotent: true }),
  pay: (id: number | string, body: { voucherNo: string; paidOn: string }) => request<unknown>(`/api/claims/${id}/pay`, { method: 'POST', body, idempotent: true }),
  claimAudit: (id: number | string) => request<AuditEntry[] | Page<AuditEntry>>(`/api/claims/${id}/audit`),

  // 公示
  publicityList: () => request<PublicityBatch[] | Page<PublicityBatch>>('/api/publicity'),
  publicity: (id: number | string) => request<PublicityBatch>(`/api/publicity/${id}`),
  publish: (body: { title: string; claimIds: number[]; startsOn: string; days?: number }) => request<PublicityBatch>('/api/publicity', { body, idempotent: true }),
  addObjection: (batchId: number | string, body: { claimId?: number; objector: string; contact?: string; content: string; receivedOn: string }) =>
    request<Objection>(`/api/publicity/${batchId}/objections`, { body, idempotent: true }),
  resolveObjection: (id: number | string, body: { outcome: 'upheld' | 'dismissed'; resolution: string }) => request<Objection>(`/api/objections/${id}/resolve`, { method: 'POST', body }),
  closePublicity: (id: number | string) => request<PublicityBatch>(`/api/publicity/${id}/close`, { method: 'POST', body: {} }),
  publicityExportUrl: (id: number | string) => `/api/publicity/${id}/export.xlsx`,

  // 拨付
  payments: (status: 'awaiting' | 'paid') => request<PaymentRow[] | Page<PaymentRow>>('/api/payments', { query: { status } }),
  paymentsExportUrl: (status: 'awaiting' | 'paid') => `/api/payments/export.xlsx${qs({ status })}`,

  // overview, audit
  overview: (year?: number) => request<Overview>('/api/stats/overview', { query: { year } }),
  audit: (q: { entity?: string; entityId?: string; page?: number }) => request<Page<AuditEntry> | AuditEntry[]>('/api/audit', { query: q }),

  // 服务时限 (measures 22–25)
  serviceLimits: () => request<ServiceLimitCatalog>('/api/service-limits'),
  serviceCases: (q: { asOf?: string; limitId?: string; department?: string; overdue?: boolean; state?: ServiceCaseState | ''; q?: string; page?: number; pageSize?: number }) =>
    request<Page<ServiceCase> & { asOf: string }>('/api/service-cases', { query: { ...q, overdue: q.overdue ? 'true' : undefined } }),
  serviceCase: (id: number | string, asOf?: string) => request<ServiceCase>(`/api/service-cases/${id}`, { query: { asOf } }),
  createServiceCase: (c: NewServiceCase) => request<ServiceCase>('/api/service-cases', { body: c, idempotent: true }),
  serviceCaseEvent: (id: number | string, body: { kind: ServiceEventKind; on: string; at?: string; note?: string }) =>
    request<ServiceCase>(`/api/service-cases/${id}/events`, { body, idempotent: true }),
  serviceCompliance: (q: { asOf?: string; year?: number } = {}) => request<ComplianceReport>('/api/service-cases/compliance', { query: q }),
  serviceComplianceXlsxUrl: (q: { asOf?: string; year?: number } = {}) => `/api/service-cases/compliance.xlsx${qs(q)}`,
  serviceTemplateUrl: () => '/api/service-cases/template.xlsx',

  // 工作日历 (the working-day calendar and its yearly upkeep)
  calendar: () => request<import('./types').CalendarCoverage>('/api/calendar'),
  calendarYear: (year: number) => request<import('./types').CalendarYearEntry>(`/api/calendar/years/${year}`),
  saveCalendarYear: (year: number, body: import('./types').CalendarYearInput) =>
    request<{ saved: import('./types').CalendarYearSummary; coverage: import('./types').CalendarCoverage }>(`/api/calendar/years/${year}`, { method: 'PUT', body }),
  // 更正与追回 (corrections from the case view; the clawbacks' follow-up)
  claimCorrections: (id: number | string) => request<import('./types').ClaimCorrections>(`/api/claims/${id}/corrections`),
  correct: (id: number | string, body: { kind: 'reversal' | 'clawback'; reason: string; amountFen?: number; dueOn?: string }) =>
    request<{ id: number; ledgerEntryId: number; amountFen: number; outstandingFen: number; recoveryId: number | null }>(`/api/claims/${id}/corrections`, { body, idempotent: true }),
  recoveries: (f: import('./types').RecoveryFilter & { page?: number; pageSize?: number }) =>
    request<import('./types').RecoveryPage>('/api/recoveries', { query: { ...f, overdue: f.overdue ? 'true' : undefined } }),
  recoveriesExportUrl: (f: import('./types').RecoveryFilter) => `/api/recoveries/export.xlsx${qs({ ...f, overdue: f.overdue ? 'true' : undefined })}`,
  recordRecovery: (recoveryId: number, body: { amountFen: number; receivedOn: string; reference: string; note?: string }) =>
    request<import('./types').Recovery>(`/api/recoveries/${recoveryId}/receipts`, { body, idempotent: true }),
  importServiceCases: (file: File, dryRun = false) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return request<ServiceImportResult>('/api/service-cases/import', { form, idempotent: true, query: { dryRun: dryRun ? 'true' : undefined } });
  },
};

/** Lists may come as a page or a bare array; the pages read both. */
export function itemsOf<T>(x: T[] | Page<T> | null | undefined): T[] {
  if (!x) return [];
  return Array.isArray(x) ? x : (x.items ?? []);
}

/** How many the whole list holds: a page's total, or a bare array's length. */
export function totalOf<T>(x: T[] | Page<T> | null | undefined): number {
  if (!x) return 0;
  return Array.isArray(x) ? x.length : (x.total ?? itemsOf(x).length);
}

/** The policy's years (its period, from the first year to the last); 2020 until the policy is loaded. */
export function policyYears(policy: PolicyLibrary | undefined): number[] {
  if (!policy) return [2020];
  const from = Number(policy.effective.from.slice(0, 4));
  const to = Number(policy.effective.to.slice(0, 4));
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

// ── The audit page (auditor, admin) and every user's inbox (src/http/routes/audit.ts, inbox.ts) ──────────
import type { AuditCatalog, AuditTrailFilter, AuditTrailPage, AuditVerifyState, ClaimTiming, InboxView } from './types';

export const auditApi = {
  trail: (f: AuditTrailFilter, before?: number | null, pageSize = 50) => request<AuditTrailPage>('/api/audit', { query: { ...f, before: before ?? undefined, pageSize } }),
  actions: () => request<AuditCatalog>('/api/audit/actions'),
  exportUrl: (f: AuditTrailFilter) => `/api/audit/export.xlsx${qs({ ...f })}`,
  verifyStatus: () => request<AuditVerifyState>('/api/audit/verify'),
  verify: () => request<AuditVerifyState>('/api/audit/verify', { method: 'POST', body: {} }),
  anchorUrl: () => '/api/audit/anchor',
};

export const inboxApi = {
  inbox: () => request<InboxView>('/api/inbox'),
  count: () => request<{ unseen: number; unseenMore: boolean }>('/api/inbox/count'),
  seen: (upTo?: number) => request<{ seenId: number }>('/api/inbox/seen', { method: 'POST', body: upTo === undefined ? {} : { upTo } }),
  timing: (claimIds: number[]) => request<{ today: string; items: ClaimTiming[] }>('/api/work/timing', { query: { claimIds: claimIds.join(',') } }),
};

// ── 政企服务 (measure 21): requests and their figures (src/http/routes/service-desk.ts) ─────────────────────────
import type { ServiceDeskCatalog, ServiceFigures, ServiceRequest, ServiceRequestDetail, ServiceRequestMoved, ServiceRequestState } from './types';

export const serviceDeskApi = {
  catalog: () => request<ServiceDeskCatalog>('/api/service-desk/catalog'),
  list: (f: { scope?: 'unit' | 'liaison'; state?: ServiceRequestState | 'open'; overdue?: boolean; page?: number; pageSize?: number }) =>
    request<Page<ServiceRequest>>('/api/service-requests', { query: { ...f, overdue: f.overdue ? 'true' : undefined } }),
  get: (id: number | string) => request<ServiceRequestDetail>(`/api/service-requests/${id}`),
  file: (body: { category: string; title: string; description: string }) => request<ServiceRequestDetail>('/api/service-requests', { method: 'POST', body, idempotent: true }),
  act: (id: number | string, verb: 'acknowledge' | 'transfer' | 'ask-info' | 'answer' | 'supply-info' | 'rate' | 'reopen', body: object = {}) =>
    request<ServiceRequestDetail | ServiceRequestMoved>(`/api/service-requests/${id}/${verb}`, { method: 'POST', body }),
  attach: (id: number | string, file: File) => {
    const form = new FormData();
    form.append('file', file);
    return request<{ id: number; fileName: string }>(`/api/service-requests/${id}/files`, { method: 'POST', form, idempotent: true });
  },
  fileUrl: (id: number | string, fileId: number) => `/api/service-requests/${id}/files/${fileId}`,
  figures: (by: 'unit' | 'category' | 'area', isPublic = false) =>
    request<ServiceFigures>(isPublic ? '/api/public/service-requests/figures' : '/api/service-requests/figures', { query: { by }, quiet401: isPublic }),
};

// ── 企业信息直报 (measure 21) ─────────────────────────────────────────────────────────────────────────────────
import type { DirectReport, DirectReportCompletion } from './types';

export const directReportApi = {
  list: () => request<{ items: DirectReport[] }>('/api/direct-reports'),
  get: (id: number | string) => request<DirectReport>(`/api/direct-reports/${id}`),
  define: (body: object) => request<DirectReport>('/api/direct-reports', { method: 'POST', body, idempotent: true }),
  answer: (id: number | string, body: { period?: string; values: Record<string, unknown> }) => request<{ answered: string[] }>(`/api/direct-reports/${id}/answers`, { method: 'POST', body }),
  importAnswers: (id: number | string, file: File) => {
    const form = new FormData();
    form.append('file', file);
    return request<{ answered: string[] }>(`/api/direct-reports/${id}/answers/import`, { method: 'POST', form, idempotent: true });
  },
  templateUrl: (id: number | string) => `/api/direct-reports/${id}/template.xlsx`,
  answersUrl: (id: number | string) => `/api/direct-reports/${id}/answers.xlsx`,
  completion: (id: number | string, period?: string) => request<DirectReportCompletion>(`/api/direct-reports/${id}/completion`, { query: { period } }),
  chase: (id: number | string, period: string) => request<{ period: string; chased: number }>(`/api/direct-reports/${id}/chase`, { method: 'POST', body: { period } }),
};

// ── 挂钩联系与走访记录 (measure 21) ───────────────────────────────────────────────────────────────────────────
import type { LiaisonEnterprises, LiaisonVisits } from './types';

export const liaisonApi = {
  enterprises: () => request<LiaisonEnterprises>('/api/liaison/enterprises'),
  visits: (uscc: string) => request<LiaisonVisits>('/api/liaison/visits', { query: { uscc } }),
  logVisit: (body: { uscc: string; visitedOn: string; visitors: string; asked: string; followUps?: string; reason?: string }) =>
    request<{ id: number; inPeriod: number }>('/api/liaison/visits', { method: 'POST', body, idempotent: true }),
};

// ── 帮办代办 (measure 21) ───────────────────────────────────────────────────────────────────────────────────────
import type { AssistanceCase, AssistanceCatalogue } from './types';

export const assistanceApi = {
  catalogue: () => request<AssistanceCatalogue>('/api/public/assistance/catalogue', { quiet401: true }),
  list: () => request<{ items: AssistanceCase[] }>('/api/assistance'),
  get: (id: number) => request<AssistanceCase>(`/api/assistance/${id}`),
  ask: (body: { item: string; note?: string }) => request<AssistanceCase>('/api/assistance', { method: 'POST', body, idempotent: true }),
  assign: (id: number) => request<AssistanceCase>(`/api/assistance/${id}/assign`, { method: 'POST', body: {} }),
  progress: (id: number, body: { step?: string; note?: string; result?: string }) => request<AssistanceCase>(`/api/assistance/${id}/progress`, { method: 'POST', body }),
};

// ── 综合金融服务平台 (measure 21) ──────────────────────────────────────────────────────────────────────────────
import type { FinancingNeed, FinancingPipeline, FinancingProduct } from './types';

export const financingApi = {
  needs: () => request<{ items: FinancingNeed[] }>('/api/financing/needs'),
  post: (body: { amountFen: number; termMonths: number; purpose: string; security: string; urgency: 'normal' | 'urgent' }) => request<FinancingNeed>('/api/financing/needs', { method: 'POST', body, idempotent: true }),
  respond: (matchId: number, body: { status: 'interested' | 'declined' | 'granted'; note?: string; grantedFen?: number; grantedOn?: string }) => request<FinancingNeed>(`/api/financing/matches/${matchId}/respond`, { method: 'POST', body }),
  products: () => request<{ items: FinancingProduct[] }>('/api/financing/products'),
  addProduct: (body: object) => request<{ id: number }>('/api/financing/products', { method: 'POST', body }),
  banks: () => request<{ items: Array<{ id: number; name: string }> }>('/api/financing/banks'),
  pipeline: () => request<FinancingPipeline>('/api/financing/pipeline'),
};
