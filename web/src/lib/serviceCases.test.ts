// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { ComplianceReport, LimitCompliance, ServiceCaseStatus, ServiceLimit } from '../api/types';
import { amountText, departmentsOf, shapeCompliance, standingOf, writableLimits, writableOwners } from './serviceCases';

const status = (s: Partial<ServiceCaseStatus>): ServiceCaseStatus => ({
  caseId: '1', limitId: 'x', kind: 'perCase', state: 'open', asOf: '2020-06-01', countUnit: 'workingDays', limit: 1, accepted: '2020-05-20', completed: null,
  suspensions: [], suspendedDays: 0, due: { date: '2020-05-21', at: 'endOfDay' }, dueProvisional: false, elapsed: 0, remaining: 1, overdue: false, onTime: null, exceedsTarget: null, ...s,
});

describe('a case standing', () => {
  it('remaining, overdue, on time, average, undetermined, none', () => {
    expect(standingOf({ status: status({ remaining: 3, dueProvisional: true }), undetermined: null })).toEqual({ kind: 'remaining', amount: 3, unit: 'workingDays', provisional: true });
    expect(standingOf({ status: status({ remaining: -5, overdue: true }), undetermined: null })).toEqual({ kind: 'overdue', amount: 5, unit: 'workingDays', completed: false });
    expect(standingOf({ status: status({ state: 'completed', elapsed: 1, remaining: 0, onTime: true }), undetermined: null })).toMatchObject({ kind: 'onTime', amount: 1 });
    expect(standingOf({ status: status({ state: 'completed', remaining: -2, overdue: true }), undetermined: null })).toMatchObject({ kind: 'overdue', completed: true });
    expect(standingOf({ status: status({ kind: 'average', elapsed: 40, overdue: null, exceedsTarget: true }), undetermined: null })).toMatchObject({ kind: 'average', amount: 40, exceedsTarget: true });
    expect(standingOf({ status: null, undetermined: { code: 'c', messageZh: '超出日历', messageEn: 'past' } })).toMatchObject({ kind: 'undetermined', messageZh: '超出日历' });
    expect(standingOf({ status: null, undetermined: null })).toEqual({ kind: 'none' });
  });
  it('half days print as halves', () => {
    expect(amountText(0.5)).toBe('0.5');
    expect(amountText(1 / 3)).toBe('0.33');
    expect(amountText(12)).toBe('12');
  });
});

const limit = (id: string, owners: string[], recording: ServiceLimit['recording'] = 'timed') =>
  ({ id, label: id, owners: owners.map((o) => ({ id: o, name: o })), recording }) as ServiceLimit;

describe('who records what', () => {
  const limits = [limit('a', ['land', 'approval']), limit('b', ['water']), limit('customs', ['customs'], null)];
  it('a department reviewer sees its own recordable limits; an admin all recordable', () => {
    expect(writableLimits(limits, 'land').map((l) => l.id)).toEqual(['a']);
    expect(writableLimits(limits, null).map((l) => l.id)).toEqual(['a', 'b']);
    expect(writableOwners(limits[0], 'land').map((o) => o.id)).toEqual(['land']);
    expect(writableOwners(limits[0], null).map((o) => o.id)).toEqual(['land', 'approval']);
    expect(departmentsOf(limits).map((d) => d.id)).toEqual(['land', 'approval', 'water', 'customs']);
  });
});

describe('compliance for the charts', () => {
  const base = { cases: 0, completed: 0, open: 0, suspended: 0, onTime: 0, late: 0, openOverdue: 0, onTimeShare: null, countUnit: 'workingDays', averageElapsed: null, share: null, targetMet: null, undetermined: [], measure: 23, serviceId: 's', target: '', owners: [], comparator: '<=' } as const;
  const l = (x: Partial<LimitCompliance>): LimitCompliance => ({ ...base, limitId: 'x', kind: 'perCase', unit: 'workingDays', value: 1, label: 'x', ...x }) as LimitCompliance;
  const report = {
    asOf: '2020-06-01', acceptedFrom: null, acceptedTo: null, year: 2020, annualTotals: [], unknownLimitCases: [],
    byLimit: [
      l({ limitId: 'empty', cases: 0, onTimeShare: { numerator: 0, denominator: 0, percent: null } }),
      l({ limitId: 'land', cases: 2, onTimeShare: { numerator: 1, denominator: 2, percent: 50 }, targetMet: false }),
      l({ limitId: 'power', kind: 'average', value: 35, cases: 1, averageElapsed: 34, targetMet: true }),
      l({ limitId: 'share', kind: 'share', unit: 'percent', value: 40, cases: 2, countUnit: null, share: { numerator: 1, denominator: 2, percent: 50 }, targetMet: true }),
    ],
    byDepartment: [
      { departmentId: 'land', name: '区自然资源和规划局', onTimeShare: { numerator: 1, denominator: 2, percent: 50 }, targetsMet: { numerator: 0, denominator: 1, percent: 0 }, limits: [l({ cases: 2 })] },
      { departmentId: 'power', name: '供电', onTimeShare: { numerator: 0, denominator: 0, percent: null }, targetsMet: { numerator: 1, denominator: 1, percent: 100 }, limits: [l({ kind: 'average', cases: 1 })] },
      { departmentId: 'idle', name: '闲', onTimeShare: { numerator: 0, denominator: 0, percent: null }, targetsMet: { numerator: 0, denominator: 0, percent: null }, limits: [l({})] },
    ],
  } as ComplianceReport;
  it('keeps limits and departments that have cases to judge', () => {
    const s = shapeCompliance(report);
    expect(s.onTime.map((x) => [x.id, x.percent, x.denominator])).toEqual([['land', 50, 2]]);
    expect(s.averages).toEqual([{ id: 'power', label: 'x', labelEn: undefined, average: 34, target: 35, unit: 'workingDays', targetMet: true }]);
    expect(s.shares.map((x) => [x.id, x.percent, x.target])).toEqual([['share', 50, 40]]);
    expect(s.departments.map((d) => [d.id, d.percent, d.cases])).toEqual([['land', 50, 2]]);
  });
});
