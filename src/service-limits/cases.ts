/**
 * A service case against its time limit, and compliance over many cases. Pure: cases come in as data, answers go
 * out as data; storage and faces are elsewhere.
 *
 * A case is a list of events: accepted (受理) → suspended (补正: the clock stops while the applicant supplements
 * materials) → resumed → … → completed (办结). Events are dated 'YYYY-MM-DD', optionally with a time
 * 'YYYY-MM-DDTHH:MM' (Asia/Shanghai); the time matters only for half-day limits.
 *
 * Counting, in the limit's unit:
 * - working days: elapsed = countWorkingDays(accepted, end) − suspended, where end is the completion (or the as-of
 *   date) and each suspension costs countWorkingDays(suspended, resumed): the day of suspension still counts, the
 *   day of resumption does not (it is like a new day of acceptance). The due date is pushed by the suspended working
 *   days: due = dueAfterWorkingDays(accepted, limit + suspended). Work finished by 12:00 on a counted working day
 *   uses half of it, so a 0.5-day limit is kept by noon of the next working day after acceptance.
 * - calendar days: the same with calendar days (民法典 第二百零一条: the first day is not counted).
 * - months: the limit becomes the calendar days from acceptance to the same day n months later
 *   (民法典 第二百零二条), then counts as calendar days.
 * A case is on time when elapsed ≤ limit (以内 / 不超过 include the limit itself). Work done on a day that is not a
 * working day uses no working day: finishing on the Saturday after a Friday due date is still on time.
 * An as-of date without a time means the end of that day.
 */
import { KaifangError } from '../errors.ts';
import { addCalendarDays, addMonths, diffCalendarDays, parseCivilDate, type CivilDate } from '../civil-date.ts';
import type { DueMoment, WorkdayCalendar } from '../calendar/workday-calendar.ts';
import { annualHoursTotals, type HoursEntry, type HoursTotal } from '../calendar/hours.ts';
import type { ServiceLimit, ServiceLimits } from './limits.ts';

export type CaseEventType = 'accepted' | 'suspended' | 'resumed' | 'completed';

export interface CaseEvent {
  type: CaseEventType;
  /** 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM' (Asia/Shanghai) */
  at: string;
  note?: string;
}

export interface ServiceCase {
  id: string;
  /** the limit the case is measured against; absent for a case that only counts in a population (a bankruptcy
   *  case under neither the 90-day nor the 6-month category still counts in the simplified-procedure share) */
  limitId?: string;
  /** needed when there is no limitId; otherwise taken from the limit */
  serviceId?: string;
  /** the department that handled the case; when absent the case counts for every owner of its limit */
  departmentId?: string;
  /** 简化程序审理 (bankruptcy cases) */
  simplifiedProcedure?: boolean;
  events: CaseEvent[];
}

export type CountUnit = 'workingDays' | 'calendarDays';

export interface Suspension {
  from: CivilDate;
  /** null: still suspended at the as-of date */
  to: CivilDate | null;
  /** in the case's count unit */
  days: number;
}

export interface CaseStatus {
  caseId: string;
  limitId: string;
  kind: 'perCase' | 'average';
  state: 'open' | 'suspended' | 'completed';
  asOf: string;
  countUnit: CountUnit;
  /** the limit in countUnit (a limit in months becomes this case's calendar days) */
  limit: number;
  accepted: CivilDate;
  completed: string | null;
  suspensions: Suspension[];
  suspendedDays: number;
  /** when the limit runs out, pushed by suspensions; `dueProvisional` while the case is suspended */
  due: DueMoment;
  dueProvisional: boolean;
  /**
   * working-day limits: the due date or the time used was counted past the calendar's coverage, with weekends only
   * (next year's holiday notice is not entered yet): shown as 暂定, never as settled
   */
  beyondCalendar: boolean;
  /** time used, suspensions excluded, up to completion or the as-of date */
  elapsed: number;
  /** limit − elapsed; negative when over */
  remaining: number;
  /** per-case limits: elapsed > limit (a completed case that was late is overdue too); null for averages */
  overdue: boolean | null;
  /** completed per-case cases: elapsed ≤ limit; null while open, and for averages */
  onTime: boolean | null;
  /** average-type limits: this case alone took longer than the target (informative; the promise is the mean) */
  exceedsTarget: boolean | null;
}

interface Moment {
  date: CivilDate;
  /** minutes after midnight; null when no time was recorded */
  minutes: number | null;
  text: string;
}

