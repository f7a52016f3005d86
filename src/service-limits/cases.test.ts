import { describe, expect, it } from 'vitest';
import { officialCalendar } from '../calendar/index.ts';
import { loadServiceLimits } from './limits.ts';
import {
  annualTotalCompliance,
  complianceByDepartment,
  complianceByLimit,
  complianceForLimit,
  evaluateCase,
  evaluateRelativeTarget,
  type CaseEvent,
  type ServiceCase,
} from './cases.ts';
import { codeOf } from '../test-support.ts';

const cal = officialCalendar();
const limits = loadServiceLimits();

function kase(id: string, limitId: string, events: Array<[CaseEvent['type'], string]>, extra: Partial<ServiceCase> = {}): ServiceCase {
  return { id, limitId, events: events.map(([type, at]) => ({ type, at })), ...extra };
}

const water4 = limits.get('water-no-new-pipeline'); // ≤ 4 working days per case
const green = limits.get('business-startup-green-channel'); // ≤ 0.5 working day
const noAssets = limits.get('bankruptcy-no-assets-90-days'); // ≤ 90 calendar days
const sixMonths = limits.get('bankruptcy-simple-6-months'); // ≤ 6 months

describe('a case against a working-day limit', () => {
  it('completed exactly on the last day is on time; the next working day is late', () => {
    // Accepted Wed 2020-05-20: day 1 Thu 21, day 2 Fri 22, day 3 Mon 25, day 4 Tue 26.
    const onTime = evaluateCase(kase('c1', water4.id, [['accepted', '2020-05-20'], ['completed', '2020-05-26']]), water4, cal, '2020-06-30');
    expect(onTime).toMatchObject({ state: 'completed', due: { date: '2020-05-26', at: 'endOfDay' }, elapsed: 4, remaining: 0, onTime: true, overdue: false });
    const late = evaluateCase(kase('c2', water4.id, [['accepted', '2020-05-20'], ['completed', '2020-05-27']]), water4, cal, '2020-06-30');
    expect(late).toMatchObject({ elapsed: 5, remaining: -1, onTime: false, overdue: true });
  });

  it('an open case: remaining time at the as-of date, overdue once the last day has passed', () => {
    const c = kase('c3', water4.id, [['accepted', '2020-05-20']]);
    expect(evaluateCase(c, water4, cal, '2020-05-22')).toMatchObject({ state: 'open', elapsed: 2, remaining: 2, overdue: false, onTime: null });
    expect(evaluateCase(c, water4, cal, '2020-05-26')).toMatchObject({ elapsed: 4, remaining: 0, overdue: false });
    expect(evaluateCase(c, water4, cal, '2020-05-27')).toMatchObject({ elapsed: 5, remaining: -1, overdue: true });
  });

  it('events after the as-of date are not yet known', () => {
    const c = kase('c4', water4.id, [['accepted', '2020-05-20'], ['completed', '2020-05-27']]);
    expect(evaluateCase(c, water4, cal, '2020-05-25')).toMatchObject({ state: 'open', completed: null, elapsed: 3, overdue: false });
  });

  it('finishing on the Saturday after a Friday due date uses no working day', () => {
    const c = kase('c5', water4.id, [['accepted', '2020-06-01'], ['completed', '2020-06-06']]);
    expect(evaluateCase(c, water4, cal, '2020-06-30')).toMatchObject({ due: { date: '2020-06-05' }, elapsed: 4, onTime: true });
  });

  it('suspended for 补正 over the 2020 Spring Festival: the due date moves by the suspended working days only', () => {
    // Accepted Mon 1-20, materials requested Wed 1-22, supplied Tue 2-04 (the holiday ran 1-24..2-02).
    // Suspended working days: 1-23, 2-03, 2-04 = 3; due = 4 + 3 working days after 1-20 = Thu 2-06.
    const events: Array<[CaseEvent['type'], string]> = [['accepted', '2020-01-20'], ['suspended', '2020-01-22'], ['resumed', '2020-02-04']];
    const onTime = evaluateCase(kase('s1', water4.id, [...events, ['completed', '2020-02-06']]), water4, cal, '2020-03-01');
    expect(onTime).toMatchObject({
      suspensions: [{ from: '2020-01-22', to: '2020-02-04', days: 3 }],
      suspendedDays: 3,
      due: { date: '2020-02-06', at: 'endOfDay' },
      elapsed: 4,
      onTime: true,
    });
    const late = evaluateCase(kase('s2', water4.id, [...events, ['completed', '2020-02-07']]), water4, cal, '2020-03-01');
    expect(late).toMatchObject({ elapsed: 5, onTime: false, overdue: true });
  });

  it('while suspended the clock stands still and the due date is provisional', () => {
    const c = kase('s3', water4.id, [['accepted', '2020-01-20'], ['suspended', '2020-01-22']]);
    const during = evaluateCase(c, water4, cal, '2020-01-31');
    expect(during).toMatchObject({
      state: 'suspended',
      suspensions: [{ from: '2020-01-22', to: null, days: 1 }],
      elapsed: 2,
      remaining: 2,
      dueProvisional: true,
      due: { date: '2020-02-04' },
      overdue: false,
    });
    // Weeks later still not overdue: the applicant has not supplied the materials.
    expect(evaluateCase(c, water4, cal, '2020-03-31')).toMatchObject({ elapsed: 2, overdue: false });
  });

  it('suspended and resumed on the acceptance day itself is like accepting on the day of resumption', () => {
    const c = kase('s4', water4.id, [['accepted', '2020-05-18'], ['suspended', '2020-05-18'], ['resumed', '2020-05-20'], ['completed', '2020-05-26']]);
    expect(evaluateCase(c, water4, cal, '2020-06-30')).toMatchObject({ suspendedDays: 2, elapsed: 4, due: { date: '2020-05-26' }, onTime: true });
  });

  it('a due date past coveredThrough is an error, not a guess', () => {
    const c = kase('x', limits.get('construction-government-investment').id, [['accepted', '2026-11-02']]);
    expect(codeOf(() => evaluateCase(c, limits.get('construction-government-investment'), cal, '2026-11-10'))).toBe('calendar_not_covered');
  });
});

