/**
 * Official working days (工作日) and time limits counted in them.
 *
 * The counting convention (the same everywhere in Kaifang, and in docs/calendar.md):
 * - The day of acceptance (受理之日) is not counted; day 1 is the next working day after it. A limit of n working
 *   days is met when the work is done by the end of the n-th working day after acceptance. This follows the rule of
 *   民法典 第二百零一条 (开始的当日不计入) applied to working days, and it is how 行政许可法 第八十二条 counts
 *   (期限以工作日计算，不含法定节假日).
 * - Half days: a limit of n + ½ working days ends at noon (12:00) of working day n + 1. So 0.5 working day ends at
 *   noon of the next working day after acceptance, 1.5 at noon of the second. A due moment is a date plus
 *   'noon' or 'endOfDay'.
 * - countWorkingDays(from, to) counts the working days d with from < d ≤ to: the working days used by a case
 *   accepted on `from` and finished on `to`. It is the inverse of addWorkingDays: for n ≥ 1,
 *   countWorkingDays(from, addWorkingDays(from, n)) = n, and addWorkingDays returns the first such day.
 * - Every date handed in or reached must lie within the calendar's covered range; otherwise the answer would be a
 *   guess about a notice not yet published, and a `calendar_not_covered` error is thrown instead.
 * - Except, when asked (`provisionalThrough`), beyond the covered range up to that day: there every Monday–Friday
 *   counts as a working day (no holidays are known yet), and such answers are PROVISIONAL — `isProvisional(date)`
 *   says so, and whoever shows them must mark them (a due date counted before next year's notice exists, shown
 *   as 暂定 rather than not at all).
 */
import { KaifangError } from '../errors.ts';
import { checkCount, dayNumber, fromDayNumber, parseCivilDate, weekday, type CivilDate } from '../civil-date.ts';
import type { SpecialDay, WorkdayCalendarData } from './workday-data.ts';

export type DueAt = 'noon' | 'endOfDay';

/** The moment a time limit runs out: the end of a day, or noon (12:00 Asia/Shanghai) for half-day limits. */
export interface DueMoment {
  date: CivilDate;
  at: DueAt;
}

export interface DayInfo {
  date: CivilDate;
  workingDay: boolean;
  /** 'weekday' and 'weekend' are ordinary days; 'holiday' and 'makeUpWorkday' come from a notice */
  kind: 'weekday' | 'weekend' | 'holiday' | 'makeUpWorkday';
  festival?: string;
  festivalEn?: string;
  document?: string;
}

export class WorkdayCalendar {
  readonly coveredFrom: CivilDate;
  readonly coveredThrough: CivilDate;
  /** the last day answers are given for: coveredThrough, or later when provisional answers were asked for */
  readonly computableThrough: CivilDate;
  private readonly special: ReadonlyMap<CivilDate, SpecialDay>;
  private readonly firstDay: number;
  private readonly lastDay: number;
  /** cumulative[i] = number of working days among the first i + 1 covered days */
  private readonly cumulative: Int32Array;

  constructor(data: WorkdayCalendarData, opts: { provisionalThrough?: CivilDate } = {}) {
    this.coveredFrom = data.coveredFrom;
    this.coveredThrough = data.coveredThrough;
    this.computableThrough = opts.provisionalThrough && opts.provisionalThrough > data.coveredThrough ? opts.provisionalThrough : data.coveredThrough;
    this.special = data.special;
    this.firstDay = dayNumber(data.coveredFrom);
    this.lastDay = dayNumber(this.computableThrough);
    this.cumulative = new Int32Array(this.lastDay - this.firstDay + 1);
    let count = 0;
    for (let n = this.firstDay; n <= this.lastDay; n++) {
      if (this.computeWorking(fromDayNumber(n))) count++;
      this.cumulative[n - this.firstDay] = count;
    }
  }

  private computeWorking(date: CivilDate): boolean {
    const s = this.special.get(date);
    if (s) return s.kind === 'makeUpWorkday';
    const w = weekday(date);
    return w !== 0 && w !== 6;
  }