const MOMENT_RE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2}))?$/;
const NOON = 12 * 60;

function parseMoment(value: unknown, path: string): Moment {
  const m = typeof value === 'string' ? MOMENT_RE.exec(value) : null;
  if (!m) {
    throw new KaifangError({
      code: 'invalid_date',
      zh: `时间 ${JSON.stringify(value)} 无效，应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM`,
      en: `${JSON.stringify(value)} is not a valid moment; write YYYY-MM-DD or YYYY-MM-DDTHH:MM`,
      path,
      details: { value },
    });
  }
  const date = parseCivilDate(m[1], path);
  if (m[2] === undefined) return { date, minutes: null, text: value as string };
  const h = Number(m[2]);
  const min = Number(m[3]);
  if (h > 23 || min > 59) {
    throw new KaifangError({
      code: 'invalid_time',
      zh: `时刻 ${m[2]}:${m[3]} 无效`,
      en: `${m[2]}:${m[3]} is not a time of day`,
      path,
      details: { value },
    });
  }
  return { date, minutes: h * 60 + min, text: value as string };
}

/** Is moment a before moment b? Without times, two moments of one day are taken as simultaneous. */
function before(a: Moment, b: Moment): boolean {
  if (a.date !== b.date) return a.date < b.date;
  return a.minutes !== null && b.minutes !== null && a.minutes < b.minutes;
}

function eventsError(caseId: string, path: string, zh: string, en: string): KaifangError {
  return new KaifangError({ code: 'invalid_case_events', zh: `案件 ${caseId}：${zh}`, en: `case ${caseId}: ${en}`, path, details: { caseId } });
}

interface Timeline {
  accepted: Moment;
  suspensions: Array<{ from: Moment; to: Moment | null }>;
  completed: Moment | null;
}

/** Check the order of a case's events, then keep what had happened by `asOf`. */
function timelineOf(c: ServiceCase, asOf: Moment): Timeline {
  if (!Array.isArray(c.events) || c.events.length === 0) {
    throw eventsError(c.id, 'events', '没有任何事件，至少应有“受理”', 'has no events; it needs at least "accepted"');
  }
  const events = c.events.map((e, i) => ({ type: e.type, at: parseMoment(e.at, `events[${i}].at`), i }));
  let state: 'none' | 'running' | 'suspended' | 'completed' = 'none';
  events.forEach((e, i) => {
    const path = `events[${i}]`;
    if (i > 0 && before(e.at, events[i - 1].at)) {
      throw eventsError(c.id, `${path}.at`, `事件时间 ${e.at.text} 早于前一事件 ${events[i - 1].at.text}`, `${e.at.text} is earlier than the event before it (${events[i - 1].at.text})`);
    }
    const bad = (zh: string, en: string) => eventsError(c.id, `${path}.type`, zh, en);
    switch (e.type) {
      case 'accepted':
        if (state !== 'none') throw bad('只能受理一次，且须为第一个事件', 'is accepted twice; acceptance is the first event and happens once');
        state = 'running';
        break;
      case 'suspended':
        if (state === 'none') throw bad('受理之前不能中止', 'is suspended before it is accepted');
        if (state === 'suspended') throw bad('已在中止（补正）中，不能再次中止', 'is suspended while already suspended');
        if (state === 'completed') throw bad('办结后不能中止', 'is suspended after completion');
        state = 'suspended';
        break;
      case 'resumed':
        if (state !== 'suspended') throw bad('未中止，不能恢复', 'is resumed without being suspended');
        state = 'running';
        break;
      case 'completed':
        if (state === 'none') throw bad('受理之前不能办结', 'is completed before it is accepted');
        if (state === 'suspended') throw bad('中止（补正）期间不能办结，请先记录恢复', 'is completed while suspended; record the resumption first');
        if (state === 'completed') throw bad('只能办结一次', 'is completed twice');
        state = 'completed';
        break;
      default:
        throw bad(
          `事件类型 ${JSON.stringify(e.type)} 无效（accepted、suspended、resumed、completed）`,
          `${JSON.stringify(e.type)} is not an event type (accepted, suspended, resumed, completed)`,
        );
    }
  });

  const accepted = events[0].at;
  if (before(asOf, accepted)) {
    throw new KaifangError({
      code: 'as_of_before_acceptance',
      zh: `查询日期 ${asOf.text} 早于案件 ${c.id} 的受理日期 ${accepted.text}`,
      en: `the as-of date ${asOf.text} is before case ${c.id} was accepted (${accepted.text})`,
      path: 'asOf',
      details: { caseId: c.id },
    });
  }
  const happened = events.filter((e) => !before(asOf, e.at));
  const t: Timeline = { accepted, suspensions: [], completed: null };
  for (const e of happened) {
    if (e.type === 'suspended') t.suspensions.push({ from: e.at, to: null });
    if (e.type === 'resumed') t.suspensions[t.suspensions.length - 1].to = e.at;
    if (e.type === 'completed') t.completed = e.at;
  }
  return t;
}

