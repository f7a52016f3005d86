/**
 * The shapes of docs/api.md as the web app reads them. Public shapes (policy, calc) are checked against the
 * running server; the authenticated ones follow the contract text and are read defensively (optional fields)
 * until the server side lands.
 */

export type Lang = 'zh' | 'en';

export type FactType = 'money' | 'area' | 'number' | 'integer' | 'boolean' | 'date' | 'year' | 'enum' | 'yearList' | 'string';

export interface FactDecl {
  name: string;
  type: FactType;
  label: string;
  labelEn: string;
  description?: string;
  descriptionEn?: string;
  values?: string[];
  valueLabels?: Record<string, string>;
  valueLabelsEn?: Record<string, string>;
  unit?: string;
}

export type IncentiveKind = 'formula' | 'fixed' | 'cappedClaim' | 'caseByCase' | 'amountNotSet';

export interface Condition {
  fact?: string;
  label: string;
  labelEn?: string;
}

export interface IncentiveView {
  id: string;
  measure: number | null;
  title: string;
  titleEn?: string;
  kind: IncentiveKind;
  clause: string;
  summary: string;
  summaryEn?: string;
  amountText: string;
  amountTextEn?: string;
  fixedFen?: number;
  caps: Array<{ scope: string; label: string; labelEn?: string; limitFen?: number }>;
  conditions: Condition[];
  facts: string[];
  item?: { label: string; labelEn: string };
  once?: unknown;
  maxYears?: number;
  leadUnit: string | null;
  leadUnitName: string | null;
  beneficiary?: string;
  interpretations?: string[];
}

export interface MeasureView {
  measure: number;
  section: number;
  title: string;
  titleEn?: string;
  clause: string;
  summary: string;
  summaryEn?: string;
  leadUnit: string | null;
  leadUnitName: string | null;
  responsibleUnits: Array<{ id: string; name: string }>;
  incentives: IncentiveView[];
}

export interface SectionView {
  no: number;
  title: string;
  titleEn?: string;
  measures: number[];
}

export interface Interpretation {
  id: string;
  measures?: number[];
  question: string;
  questionEn?: string;
  choice: string;
  basis?: string;
  alternative?: string;
  options?: Array<{ key: string; label: string; labelEn?: string }>;
}

export interface PolicyLibrary {
  id: string;
  version: string;
  title: string;
  titleEn?: string;
  issued?: string;
  effective: { from: string; to: string };
  issuers?: string[];
  sections: SectionView[];
  generalProvisions?: Array<{ id: string; clause: string; summary: string; summaryEn?: string }>;
  measures: MeasureView[];
  generalIncentives: IncentiveView[];
  facts: FactDecl[];
  interpretations: Interpretation[];
  targets: Array<{ id: string; measure: number | null; title: string; titleEn?: string; deadline?: string }>;
  agencies: Array<{ id: string; name: string; nameEn?: string; kind?: string }>;
}

export type EntitlementStatus = 'eligible' | 'notEligible' | 'caseByCase' | 'amountNotSet';

export interface Explanation {
  policy?: { id: string; version: string; title: string };
  measure: number | null;
  clause: string;
  leadUnit?: string | null;
  factsUsed: Array<{ name: string; label: string; labelEn: string; value: unknown; display: string; displayEn?: string }>;
  conditions: Array<{ label: string; labelEn?: string; fact?: string; satisfied: boolean | null; actual?: string; actualEn?: string }>;
  formula?: { text: string; textEn?: string; expression?: string; baseValue?: number; baseDisplay?: string; baseDisplayEn?: string; rate?: string; rateEn?: string; rawFen: number };
  fixedFen?: number;
  proposedFen?: number;
  caps: Array<{ label: string; labelEn?: string; scope: string; limitFen: number; usedBeforeFen: number; roomFen: number; applied: boolean }>;
  cityAward?: { amountFen: number; offsetFen?: number; rule: string };
  priorAwardsFen?: number;
  reasons: Array<{ code: string; zh: string; en: string; fact?: string }>;
  /** the fact whose absence stopped the evaluation, with its labels */
  missingFact?: { name: string; label: string; labelEn: string };
  whatWouldQualify?: { zh: string; en: string };
  summary: { zh: string; en: string };
}