  private notCovered(date: CivilDate, path: string): KaifangError {
    return new KaifangError({
      code: 'calendar_not_covered',
      zh: `工作日历仅覆盖 ${this.coveredFrom} 至 ${this.coveredThrough}${this.computableThrough > this.coveredThrough ? `（暂定计算至 ${this.computableThrough}）` : ''}，${date} 超出范围；请管理员在平台“工作日历”页面录入该年度国务院办公厅放假安排通知（或由开发人员补充 calendars/cn-workdays.yaml）`,
      en: `the working-day calendar covers ${this.coveredFrom} to ${this.coveredThrough} only${this.computableThrough > this.coveredThrough ? ` (provisionally computed to ${this.computableThrough})` : ''}; ${date} is outside it. An administrator enters that year's State Council holiday notice on the platform's Working-day calendar page first (or a developer adds it to calendars/cn-workdays.yaml)`,
      path,
      details: { date, coveredFrom: this.coveredFrom, coveredThrough: this.coveredThrough, computableThrough: this.computableThrough },
    });
  }

  /** Day number of a valid, covered date. */
  private covered(date: unknown, path: string): number {
    const d = parseCivilDate(date, path);
    const n = dayNumber(d);
    if (n < this.firstDay || n > this.lastDay) throw this.notCovered(d, path);
    return n;
  }

  /** Within the range the notices cover (a provisional day is not covered). */
  isCovered(date: CivilDate): boolean {
    const d = parseCivilDate(date);
    return d >= this.coveredFrom && d <= this.coveredThrough;
  }

  /** After the covered range: an answer reaching this day counted weekends only, and must be shown as provisional. */
  isProvisional(date: CivilDate): boolean {
    return parseCivilDate(date) > this.coveredThrough;
  }

  isWorkingDay(date: CivilDate): boolean {
    const i = this.covered(date, 'date') - this.firstDay;
    return this.cumulative[i] - (i > 0 ? this.cumulative[i - 1] : 0) === 1;
  }

  dayInfo(date: CivilDate): DayInfo {
    const workingDay = this.isWorkingDay(date);
    const s = this.special.get(date);
    if (s) return { date, workingDay, kind: s.kind, festival: s.festival, festivalEn: s.festivalEn, document: s.document };
    return { date, workingDay, kind: workingDay ? 'weekday' : 'weekend' };
  }

  /** Working days d with from < d ≤ to (see the convention above). `to` before `from` is an error. */
  countWorkingDays(from: CivilDate, to: CivilDate): number {
    const a = this.covered(from, 'from');
    const b = this.covered(to, 'to');
    if (b < a) {
      throw new KaifangError({
        code: 'invalid_date_range',
        zh: `结束日期 ${to} 早于开始日期 ${from}`,
        en: `the end date ${to} is before the start date ${from}`,
        path: 'to',
        details: { from, to },
      });
    }
    return this.cumulative[b - this.firstDay] - this.cumulative[a - this.firstDay];
  }

  /**
   * The n-th working day after `from` (the day of acceptance is not counted). n = 0 gives `from` itself: work
   * promised "on the spot" (当场办结) is due the day it is accepted.
   */
  addWorkingDays(from: CivilDate, n: number): CivilDate {
    const start = this.covered(from, 'from');
    checkCount(n, 'workingDays');
    if (n === 0) return from;
    const target = this.cumulative[start - this.firstDay] + n;
    const total = this.cumulative[this.cumulative.length - 1];
    if (target > total) {
      throw this.notCovered(fromDayNumber(this.lastDay + 1), 'workingDays');
    }
    // The first index whose cumulative count reaches the target is that working day.
    let lo = start - this.firstDay + 1;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] >= target) hi = mid;
      else lo = mid + 1;
    }
    return fromDayNumber(this.firstDay + lo);
  }

  /** When a limit of n working days (whole or half) runs out for work accepted on `from`. */
  dueAfterWorkingDays(from: CivilDate, n: number): DueMoment {
    checkCount(n, 'workingDays', { halves: true });
    if (Number.isInteger(n)) return { date: this.addWorkingDays(from, n), at: 'endOfDay' };
    return { date: this.addWorkingDays(from, Math.floor(n) + 1), at: 'noon' };
  }
}