function caseBasedLimit(limit: ServiceLimit): asserts limit is ServiceLimit & { kind: 'perCase' | 'average'; value: number } {
  if ((limit.kind !== 'perCase' && limit.kind !== 'average') || limit.value === undefined || limit.unit === 'hours') {
    throw new KaifangError({
      code: 'limit_not_case_based',
      zh: `时限 ${limit.id} 不是按案件计时的时限（${limit.kind}），不能用案件事件计算`,
      en: `limit ${limit.id} (${limit.kind}) is not timed per case, so case events cannot be measured against it`,
      path: 'limitId',
      details: { limitId: limit.id },
    });
  }
}

/** Where a case stands against its limit at `asOf` (a date, meaning the end of that day, or a date and time). */
export function evaluateCase(c: ServiceCase, limit: ServiceLimit, calendar: WorkdayCalendar, asOf: string): CaseStatus {
  caseBasedLimit(limit);
  if (c.limitId !== undefined && c.limitId !== limit.id) {
    throw new KaifangError({
      code: 'limit_mismatch',
      zh: `案件 ${c.id} 属于时限 ${c.limitId}，不是 ${limit.id}`,
      en: `case ${c.id} belongs to limit ${c.limitId}, not ${limit.id}`,
      path: 'limitId',
    });
  }
  const asOfMoment = parseMoment(asOf, 'asOf');
  const t = timelineOf(c, asOfMoment);
  const end = t.completed ?? asOfMoment;
  const suspendedNow = t.suspensions.some((s) => s.to === null);
  const acceptedDate = t.accepted.date;

  let countUnit: CountUnit;
  let limitValue: number;
  let suspensions: Suspension[];
  let elapsed: number;
  let due: DueMoment;
  let beyondCalendar = false;

  if (limit.unit === 'workingDays') {
    countUnit = 'workingDays';
    limitValue = limit.value;
    suspensions = t.suspensions.map((s) => {
      const to = s.to?.date ?? end.date;
      return { from: s.from.date, to: s.to?.date ?? null, days: calendar.countWorkingDays(s.from.date, to) };
    });
    const suspended = suspensions.reduce((sum, s) => sum + s.days, 0);
    elapsed = calendar.countWorkingDays(acceptedDate, end.date) - suspended;
    // The end day is a counted working day unless it is the day of acceptance, of a resumption, or in a suspension.
    const lastResumed = t.suspensions.reduce<CivilDate | null>((d, s) => s.to?.date ?? d, null);
    const endDayCounted =
      !suspendedNow && end.date > acceptedDate && (lastResumed === null || end.date > lastResumed) && calendar.isWorkingDay(end.date);
    if (endDayCounted && end.minutes !== null && end.minutes <= NOON) elapsed -= 0.5;
    if (endDayCounted && end.minutes === null && t.completed && elapsed - 0.5 === limitValue) {
      throw new KaifangError({
        code: 'completion_time_required',
        zh: `案件 ${c.id} 的时限到 ${end.date} 中午12:00止，办结记录没有时刻，无法判断是否按时；请记录办结时刻（YYYY-MM-DDTHH:MM）`,
        en: `case ${c.id} is due at noon on ${end.date} and its completion has no time of day, so whether it was on time cannot be told; record the time (YYYY-MM-DDTHH:MM)`,
        path: 'events',
        details: { caseId: c.id },
      });
    }
    due = calendar.dueAfterWorkingDays(acceptedDate, limitValue + suspended);
    beyondCalendar = calendar.isProvisional(due.date) || calendar.isProvisional(end.date);
  } else {
    countUnit = 'calendarDays';
    limitValue = limit.unit === 'months' ? diffCalendarDays(acceptedDate, addMonths(acceptedDate, limit.value)) : limit.value;
    suspensions = t.suspensions.map((s) => {
      const to = s.to?.date ?? end.date;
      return { from: s.from.date, to: s.to?.date ?? null, days: diffCalendarDays(s.from.date, to) };
    });
    const suspended = suspensions.reduce((sum, s) => sum + s.days, 0);
    elapsed = diffCalendarDays(acceptedDate, end.date) - suspended;
    due = { date: addCalendarDays(acceptedDate, limitValue + suspended), at: 'endOfDay' };
  }

  const suspendedDays = suspensions.reduce((sum, s) => sum + s.days, 0);
  const over = elapsed > limitValue;
  const perCase = limit.kind === 'perCase';
  return {
    caseId: c.id,
    limitId: limit.id,
    kind: limit.kind,
    state: t.completed ? 'completed' : suspendedNow ? 'suspended' : 'open',
    asOf,
    countUnit,
    limit: limitValue,
    accepted: acceptedDate,
    completed: t.completed?.text ?? null,
    suspensions,
    suspendedDays,
    due,
    dueProvisional: suspendedNow,
    beyondCalendar,
    elapsed,
    remaining: limitValue - elapsed,
    overdue: perCase ? over : null,
    onTime: perCase && t.completed ? !over : null,
    exceedsTarget: perCase ? null : over,
  };
}