export interface Entitlement {
  measure: number | null;
  incentive: string;
  title: string;
  titleEn?: string;
  item?: string;
  claim: string;
  implicit: boolean;
  status: EntitlementStatus;
  amountFen: number | null;
  explanation?: Explanation;
}

export interface EvaluationResult {
  policy: { id: string; version: string; title: string };
  year: number;
  asOf: string;
  enterprise: { uscc?: string; name?: string; area?: string };
  totalFen: number;
  entitlements: Entitlement[];
}

/** The facts of one enterprise-year as POST /api/calc takes them (README "Facts format"); money in fen. */
export type FactValue = number | string | boolean | number[];
export interface CalcClaimInput {
  id?: string;
  incentive: string;
  item?: string;
  date?: string;
  amount?: number;
  facts?: Record<string, FactValue>;
}
export interface CalcInput {
  year: number;
  enterprise?: { uscc?: string; name?: string; area?: string };
  facts?: Record<string, FactValue>;
  claims: CalcClaimInput[];
}

// ── Session ───────────────────────────────────────────────────────────────────────────────────────────
export type Role = 'enterprise' | 'areaReviewer' | 'departmentReviewer' | 'finance' | 'auditor' | 'admin' | 'bank';

export interface Me {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  enterpriseUscc?: string | null;
  areaId?: string | null;
  departmentId?: string | null;
  enterprise?: { uscc: string; name: string; areaId: string; industryClass: string };
  /** a one-time (or the published demo) password: only the change of password until it is changed */
  mustChangePassword?: boolean;
  /** the enterprise's administrator: adds and disables colleagues of the same USCC */
  enterpriseAdmin?: boolean;
  /** TOTP second factor on */
  secondFactor?: boolean;
  /** signed in with the password; the code is still due */
  secondFactorPending?: boolean;
}