describe('half-day limits (green channel: 0.5 working day)', () => {
  const acc: [CaseEvent['type'], string] = ['accepted', '2020-05-20T15:00'];
  it('is kept by noon of the next working day', () => {
    const r = evaluateCase(kase('g1', green.id, [acc, ['completed', '2020-05-21T11:30']]), green, cal, '2020-05-30');
    expect(r).toMatchObject({ due: { date: '2020-05-21', at: 'noon' }, elapsed: 0.5, remaining: 0, onTime: true });
    expect(evaluateCase(kase('g2', green.id, [acc, ['completed', '2020-05-21T12:00']]), green, cal, '2020-05-30').onTime).toBe(true);
  });
  it('is missed after noon', () => {
    const r = evaluateCase(kase('g3', green.id, [acc, ['completed', '2020-05-21T12:01']]), green, cal, '2020-05-30');
    expect(r).toMatchObject({ elapsed: 1, onTime: false, overdue: true });
  });
  it('same-day completion uses nothing', () => {
    expect(evaluateCase(kase('g4', green.id, [acc, ['completed', '2020-05-20T17:00']]), green, cal, '2020-05-30')).toMatchObject({ elapsed: 0, onTime: true });
  });
  it('a completion without a time on the due date cannot be judged, and says so', () => {
    expect(codeOf(() => evaluateCase(kase('g5', green.id, [acc, ['completed', '2020-05-21']]), green, cal, '2020-05-30'))).toBe('completion_time_required');
    // a day later it is late whatever the hour
    expect(evaluateCase(kase('g6', green.id, [acc, ['completed', '2020-05-22']]), green, cal, '2020-05-30').onTime).toBe(false);
  });
  it('an open case is overdue after noon of the due date', () => {
    const c = kase('g7', green.id, [acc]);
    expect(evaluateCase(c, green, cal, '2020-05-21T10:00')).toMatchObject({ elapsed: 0.5, overdue: false });
    expect(evaluateCase(c, green, cal, '2020-05-21T13:00')).toMatchObject({ elapsed: 1, overdue: true });
    expect(evaluateCase(c, green, cal, '2020-05-21')).toMatchObject({ overdue: true }); // a bare date is the end of that day
  });
});

