/**
 * Service time limits (measures 22–25) as the pages show them: where a case stands (remaining or overdue, in
 * its count unit), which limits a writer may record, and the compliance report shaped for the charts.
 */
import type { ComplianceReport, CountUnit, LimitCompliance, ServiceCase, ServiceLimit } from '../api/types';

/** 'HH:MM', Beijing time, as the API takes it */
export const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;

export type Standing =
  | { kind: 'remaining'; amount: number; unit: CountUnit; provisional: boolean }
  | { kind: 'overdue'; amount: number; unit: CountUnit; completed: boolean }
  | { kind: 'onTime'; amount: number; unit: CountUnit }
  | { kind: 'average'; amount: number; unit: CountUnit; exceedsTarget: boolean; completed: boolean }
  | { kind: 'undetermined'; messageZh: string; messageEn: string }
  | { kind: 'none' };

/** Half days stay halves (0.5), whole days stay whole; never a long float. */
export function amountText(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** Where one case stands at the list's as-of date. */
export function standingOf(c: Pick<ServiceCase, 'status' | 'undetermined'>): Standing {
  if (c.undetermined) return { kind: 'undetermined', messageZh: c.undetermined.messageZh, messageEn: c.undetermined.messageEn };
  const s = c.status;
  if (!s) return { kind: 'none' };
  const completed = s.state === 'completed';
  if (s.kind === 'average') return { kind: 'average', amount: s.elapsed, unit: s.countUnit, exceedsTarget: !!s.exceedsTarget, completed };
  if (s.overdue) return { kind: 'overdue', amount: Math.max(0, -s.remaining), unit: s.countUnit, completed };
  if (completed) return { kind: 'onTime', amount: s.elapsed, unit: s.countUnit };
  return { kind: 'remaining', amount: s.remaining, unit: s.countUnit, provisional: s.dueProvisional };
}

/** The limits a person may record cases against: recordable ones, a department reviewer's own only. */
export function writableLimits(limits: ServiceLimit[], department: string | null): ServiceLimit[] {
  return limits.filter((l) => l.recording !== null && (department === null || l.owners.some((o) => o.id === department)));
}

/** The departments a case of this limit may belong to, for this writer. */
export function writableOwners(limit: ServiceLimit | undefined, department: string | null) {
  if (!limit) return [];
  return department === null ? limit.owners : limit.owners.filter((o) => o.id === department);
}

/** All departments named by the limits, each once, in first-seen order. */
export function departmentsOf(limits: ServiceLimit[]) {
  const seen = new Map<string, { id: string; name: string; nameEn?: string }>();
  for (const l of limits) for (const o of l.owners) if (!seen.has(o.id)) seen.set(o.id, o);
  return [...seen.values()];
}

const hasCases = (l: LimitCompliance) => l.cases > 0;

export interface ComplianceShape {
  /** per-case limits with cases: share on time (%) */
  onTime: Array<{ id: string; label: string; labelEn?: string; percent: number; numerator: number; denominator: number; targetMet: boolean | null }>;
  /** average-type limits with cases: running mean against the target */
  averages: Array<{ id: string; label: string; labelEn?: string; average: number; target: number; unit: CountUnit | null; targetMet: boolean | null }>;
  /** the share targets (bankruptcy simplified procedure ≥ 40%) */
  shares: Array<{ id: string; label: string; labelEn?: string; percent: number | null; target: number; numerator: number; denominator: number; targetMet: boolean | null }>;
  /** departments with at least one per-case case to judge on time (average-only departments are in `averages`) */
  departments: Array<{ id: string; name: string; nameEn?: string; percent: number | null; cases: number; targetsMet: number; targets: number }>;
}

export function shapeCompliance(r: ComplianceReport): ComplianceShape {
  const onTime = r.byLimit
    .filter((l) => l.kind === 'perCase' && hasCases(l) && l.onTimeShare && l.onTimeShare.denominator > 0)
    .map((l) => ({ id: l.limitId, label: l.label, labelEn: l.labelEn, percent: l.onTimeShare!.percent ?? 0, numerator: l.onTimeShare!.numerator, denominator: l.onTimeShare!.denominator, targetMet: l.targetMet }));
  const averages = r.byLimit
    .filter((l) => l.kind === 'average' && hasCases(l) && l.averageElapsed !== null)
    .map((l) => ({ id: l.limitId, label: l.label, labelEn: l.labelEn, average: l.averageElapsed!, target: l.value, unit: l.countUnit, targetMet: l.targetMet }));
  const shares = r.byLimit
    .filter((l) => l.kind === 'share')
    .map((l) => ({ id: l.limitId, label: l.label, labelEn: l.labelEn, percent: l.share?.percent ?? null, target: l.value, numerator: l.share?.numerator ?? 0, denominator: l.share?.denominator ?? 0, targetMet: l.targetMet }));
  const departments = r.byDepartment
    .map((d) => ({ id: d.departmentId, name: d.name, nameEn: d.nameEn, percent: d.onTimeShare?.percent ?? null, cases: d.limits.reduce((s, l) => s + l.cases, 0), targetsMet: d.targetsMet?.numerator ?? 0, targets: d.targetsMet?.denominator ?? 0 }))
    .filter((d) => d.cases > 0 && d.percent !== null);
  return { onTime, averages, shares, departments };
}