// ── Compliance ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface Share {
  numerator: number;
  denominator: number;
  /** rounded to one decimal for display; null when there is nothing to divide */
  percent: number | null;
}

function share(numerator: number, denominator: number): Share {
  return { numerator, denominator, percent: denominator === 0 ? null : Math.round((numerator * 1000) / denominator) / 10 };
}

export interface ComplianceOptions {
  /** the date (or date and time) the report is made for */
  asOf: string;
  /** only cases accepted in this period (inclusive) */
  acceptedFrom?: CivilDate;
  acceptedTo?: CivilDate;
}

export interface LimitCompliance {
  limitId: string;
  kind: ServiceLimit['kind'];
  unit: ServiceLimit['unit'];
  comparator: ServiceLimit['comparator'];
  value: number | null;
  /** cases in the report (accepted by asOf, within the period) */
  cases: number;
  completed: number;
  open: number;
  suspended: number;
  /** per-case limits: completed within the limit / completed late / still open and already over */
  onTime: number;
  late: number;
  openOverdue: number;
  /** per-case limits: on time ÷ (completed + open and already over): the cases whose outcome is known */
  onTimeShare: Share | null;
  countUnit: CountUnit | null;
  /** mean elapsed time of completed cases, in countUnit; for average-type limits it is the promise */
  averageElapsed: number | null;
  /** share-type targets: the cases meeting the criterion ÷ the population */
  share: Share | null;
  /** per case: no case late or over; average: mean ≤ target; share: share ≥ target; null without data */
  targetMet: boolean | null;
  /** cases that could not be measured (e.g. a due date past the calendar's coveredThrough), with the reason */
  undetermined: Array<{ caseId: string; code: string; messageZh: string; messageEn: string }>;
}

function inPeriod(c: ServiceCase, opts: ComplianceOptions, asOfDate: CivilDate): boolean {
  const first = c.events?.[0];
  if (!first || first.type !== 'accepted') return true; // let evaluateCase report the bad case
  const accepted = parseMoment(first.at, 'events[0].at').date;
  if (accepted > asOfDate) return false;
  if (opts.acceptedFrom && accepted < opts.acceptedFrom) return false;
  if (opts.acceptedTo && accepted > opts.acceptedTo) return false;
  return true;
}

function serviceOf(c: ServiceCase, limits: ServiceLimits): string {
  if (c.limitId !== undefined) {
    const l = limits.get(c.limitId);
    if (c.serviceId !== undefined && c.serviceId !== l.service.id) {
      throw new KaifangError({
        code: 'limit_mismatch',
        zh: `案件 ${c.id} 的服务 ${c.serviceId} 与其时限 ${l.id} 的服务 ${l.service.id} 不符`,
        en: `case ${c.id} says service ${c.serviceId} but its limit ${l.id} is for ${l.service.id}`,
        path: 'serviceId',
      });
    }
    return l.service.id;
  }
  if (c.serviceId === undefined) {
    throw new KaifangError({
      code: 'invalid_case',
      zh: `案件 ${c.id} 既没有 limitId 也没有 serviceId`,
      en: `case ${c.id} has neither a limitId nor a serviceId`,
      path: 'serviceId',
    });
  }
  return c.serviceId;
}