describe('bankruptcy cases in calendar days and months', () => {
  it('90 days: accepted 2020-01-01, due 2020-03-31', () => {
    const on = evaluateCase(kase('b1', noAssets.id, [['accepted', '2020-01-01'], ['completed', '2020-03-31']]), noAssets, cal, '2020-12-31');
    expect(on).toMatchObject({ countUnit: 'calendarDays', limit: 90, elapsed: 90, due: { date: '2020-03-31' }, onTime: true });
    const late = evaluateCase(kase('b2', noAssets.id, [['accepted', '2020-01-01'], ['completed', '2020-04-01']]), noAssets, cal, '2020-12-31');
    expect(late).toMatchObject({ elapsed: 91, onTime: false });
  });
  it('a suspension (e.g. waiting for a notice period) pushes the due date by its calendar days', () => {
    const c = kase('b3', noAssets.id, [['accepted', '2020-01-01'], ['suspended', '2020-02-01'], ['resumed', '2020-02-11'], ['completed', '2020-04-10']]);
    expect(evaluateCase(c, noAssets, cal, '2020-12-31')).toMatchObject({ suspendedDays: 10, due: { date: '2020-04-10' }, elapsed: 90, onTime: true });
  });
  it('6 months from 31 August ends on 28 February (民法典 202)', () => {
    const on = evaluateCase(kase('b4', sixMonths.id, [['accepted', '2020-08-31'], ['completed', '2021-02-28']]), sixMonths, cal, '2021-12-31');
    expect(on).toMatchObject({ limit: 181, due: { date: '2021-02-28' }, onTime: true });
    const late = evaluateCase(kase('b5', sixMonths.id, [['accepted', '2020-08-31'], ['completed', '2021-03-01']]), sixMonths, cal, '2021-12-31');
    expect(late.onTime).toBe(false);
  });
  it('calendar-day limits do not need the working-day calendar past 2026', () => {
    const c = kase('b6', noAssets.id, [['accepted', '2026-12-01']]);
    expect(evaluateCase(c, noAssets, cal, '2026-12-15')).toMatchObject({ due: { date: '2027-03-01' }, remaining: 76 });
  });
});

describe('bad case events', () => {
  const cases: Array<[string, Array<[CaseEvent['type'], string]>, string]> = [
    ['no events', [], 'invalid_case_events'],
    ['not accepted first', [['completed', '2020-05-20']], 'invalid_case_events'],
    ['accepted twice', [['accepted', '2020-05-20'], ['accepted', '2020-05-21']], 'invalid_case_events'],
    ['suspended twice', [['accepted', '2020-05-20'], ['suspended', '2020-05-21'], ['suspended', '2020-05-22']], 'invalid_case_events'],
    ['resumed without suspension', [['accepted', '2020-05-20'], ['resumed', '2020-05-21']], 'invalid_case_events'],
    ['completed while suspended', [['accepted', '2020-05-20'], ['suspended', '2020-05-21'], ['completed', '2020-05-22']], 'invalid_case_events'],
    ['completed twice', [['accepted', '2020-05-20'], ['completed', '2020-05-21'], ['completed', '2020-05-22']], 'invalid_case_events'],
    ['out of order', [['accepted', '2020-05-20'], ['completed', '2020-05-19']], 'invalid_case_events'],
    ['out of order within a day', [['accepted', '2020-05-20T15:00'], ['completed', '2020-05-20T09:00']], 'invalid_case_events'],
    ['unknown type', [['accepted', '2020-05-20'], ['closed' as CaseEvent['type'], '2020-05-21']], 'invalid_case_events'],
    ['malformed date', [['accepted', '2020-05-32']], 'invalid_date'],
    ['impossible time', [['accepted', '2020-05-20T24:10']], 'invalid_time'],
  ];
  it.each(cases)('%s', (_name, events, code) => {
    expect(codeOf(() => evaluateCase(kase('bad', water4.id, events), water4, cal, '2020-06-30'))).toBe(code);
  });
  it('an as-of date before acceptance', () => {
    expect(codeOf(() => evaluateCase(kase('e', water4.id, [['accepted', '2020-05-20']]), water4, cal, '2020-05-19'))).toBe('as_of_before_acceptance');
  });
  it('a share or annual limit is not measured per case', () => {
    expect(codeOf(() => evaluateCase(kase('e', 'tax-time-annual-hours', [['accepted', '2020-05-20']]), limits.get('tax-time-annual-hours'), cal, '2020-06-30'))).toBe(
      'limit_not_case_based',
    );
  });
});