export interface Area {
  id: string;
  name: string;
  nameEn?: string;
  kind: 'street' | 'town' | 'zone';
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

// ── Claims ────────────────────────────────────────────────────────────────────────────────────────────
export type ClaimState = 'draft' | 'submitted' | 'returned' | 'departmentReview' | 'jointReview' | 'publicity' | 'approved' | 'paid' | 'rejected' | 'withdrawn';
export const CLAIM_STATES: ClaimState[] = ['draft', 'submitted', 'returned', 'departmentReview', 'jointReview', 'publicity', 'approved', 'paid', 'rejected', 'withdrawn'];

export interface Claim {
  id: number;
  enterpriseUscc: string;
  enterpriseName?: string;
  areaId: string;
  areaName?: string;
  policyId?: string;
  measure: number | string;
  incentive: string;
  incentiveTitle?: string;
  item?: string;
  year: number;
  date?: string | null;
  facts: Record<string, FactValue>;
  amountClaimedFen?: number | null;
  /** the engine's amount on the current facts, where the list endpoint includes it */
  previewFen?: number | null;
  decidedFen?: number | null;
  state: ClaimState;
  /** the state as the server names it (待公示 for a decided claim not yet in a 公示 batch) */
  stateZh?: string;
  /** decided, waiting to be put in a 公示 batch (state `publicity`, no batch running) */
  awaitingPublicity?: boolean;
  createdAt?: string;
  updatedAt?: string;
  submittedAt?: string | null;
  version?: number;
}

export interface Evidence {
  id: number;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
  uploadedAt?: string;
}

export type ReviewAction = 'pass' | 'return' | 'reject';
export interface Review {
  id: number;
  stage: 'firstReview' | 'departmentReview' | 'jointReview';
  action: ReviewAction;
  reason?: string | null;
  at: string;
  actorName?: string;
  actorId?: number;
}

export interface Decision {
  id: number;
  amountFen: number;
  caseByCase?: boolean;
  meetingRef?: string | null;
  decidedAt: string;
  decidedByName?: string;
  policyVersion?: string;
  explanation?: Explanation;
}

/** A line of an enterprise's statement (src/ledger/statement.ts): a ledger entry, or a payment beside them. */
export interface LedgerEntry {
  /** unique in the statement: L<entry id> or P<payment id> */
  key: string;
  id: number;
  incentive: string;
  incentiveTitle?: string;
  measureId?: string;
  item?: string;
  year: number;
  kind: 'award' | 'reversal' | 'clawback' | 'cityAward' | 'payment';
  amountFen: number;
  claimId?: number | null;
  reference?: string | null;
  note?: string | null;
  createdAt?: string;
}

export interface CreditEntry {
  id: number;
  uscc?: string;
  listName: string;
  reason: string;
  /** the list's source as recorded */
  source?: string | null;
  /** who listed the enterprise: the source, else the official who recorded it (claim view, credit status) */
  unit?: string;
  listedOn: string;
  delistedOn?: string | null;
  delistedReason?: string | null;
}

/** GET /api/enterprises/:uscc/credit, and `credit` of a claim: the listings in force and what they stop. */
export interface CreditStatus {
  uscc?: string;
  blocked: boolean;
  blocks: Array<'submit' | 'pay'>;
  entries: CreditEntry[];
}

/** Why a rejected claim is not supported: a reviewer's rejection, a reversal by correction, or an upheld 公示 objection. */
export interface Refusal {
  source: 'review' | 'correction' | 'publicity';
  /** firstReview | departmentReview | jointReview | publicity | correction */
  stage: string;
  reason: string | null;
  actor: string | null;
  at: string;
}

/** One event of a claim's history (GET /api/claims/:id `timeline`), oldest first. */
export interface TimelineEvent {
  at: string;
  kind: 'created' | 'submitted' | 'resubmitted' | 'review' | 'decided' | 'published' | 'objection' | 'objectionResolved' | 'publicityClosed' | 'corrected' | 'withdrawn' | 'paid';
  stage?: string;
  action?: string;
  actor?: string | null;
  reason?: string | null;
  amountFen?: number;
  title?: string;
  startsOn?: string;
  endsOn?: string;
  outcome?: string | null;
  reference?: string | null;
  /** a civil date: the objection's receipt, the payment's day */
  on?: string;
}

export interface Payment {
  id?: number;
  claimId: number;
  voucherNo: string;
  amountFen: number;
  paidOn: string;
}

export interface PublicityRef {
  id: number;
  title: string;
  startsOn: string;
  endsOn: string;
  closedAt?: string | null;
}

/** Actions the server lets the caller take on a claim; the buttons shown are exactly these. */
export type ClaimAction = 'edit' | 'submit' | 'withdraw' | 'pass' | 'return' | 'reject' | 'pay' | (string & {});

export interface ClaimDetail {
  claim: Claim;
  enterprise?: { uscc: string; name: string; areaId?: string; areaName?: string; industryClass?: string };
  evidence: Evidence[];
  reviews: Review[];
  decision?: Decision | null;
  /** null for a refused claim: no entitlement is shown beside a refusal */
  preview?: Entitlement | null;
  refusal?: Refusal | null;
  ledger?: LedgerEntry[];
  /** false: the reader's role may not read the ledger (an area reviewer), which is not the same as no awards */
  ledgerReadable?: boolean;
  credit?: CreditStatus;
  timeline?: TimelineEvent[];
  publicity?: PublicityRef | null;
  payment?: Payment | null;
  allowedActions: ClaimAction[];
}

export interface NewClaim {
  incentive: string;
  year: number;
  item?: string;
  date?: string;
  amountClaimedFen?: number;
  facts: Record<string, FactValue>;
}

export type QueueKey = 'firstReview' | 'departmentReview' | 'jointReview' | 'publicity' | 'awaitingPayment' | 'returned' | 'drafts';
export type QueueCounts = Partial<Record<QueueKey, number>>;

// ── 公示 ──────────────────────────────────────────────────────────────────────────────────────────────
export interface Objection {
  id: number;
  claimId?: number | null;
  objector: string;
  contact?: string | null;
  content: string;
  receivedOn: string;
  outcome?: 'upheld' | 'dismissed' | null;
  resolution?: string | null;
  resolvedAt?: string | null;
}

export interface PublicityItem {
  claimId: number;
  enterpriseName?: string;
  enterpriseUscc?: string;
  incentive?: string;
  incentiveTitle?: string;
  item?: string;
  amountFen: number;
}

export interface PublicityBatch extends PublicityRef {
  /** the server's reading of the period on its own clock */
  status?: 'scheduled' | 'running' | 'ended' | 'closed';
  publishedAt?: string;
  itemCount?: number;
  totalFen?: number;
  items?: PublicityItem[];
  objections?: Objection[];
}

// ── 拨付 ──────────────────────────────────────────────────────────────────────────────────────────────
export interface PaymentRow {
  claimId: number;
  enterpriseUscc?: string;
  enterpriseName?: string;
  incentive?: string;
  incentiveTitle?: string;
  measure?: number | string;
  item?: string;
  amountFen: number;
  areaId?: string;
  year?: number;
  voucherNo?: string | null;
  paidOn?: string | null;
  bankAccount?: string | null;
}

// ── Overview, audit ───────────────────────────────────────────────────────────────────────────────────
export interface OverviewRow {
  claims: number;
  approved: number;
  approvedFen: number;
  paidFen: number;
  budgetFen?: number | null;
}
export interface Overview {
  year?: number;
  /** budgetedApprovedFen / budgetedPaidFen: approved and paid under the measures that have a budget */
  totals?: OverviewRow & { budgetFen: number | null; budgetedApprovedFen?: number; budgetedPaidFen?: number };
  /** measureNo: null for the general provisions (measure 'general', 附则：一事一议) */
  byMeasure: Array<OverviewRow & { measure: number | string; measureNo?: number | null; title: string }>;
  byArea: Array<OverviewRow & { areaId?: string; area?: string; name?: string }>;
  byMonth: Array<OverviewRow & { month: string }>;
}

export interface AuditEntry {
  /** insert order */
  id: number;
  /** place in the hash chain; null until the sealer has chained the record (a moment after it is written) */
  seq: number | null;
  hash?: string | null;
  at: string;
  actor: string;
  actorUserId?: number | null;
  action: string;
  entity: string;
  entityId?: string | null;
  ip?: string | null;
  details?: unknown;
  data?: unknown;
}

// ── Service time limits (measures 22–25; docs/calendar.md "Endpoints") ──────────────────────────────────
export type LimitKind = 'perCase' | 'average' | 'share' | 'annualTotal';
export type LimitUnit = 'workingDays' | 'calendarDays' | 'months' | 'hours' | 'percent';
export type CountUnit = 'workingDays' | 'calendarDays';
export type ServiceCaseState = 'open' | 'suspended' | 'completed';
export type ServiceEventKind = 'suspended' | 'resumed' | 'completed';

export interface DepartmentRef {
  id: string;
  name: string;
  nameEn?: string;
}

export interface ServiceLimit {
  id: string;
  measure: number;
  serviceId: string;
  label: string;
  labelEn?: string;
  kind: LimitKind;
  comparator: string;
  value: number;
  unit: LimitUnit;
  target: string;
  clause: string;
  /** timed: due dates; population: counted in a share only; hours: tax time; null: not recorded per case */
  recording: 'timed' | 'population' | 'hours' | null;
  halfDay: boolean;
  simplifiedRequired: boolean;
  partOf: string | null;
  owners: DepartmentRef[];
}

export interface ServiceLimitCatalog {
  policy: string;
  coveredFrom: string;
  coveredThrough: string;
  limits: ServiceLimit[];
}

export interface ServiceCaseEvent {
  id: number;
  kind: ServiceEventKind;
  on: string;
  at: string | null;
  note: string | null;
  recordedBy: number | null;
  recordedAt: string;
}

export interface ServiceCaseStatus {
  caseId: string;
  limitId: string;
  kind: 'perCase' | 'average';
  state: ServiceCaseState;
  asOf: string;
  countUnit: CountUnit;
  limit: number;
  accepted: string;
  completed: string | null;
  suspensions: Array<{ from: string; to: string | null; days: number }>;
  suspendedDays: number;
  due: { date: string; at: 'endOfDay' | 'noon' | string };
  dueProvisional: boolean;
  /** counted past the calendar's coverage with weekends only: 暂定 (src/service-limits/cases.ts) */
  beyondCalendar?: boolean;
  elapsed: number;
  remaining: number;
  overdue: boolean | null;
  onTime: boolean | null;
  exceedsTarget: boolean | null;
}

export interface ServiceCase {
  id: number;
  limitId: string;
  limitLabel: string;
  limitLabelEn?: string;
  measure: number;
  recording: ServiceLimit['recording'];
  departmentId: string;
  departmentName: string;
  reference: string;
  subject: string;
  acceptedOn: string;
  acceptedAt: string | null;
  simplified: boolean | null;
  hours: number | null;
  createdBy: number | null;
  createdAt: string;
  events: ServiceCaseEvent[];
  asOf: string;
  status: ServiceCaseStatus | null;
  undetermined: { code: string; messageZh: string; messageEn: string } | null;
}

export interface NewServiceCase {
  limitId: string;
  departmentId?: string;
  reference: string;
  subject: string;
  acceptedOn: string;
  acceptedAt?: string;
  simplified?: boolean;
  hours?: number;
}

export interface Ratio {
  numerator: number;
  denominator: number;
  percent: number | null;
}

export interface LimitCompliance {
  limitId: string;
  kind: LimitKind;
  unit: LimitUnit;
  comparator: string;
  value: number;
  cases: number;
  completed: number;
  open: number;
  suspended: number;
  onTime: number;
  late: number;
  openOverdue: number;
  onTimeShare: Ratio | null;
  countUnit: CountUnit | null;
  averageElapsed: number | null;
  share: Ratio | null;
  targetMet: boolean | null;
  undetermined: unknown[];
  label: string;
  labelEn?: string;
  measure: number;
  serviceId: string;
  target: string;
  owners: DepartmentRef[];
}

export interface DepartmentCompliance {
  departmentId: string;
  name: string;
  nameEn?: string;
  onTimeShare: Ratio;
  targetsMet: Ratio;
  limits: LimitCompliance[];
}

export interface ComplianceReport {
  asOf: string;
  acceptedFrom: string | null;
  acceptedTo: string | null;
  year: number;
  byLimit: LimitCompliance[];
  byDepartment: DepartmentCompliance[];
  annualTotals: Array<{ limitId: string; year: number; totals: Array<{ subject: string; hours: number }>; withinLimit: Ratio; averageHours: number | null; targetMet: boolean | null; label: string; target: string }>;
  unknownLimitCases: unknown[];
}

export interface ServiceImportResult {
  sheet: string;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
  ignoredColumns: string[];
}

// ── 工作日历 (GET /api/calendar, src/calendar/official-calendar.ts) ──────────────────────────────────────────
export interface CalendarYearSummary {
  year: number;
  source: 'file' | 'entered';
  document: string;
  noticeDate: string;
  title: string;
  holidays: number;
  makeUpWorkdays: number;
  enteredBy: string | null;
  enteredAt: string | null;
  version: number | null;
}

export interface CalendarCoverage {
  coveredFrom: string;
  coveredThrough: string;
  computableThrough: string;
  years: CalendarYearSummary[];
  nextYear: number;
  reminder: boolean;
}

export interface CalendarYearInput {
  notice: { title: string; document: string; date: string; url?: string };
  holidays: Array<{ festival: string; festivalEn?: string; from: string; to: string }>;
  makeUpWorkdays: Array<{ date: string; festival: string }>;
}

export interface CalendarYearEntry extends CalendarYearInput {
  year: number;
  source: 'file' | 'entered';
  version: number | null;
}

// ── Users and sign-in (docs/api.md "Users"; the server's UserView in src/identity/user-admin.ts) ─────────
export type UserStatusFilter = 'active' | 'disabled' | 'locked' | 'mustChangePassword';

export interface UserView {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  enterpriseUscc: string | null;
  enterpriseName: string | null;
  areaId: string | null;
  departmentId: string | null;
  enterpriseAdmin: boolean;
  status: 'active' | 'disabled';
  disabledAt: string | null;
  locked: boolean;
  lockedUntil: string | null;
  mustChangePassword: boolean;
  secondFactor: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface NewUser {
  username: string;
  displayName: string;
  role?: Role;
  enterpriseUscc?: string;
  areaId?: string;
  departmentId?: string;
  enterpriseAdmin?: boolean;
}

/** POST /api/users and …/reset-password: the one-time password, shown once */
export interface CreatedUser {
  user: UserView;
  oneTimePassword: string;
}

export interface SecondFactorOffer {
  secret: string;
  uri: string;
  qrSvg: string;
}

export interface LoginAnswer {
  user: Me;
  /** POST /api/auth/second-factor with the code next */
  secondFactorRequired?: boolean;
}

// ── The audit page and the inbox (src/audit/listing.ts, src/inbox/) ─────────────────────────────────────
export interface AuditActorView {
  username: string;
  displayName: string | null;
  role: Role | null;
  unitZh: string | null;
  unitEn: string | null;
}

/** A record of the whole trail with its reading: who (unit and name) did what to what. */
export interface AuditTrailEntry extends AuditEntry {
  actionZh: string;
  actionEn: string;
  domain: string;
  summaryZh: string;
  summaryEn: string;
  actorView: AuditActorView;
}

/** One page of the trail: no total (the trail holds millions); `next` is the `before` of the following page. */
export interface AuditTrailPage {
  items: AuditTrailEntry[];
  more: boolean;
  next: number | null;
  limit: number;
}

export interface AuditCatalog {
  domains: Array<{ id: string; zh: string; en: string }>;
  actions: Array<{ action: string; domain: string; zh: string; en: string; legacy: boolean }>;
}

export interface AuditTrailFilter {
  actor?: string;
  /** one action, several comma-separated, or a prefix ending in '.' */
  action?: string;
  entity?: string;
  entityId?: string;
  from?: string;
  to?: string;
  ip?: string;
}

export interface AuditVerifyJob {
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  startedBy: string;
  verified: number;
  total: number | null;
  result:
    | { ok: true; records: number; headSeq: number | null; headHash: string; headAt: string | null; pending: { count: number; oldestAt: string | null }; lastAnchor: { seq: number; createdAt: string } | null }
    | { ok: false; records: number; brokenSeq: number; problem: 'hash' | 'link' | 'sequence' | 'anchor'; message: string }
    | null;
  error: { code: string; messageZh: string; messageEn: string } | null;
}

export interface AuditVerifyState {
  job: AuditVerifyJob | null;
  anchorKeyConfigured: boolean;
}

export interface InboxItem {
  id: number;
  at: string;
  action: string;
  actionZh: string;
  actionEn: string;
  summaryZh: string;
  summaryEn: string;
  claimId: number | null;
  batchId: number | null;
  unseen: boolean;
}

export interface InboxReminder {
  kind: 'batchEnding' | 'batchEnded';
  batchId: number;
  title: string;
  endsOn: string;
  daysLeft: number;
  claims: number;
}

export interface InboxView {
  lastSeenAt: string | null;
  seenId: number;
  unseen: number;
  unseenMore: boolean;
  items: InboxItem[];
  reminders: InboxReminder[];
}

/** Time on a queue item (src/inbox/timing.ts). */
export interface ClaimTiming {
  claimId: number;
  state: ClaimState;
  kind: 'reviewWaiting' | 'returned' | 'publicityRunning' | 'publicityEnded' | 'awaitingPublicity' | 'awaitingPayment';
  since: string;
  days: number;
  workingDays: number | null;
  daysLeft: number | null;
  endsOn: string | null;
  batchId: number | null;
  limitWorkingDays: number | null;
  overdue: boolean;
}

// ── 更正与追回 (GET /api/claims/:id/corrections, /api/recoveries; src/claims/recoveries.ts) ─────────────────
export interface RecoveryReceipt {
  id: number;
  amountFen: number;
  receivedOn: string;
  reference: string;
  note: string | null;
  recordedBy: string | null;
  recordedAt: string;
}

/** 应追回: the debt a clawback created, and what has come back against it (not ledger entries) */
export interface Recovery {
  id: number;
  claimId: number;
  ledgerEntryId: number;
  enterpriseUscc: string;
  enterpriseName: string;
  areaId: string;
  measureId: string;
  incentive: string;
  title: string;
  item: string;
  year: number;
  reason: string | null;
  dueFen: number;
  recoveredFen: number;
  outstandingFen: number;
  status: 'open' | 'settled';
  clawedBackOn: string;
  dueOn: string | null;
  ageDays: number;
  overdueDays: number;
  lastReceivedOn: string | null;
  receipts: RecoveryReceipt[];
}

export interface RecoveryTotals {
  dueFen: number;
  recoveredFen: number;
  outstandingFen: number;
}

export interface ClaimCorrections {
  claimId: number;
  state: ClaimState;
  awardFen: number | null;
  corrections: Array<{ id: number; kind: 'reversal' | 'clawback'; amountFen: number; reason: string | null; by: string | null; at: string }>;
  outstandingFen: number;
  payment: { amountFen: number; paidOn: string; voucherNo: string } | null;
  /** the correction the caller may make now */
  allowedKind: 'reversal' | 'clawback' | null;
  maxFen: number;
  stateAfter: ClaimState | null;
  mayRecordRecovery: boolean;
  recoveries: Recovery[];
  recoveryTotals: RecoveryTotals;
  asOf: string;
}

export interface RecoveryFilter {
  status?: 'open' | 'settled' | 'all';
  measure?: string;
  q?: string;
  overdue?: boolean;
}

export type RecoveryPage = Page<Recovery> & { totals: RecoveryTotals & { overdue: number }; asOf: string };

// ── 政企服务 (measure 21): requests, figures (src/http/routes/service-desk.ts) ─────────────────────────────────
export type ServiceRequestState = 'submitted' | 'acknowledged' | 'awaitingInfo' | 'answered' | 'closed';
export type ServiceRequestAction = 'acknowledge' | 'transfer' | 'askInfo' | 'answer' | 'supplyInfo' | 'rate' | 'reopen' | 'attach';
export interface ServiceRequest {
  id: number;
  enterpriseUscc: string;
  enterpriseName: string;
  areaId: string;
  category: string;
  categoryZh: string;
  categoryEn: string;
  title: string;
  description: string;
  unit: string;
  unitZh: string;
  unitEn: string;
  state: ServiceRequestState;
  filedOn: string;
  acknowledgeDue: string;
  acknowledgedOn: string | null;
  answerDue: string;
  answerDueProvisional: boolean;
  overdue: boolean;
  answeredOnTime: boolean | null;
  answeredOn: string | null;
  answer: string | null;
  workingDays: number | null;
  escalated: boolean;
  rating: number | null;
  ratingComment: string | null;
  reopenCount: number;
  reopensLeft: number;
  transferCount: number;
  allowedActions: ServiceRequestAction[];
}
export interface ServiceRequestDetail extends ServiceRequest {
  events: Array<{ id: number; kind: string; on: string; at: string; actor: string | null; fromUnit: string | null; toUnit: string | null; fromUnitZh: string | null; toUnitZh: string | null; note: string | null }>;
  files: Array<{ id: number; fileName: string; mimeType: string; sizeBytes: number; uploadedAt: string }>;
}
/** what a unit that transferred a request away is told */
export interface ServiceRequestMoved {
  id: number;
  visible: false;
  unit: string;
  unitZh: string;
  state: ServiceRequestState;
}
export interface ServiceDeskCatalog {
  clause: string;
  limits: { acknowledgeWorkingDays: number; answerWorkingDays: number; why: string; whyEn: string };
  reopen: { times: number };
  satisfaction: { scale: number; satisfiedFrom: number };
  categories: Array<{ id: string; zh: string; en: string; unit: string; unitZh: string; unitEn: string; acknowledgeWorkingDays: number; answerWorkingDays: number }>;
  units: Array<{ id: string; zh: string; en: string }>;
}
export interface ServiceFigureRow {
  key: string;
  labelZh: string;
  labelEn: string;
  received: number;
  answered: number;
  answeredOnTime: number;
  overdueOpen: number;
  averageWorkingDays: number | null;
  closeRate: number | null;
  rated: number;
  satisfied: number;
  satisfactionRate: number | null;
}
export interface ServiceFigures {
  by: 'unit' | 'category' | 'area';
  asOf: string;
  satisfiedFrom: number;
  scale: number;
  rows: ServiceFigureRow[];
  total: ServiceFigureRow;
}

// ── 企业信息直报 (measure 21): reports and answers (src/http/routes/service-desk.ts) ────────────────────────────
export interface DirectReportField {
  key: string;
  label: string;
  type: 'integer' | 'decimal' | 'money' | 'text' | 'boolean';
  unit?: string;
  required: boolean;
  fact?: string;
}
export interface DirectReport {
  id: number;
  title: string;
  ownerDepartment: string;
  ownerZh: string;
  periodKind: 'month' | 'quarter';
  dueDay: number;
  firstPeriod: string;
  fields: DirectReportField[];
  audience: { areas: string[]; industryClasses: string[]; usccs: string[] };
  currentPeriod: string | null;
  currentDue: string | null;
  /** for an enterprise */
  answeredPeriods?: string[];
  currentAnswered?: boolean;
  currentOverdue?: boolean;
}
export interface DirectReportCompletion {
  report: DirectReport;
  periods: Array<{ period: string; dueOn: string; expected: number; answered: number; late: number; areas: Array<{ areaId: string; areaZh: string; expected: number; answered: number }> }>;
  period: string | null;
  missing: Array<{ uscc: string; name: string; areaId: string }>;
}

// ── 挂钩联系与走访记录 (measure 21) ───────────────────────────────────────────────────────────────────────────
export interface LiaisonEnterprises {
  rule: { period: 'month' | 'quarter' | 'year'; withoutReason: number };
  periodFrom: string;
  periodTo: string;
  items: Array<{ uscc: string; name: string; areaZh: string; kinds: Array<'leader' | 'officer'>; openRequests: number; overdueRequests: number; visitsInPeriod: number; lastVisit: string | null }>;
}
export interface LiaisonVisits {
  rule: { period: 'month' | 'quarter' | 'year'; withoutReason: number; why: string };
  periodFrom: string;
  periodTo: string;
  inPeriod: number;
  items: Array<{ id: number; visitedOn: string; visitors: string; asked: string; followUps: string | null; reason: string | null; recordedBy: string }>;
}

// ── 帮办代办 (measure 21) ───────────────────────────────────────────────────────────────────────────────────────
export interface AssistanceCatalogue {
  clause: string;
  why: string;
  whyEn: string;
  items: Array<{ id: string; zh: string; en: string; unit: string; unitZh: string; unitEn: string; steps: Array<{ id: string; zh: string; en: string }> }>;
}
export interface AssistanceCase {
  id: number;
  enterpriseName: string;
  item: string;
  itemZh: string;
  itemEn: string;
  unitZh: string;
  unitEn: string;
  note: string | null;
  state: 'requested' | 'assigned' | 'done';
  requestedOn: string;
  agent: string | null;
  result: string | null;
  doneOn: string | null;
  allowedActions: Array<'assign' | 'step' | 'finish'>;
  steps?: Array<{ id: string; zh: string; en: string; doneOn: string | null; note: string | null }>;
}

// ── 综合金融服务平台 (measure 21) ──────────────────────────────────────────────────────────────────────────────
export interface FinancingMatch {
  id: number;
  productName: string;
  kindZh: string;
  bankName: string;
  reasons: Array<{ met: boolean; zh: string; en: string }>;
  status: 'pending' | 'interested' | 'declined' | 'granted';
  note: string | null;
  grantedFen: number | null;
  grantedOn: string | null;
}
export interface FinancingNeed {
  id: number;
  enterpriseName: string;
  amountFen: number;
  termMonths: number;
  purpose: string;
  security: string;
  urgency: 'normal' | 'urgent';
  postedOn: string;
  matches: FinancingMatch[];
}
export interface FinancingProduct { id: number; bankName: string; name: string; kindZh: string; minFen: number; maxFen: number; maxTermMonths: number; securities: string[] }
export interface FinancingPipeline {
  needs: number;
  needsAmountFen: number;
  unmatchedNeeds: number;
  matches: Record<'pending' | 'interested' | 'declined' | 'granted', number>;
  grantedFen: number;
  target: { id: string; title: string; clause: string; value: number | null; unit: string; deadline: string; targetFen: number | null; progressPercent: number | null } | null;
}