/** Compliance with one limit over the cases given (cases of other limits are ignored, except as a share's population). */
export function complianceForLimit(
  limit: ServiceLimit,
  cases: readonly ServiceCase[],
  limits: ServiceLimits,
  calendar: WorkdayCalendar,
  opts: ComplianceOptions,
): LimitCompliance {
  const asOfDate = parseMoment(opts.asOf, 'asOf').date;
  if (opts.acceptedFrom) parseCivilDate(opts.acceptedFrom, 'acceptedFrom');
  if (opts.acceptedTo) parseCivilDate(opts.acceptedTo, 'acceptedTo');
  const out: LimitCompliance = {
    limitId: limit.id,
    kind: limit.kind,
    unit: limit.unit,
    comparator: limit.comparator,
    value: limit.value ?? null,
    cases: 0,
    completed: 0,
    open: 0,
    suspended: 0,
    onTime: 0,
    late: 0,
    openOverdue: 0,
    onTimeShare: null,
    countUnit: null,
    averageElapsed: null,
    share: null,
    targetMet: null,
    undetermined: [],
  };

  if (limit.kind === 'share' && limit.share && limit.value !== undefined) {
    const population = cases.filter((c) => serviceOf(c, limits) === limit.share!.population && inPeriod(c, opts, asOfDate));
    const meeting = population.filter((c) => c.simplifiedProcedure === true).length;
    out.cases = population.length;
    out.share = share(meeting, population.length);
    // ≥ 40%: compared exactly, meeting / population ≥ value / 100
    out.targetMet = population.length === 0 ? null : meeting * 100 >= limit.value * population.length;
    return out;
  }
  if (limit.kind !== 'perCase' && limit.kind !== 'average') return out;
  if (limit.value === undefined) return out;

  let elapsedSum = 0;
  for (const c of cases) {
    if (c.limitId !== limit.id || !inPeriod(c, opts, asOfDate)) continue;
    let s: CaseStatus;
    try {
      s = evaluateCase(c, limit, calendar, opts.asOf);
    } catch (err) {
      if (err instanceof KaifangError && (err.code === 'calendar_not_covered' || err.code === 'completion_time_required')) {
        out.cases++;
        out.undetermined.push({ caseId: c.id, code: err.code, messageZh: err.messageZh, messageEn: err.messageEn });
        continue;
      }
      throw err;
    }
    out.cases++;
    out.countUnit = s.countUnit;
    if (s.state === 'completed') {
      out.completed++;
      elapsedSum += s.elapsed;
      if (s.onTime === true) out.onTime++;
      if (s.onTime === false) out.late++;
    } else {
      if (s.state === 'suspended') out.suspended++;
      else out.open++;
      if (s.overdue === true) out.openOverdue++;
    }
  }
  out.countUnit ??= limit.unit === 'workingDays' ? 'workingDays' : 'calendarDays';
  if (out.completed > 0) out.averageElapsed = Math.round((elapsedSum / out.completed) * 100) / 100;
  if (limit.kind === 'perCase') {
    const known = out.completed + out.openOverdue;
    out.onTimeShare = share(out.onTime, known);
    out.targetMet = known === 0 ? null : out.late + out.openOverdue === 0;
  } else if (limit.unit === 'months') {
    out.targetMet = null; // an average in months has no case-independent length in days; no such limit exists
  } else {
    // mean ≤ target, compared without dividing: sum ≤ target × count
    out.targetMet = out.completed === 0 ? null : elapsedSum <= limit.value * out.completed;
  }
  return out;
}

/** Compliance with every case-based and share limit (annual totals and relative targets need other data). */
export function complianceByLimit(
  limits: ServiceLimits,
  cases: readonly ServiceCase[],
  calendar: WorkdayCalendar,
  opts: ComplianceOptions,
): LimitCompliance[] {
  cases.forEach((c) => serviceOf(c, limits)); // unknown limits and mismatches fail before any counting
  return limits.limits
    .filter((l) => l.value !== undefined && l.kind !== 'annualTotal')
    .map((l) => complianceForLimit(l, cases, limits, calendar, opts));
}

export interface DepartmentCompliance {
  departmentId: string;
  limits: LimitCompliance[];
  /** over the department's per-case limits: cases on time ÷ cases whose outcome is known */
  onTimeShare: Share;
  /** average and share targets met ÷ those with data */
  targetsMet: Share;
}