describe('compliance', () => {
  const waterCases = [
    kase('w1', water4.id, [['accepted', '2020-05-20'], ['completed', '2020-05-26']]), // on time, last day
    kase('w2', water4.id, [['accepted', '2020-05-20'], ['completed', '2020-05-22']]), // on time
    kase('w3', water4.id, [['accepted', '2020-05-20'], ['completed', '2020-05-27']]), // late
    kase('w4', water4.id, [['accepted', '2020-06-01']]), // open, overdue by 2020-06-30
    kase('w5', water4.id, [['accepted', '2020-06-29']]), // open, within its limit
    kase('w6', water4.id, [['accepted', '2020-06-01'], ['suspended', '2020-06-02']]), // suspended
    kase('w7', water4.id, [['accepted', '2020-07-15']]), // accepted after the as-of date: not in the report
  ];

  it('per-case limit: share on time among cases whose outcome is known', () => {
    const r = complianceForLimit(water4, waterCases, limits, cal, { asOf: '2020-06-30' });
    expect(r).toMatchObject({
      cases: 6,
      completed: 3,
      open: 2,
      suspended: 1,
      onTime: 2,
      late: 1,
      openOverdue: 1,
      onTimeShare: { numerator: 2, denominator: 4, percent: 50 },
      averageElapsed: 3.67,
      targetMet: false,
    });
  });

  it('a period of acceptance narrows the report', () => {
    const r = complianceForLimit(water4, waterCases, limits, cal, { asOf: '2020-06-30', acceptedFrom: '2020-06-01' });
    expect(r).toMatchObject({ cases: 3, completed: 0, openOverdue: 1, onTimeShare: { numerator: 0, denominator: 1, percent: 0 } });
  });

  it('average-type limit: the running mean against the target, inclusive', () => {
    const lv = limits.get('power-low-voltage'); // average ≤ 5 working days
    const mk = (id: string, done: string) => kase(id, lv.id, [['accepted', '2020-06-01'], ['completed', done]]);
    // elapsed 3 (6-04), 4 (6-05), 8 (6-11): mean 5 — met exactly
    const met = complianceForLimit(lv, [mk('p1', '2020-06-04'), mk('p2', '2020-06-05'), mk('p3', '2020-06-11')], limits, cal, { asOf: '2020-06-30' });
    expect(met).toMatchObject({ completed: 3, averageElapsed: 5, targetMet: true, onTimeShare: null });
    // 3, 4, 9: mean 5.33 — missed
    const missed = complianceForLimit(lv, [mk('p1', '2020-06-04'), mk('p2', '2020-06-05'), mk('p3', '2020-06-12')], limits, cal, { asOf: '2020-06-30' });
    expect(missed).toMatchObject({ averageElapsed: 5.33, targetMet: false });
    // a single slow case is flagged as above the target, but is not "overdue": the promise is the mean
    const one = evaluateCase(mk('p3', '2020-06-12'), lv, cal, '2020-06-30');
    expect(one).toMatchObject({ exceedsTarget: true, overdue: null, onTime: null });
  });

  it('bankruptcy: the share under simplified procedure against ≥ 40%, counting cases without a time limit', () => {
    const share = limits.get('bankruptcy-simplified-share');
    const b = (id: string, simplified: boolean, limitId?: string): ServiceCase => ({
      id,
      ...(limitId ? { limitId } : { serviceId: 'bankruptcy' }),
      simplifiedProcedure: simplified,
      events: [{ type: 'accepted', at: '2020-03-01' }],
    });
    const five = [b('k1', true, noAssets.id), b('k2', true, sixMonths.id), b('k3', false), b('k4', false), b('k5', false, sixMonths.id)];
    expect(complianceForLimit(share, five, limits, cal, { asOf: '2020-12-31' })).toMatchObject({
      cases: 5,
      share: { numerator: 2, denominator: 5, percent: 40 },
      targetMet: true,
    });
    const three = five.slice(1, 4);
    expect(complianceForLimit(share, three, limits, cal, { asOf: '2020-12-31' })).toMatchObject({
      share: { numerator: 1, denominator: 3, percent: 33.3 },
      targetMet: false,
    });
    expect(complianceForLimit(share, [], limits, cal, { asOf: '2020-12-31' })).toMatchObject({ share: { percent: null }, targetMet: null });
  });

  it('cases that cannot be measured are listed with the reason, not dropped or guessed', () => {
    const gov = limits.get('construction-government-investment');
    const r = complianceForLimit(gov, [kase('late-2026', gov.id, [['accepted', '2026-11-02']])], limits, cal, { asOf: '2026-12-01' });
    expect(r.cases).toBe(1);
    expect(r.undetermined).toEqual([expect.objectContaining({ caseId: 'late-2026', code: 'calendar_not_covered' })]);
    expect(r.targetMet).toBeNull();
  });

  it('by limit: every case-based and share limit, and a case naming an unknown limit fails first', () => {
    const all = complianceByLimit(limits, waterCases, cal, { asOf: '2020-06-30' });
    expect(all.map((r) => r.limitId)).not.toContain('tax-time-annual-hours');
    expect(all.map((r) => r.limitId)).not.toContain('customs-clearance-time');
    expect(all.find((r) => r.limitId === water4.id)?.onTime).toBe(2);
    expect(codeOf(() => complianceByLimit(limits, [kase('u', 'no-such', [['accepted', '2020-05-20']])], cal, { asOf: '2020-06-30' }))).toBe('unknown_limit');
  });

  it('by department: a case counts for the department that handled it, else for every owner of its limit', () => {
    const gas = limits.get('gas-direct-meter'); // owners: towngas, housing-construction-bureau, administrative-approval-bureau
    const cases = [
      kase('g1', gas.id, [['accepted', '2020-05-20'], ['completed', '2020-05-25']]), // on time (3 days), no department recorded
      kase('g2', gas.id, [['accepted', '2020-05-20'], ['completed', '2020-05-28']], { departmentId: 'towngas' }), // late, Towngas
    ];
    const byDept = complianceByDepartment(limits, cases, cal, { asOf: '2020-06-30' });
    const towngas = byDept.find((d) => d.departmentId === 'towngas')!;
    const housing = byDept.find((d) => d.departmentId === 'housing-construction-bureau')!;
    expect(towngas.onTimeShare).toEqual({ numerator: 1, denominator: 2, percent: 50 });
    expect(housing.onTimeShare).toEqual({ numerator: 1, denominator: 1, percent: 100 });
    expect(towngas.limits.map((l) => l.limitId)).toEqual(['gas-direct-meter', 'gas-pipeline-no-approval', 'gas-pipeline-with-approval']);
    expect(byDept.map((d) => d.departmentId)).toContain('wujiang-court');
  });
});