/**
 * Compliance per department. A case counts for the department that handled it (departmentId), or, when none is
 * recorded, for every owner of its limit: shared limits are shared responsibility.
 */
export function complianceByDepartment(
  limits: ServiceLimits,
  cases: readonly ServiceCase[],
  calendar: WorkdayCalendar,
  opts: ComplianceOptions,
): DepartmentCompliance[] {
  cases.forEach((c) => serviceOf(c, limits));
  const measurable = limits.limits.filter((l) => l.value !== undefined && l.kind !== 'annualTotal');
  const ownersOf = (c: ServiceCase): string[] => {
    if (c.departmentId) return [c.departmentId];
    if (c.limitId) return limits.get(c.limitId).owners;
    // a case without a limit (population only) belongs to the owners of the share limits over its service
    return measurable.filter((l) => l.share?.population === c.serviceId).flatMap((l) => l.owners);
  };
  const departments = new Set<string>();
  measurable.forEach((l) => l.owners.forEach((o) => departments.add(o)));
  cases.forEach((c) => ownersOf(c).forEach((o) => departments.add(o)));

  return [...departments].sort().map((dept) => {
    const mine = cases.filter((c) => ownersOf(c).includes(dept));
    const relevant = measurable.filter((l) => l.owners.includes(dept) || mine.some((c) => c.limitId === l.id));
    const results = relevant.map((l) => complianceForLimit(l, mine, limits, calendar, opts));
    const perCase = results.filter((r) => r.kind === 'perCase');
    const onTime = perCase.reduce((s, r) => s + r.onTime, 0);
    const known = perCase.reduce((s, r) => s + r.completed + r.openOverdue, 0);
    const targets = results.filter((r) => r.kind !== 'perCase' && r.targetMet !== null);
    return {
      departmentId: dept,
      limits: results,
      onTimeShare: share(onTime, known),
      targetsMet: share(targets.filter((r) => r.targetMet).length, targets.length),
    };
  });
}

export interface AnnualTotalCompliance {
  limitId: string;
  year: number;
  totals: HoursTotal[];
  /** subjects within the limit ÷ subjects with any hours recorded */
  withinLimit: Share;
  averageHours: number | null;
  /** every subject within the limit; null without data */
  targetMet: boolean | null;
}

/** Hours-per-year limits (纳税时间 ≤ 100 小时): each subject's annual total against the limit. */
export function annualTotalCompliance(limit: ServiceLimit, entries: readonly HoursEntry[], year: number): AnnualTotalCompliance {
  if (limit.kind !== 'annualTotal' || limit.value === undefined) {
    throw new KaifangError({
      code: 'limit_not_annual_total',
      zh: `时限 ${limit.id} 不是年度累计小时时限`,
      en: `limit ${limit.id} is not an annual total of hours`,
      path: 'limitId',
    });
  }
  const totals = annualHoursTotals(entries, year, limit.value);
  const within = totals.filter((t) => !t.exceeded).length;
  const sumMinutes = totals.reduce((s, t) => s + t.totalMinutes, 0);
  return {
    limitId: limit.id,
    year,
    totals,
    withinLimit: share(within, totals.length),
    averageHours: totals.length ? Math.round((sumMinutes / 60 / totals.length) * 100) / 100 : null,
    targetMet: totals.length ? within === totals.length : null,
  };
}

export interface RelativeTargetResult {
  limitId: string;
  baseline: number;
  current: number;
  /** baseline × (1 − reduction) */
  target: number;
  met: boolean;
}

/** A target relative to a baseline (通关时间压缩三分之一): current ≤ baseline × (1 − reduction), compared exactly. */
export function evaluateRelativeTarget(limit: ServiceLimit, baseline: number, current: number): RelativeTargetResult {
  if (!limit.relative) {
    throw new KaifangError({ code: 'limit_not_relative', zh: `时限 ${limit.id} 不是相对目标`, en: `limit ${limit.id} is not a relative target`, path: 'limitId' });
  }
  for (const [name, v] of [
    ['baseline', baseline],
    ['current', current],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new KaifangError({
        code: v < 0 ? 'negative_count' : 'invalid_count',
        zh: `${name} 必须是非负数`,
        en: `${name} must be a number ≥ 0`,
        path: name,
      });
    }
  }
  const [num, den] = limit.relative.reduction.split('/').map(Number);
  return {
    limitId: limit.id,
    baseline,
    current,
    target: (baseline * (den - num)) / den,
    met: current * den <= baseline * (den - num),
  };
}