describe('hours and relative targets', () => {
  it('tax time: every enterprise within 100 hours a year', () => {
    const tax = limits.get('tax-time-annual-hours');
    const r = annualTotalCompliance(
      tax,
      [
        { subjectId: '91320509MA1XXXXXX1', date: '2020-04-15', hours: 60 },
        { subjectId: '91320509MA1XXXXXX1', date: '2020-10-15', hours: 40 },
        { subjectId: '91320509MA1XXXXXX2', date: '2020-04-15', hours: 120 },
      ],
      2020,
    );
    expect(r).toMatchObject({ withinLimit: { numerator: 1, denominator: 2, percent: 50 }, averageHours: 110, targetMet: false });
    expect(r.totals[0]).toMatchObject({ totalHours: 100, exceeded: false });
  });

  it('customs: clearance time at most two thirds of the 2017 baseline, compared exactly', () => {
    const customs = limits.get('customs-clearance-time');
    expect(evaluateRelativeTarget(customs, 30, 20)).toMatchObject({ target: 20, met: true });
    expect(evaluateRelativeTarget(customs, 30, 20.01).met).toBe(false);
    expect(evaluateRelativeTarget(customs, 10, 20 / 3).met).toBe(true);
    expect(codeOf(() => evaluateRelativeTarget(customs, -1, 2))).toBe('negative_count');
    expect(codeOf(() => evaluateRelativeTarget(water4, 30, 20))).toBe('limit_not_relative');
  });
});
