/**
 * Civil dates: a day of the calendar in Asia/Shanghai, written 'YYYY-MM-DD', with no time and no zone.
 *
 * Arithmetic runs on day numbers (days since 1970-01-01) obtained from Date.UTC, so that the machine's time zone
 * and daylight-saving rules can never shift a day: `new Date('2020-01-01')` in a UTC−5 process is 31 December.
 */
import { KaifangError } from './errors.ts';

/** 'YYYY-MM-DD', a civil date in Asia/Shanghai. */
export type CivilDate = string;

const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function invalidDate(value: unknown, path: string): KaifangError {
  const shown = typeof value === 'string' ? `"${value}"` : String(value);
  return new KaifangError({
    code: 'invalid_date',
    zh: `日期 ${shown} 无效，应为 YYYY-MM-DD 格式的真实日期（如 2020-05-20）`,
    en: `${shown} is not a valid date; write a real date as YYYY-MM-DD (e.g. 2020-05-20)`,
    path,
    details: { value },
  });
}

/** The date itself if it is a real 'YYYY-MM-DD' date (2020-02-30 is not); otherwise an `invalid_date` error. */
export function parseCivilDate(value: unknown, path = 'date'): CivilDate {
  if (typeof value !== 'string') throw invalidDate(value, path);
  const m = DATE_RE.exec(value);
  if (!m) throw invalidDate(value, path);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Years below 1000 are refused rather than handled: Date.UTC maps 0–99 to 1900–1999, and no case is that old.
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) throw invalidDate(value, path);
  return value;
}

export function isCivilDate(value: unknown): value is CivilDate {
  try {
    parseCivilDate(value);
    return true;
  } catch {
    return false;
  }
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Days since 1970-01-01 of a date already validated. */
export function dayNumber(date: CivilDate): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

export function fromDayNumber(n: number): CivilDate {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(date: CivilDate): number {
  return new Date(dayNumber(date) * DAY_MS).getUTCDay();
}

export function isWeekend(date: CivilDate): boolean {
  const w = weekday(date);
  return w === 0 || w === 6;
}

/** A whole, non-negative count of days/months; anything else is a clear error naming the field. */
export function checkCount(n: unknown, path: string, opts: { halves?: boolean } = {}): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new KaifangError({
      code: 'invalid_count',
      zh: `${String(n)} 不是数字`,
      en: `${String(n)} is not a number`,
      path,
      details: { value: n },
    });
  }
  if (n < 0) {
    throw new KaifangError({
      code: 'negative_count',
      zh: `天数不能为负数（收到 ${n}）`,
      en: `a count of days cannot be negative (got ${n})`,
      path,
      details: { value: n },
    });
  }
  const ok = opts.halves ? Number.isInteger(n * 2) : Number.isInteger(n);
  if (!ok) {
    throw new KaifangError({
      code: 'invalid_count',
      zh: opts.halves ? `工作日数只能是整数或半天（如 1、0.5、2.5），收到 ${n}` : `天数必须是整数，收到 ${n}`,
      en: opts.halves ? `working days are whole or half days (e.g. 1, 0.5, 2.5); got ${n}` : `a count of days must be a whole number; got ${n}`,
      path,
      details: { value: n },
    });
  }
  return n;
}

/**
 * `from` plus n calendar days. With the day of acceptance not counted (民法典 第二百零一条: 开始的当日不计入),
 * a period of n days ends on from + n: accepted 2020-01-01, 90 days → 2020-03-31.
 * Calendar days do not depend on the holiday arrangements, so no coverage limit applies.
 */
export function addCalendarDays(from: CivilDate, n: number): CivilDate {
  parseCivilDate(from, 'from');
  checkCount(n, 'calendarDays');
  return fromDayNumber(dayNumber(from) + n);
}

/**
 * `from` plus n months: the same day of the month, or the last day of the month when it has no such day
 * (民法典 第二百零二条: 到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日).
 * 2020-08-31 + 6 months → 2021-02-28.
 */
export function addMonths(from: CivilDate, n: number): CivilDate {
  parseCivilDate(from, 'from');
  checkCount(n, 'months');
  const y = Number(from.slice(0, 4));
  const m = Number(from.slice(5, 7));
  const d = Number(from.slice(8, 10));
  const total = y * 12 + (m - 1) + n;
  const ty = Math.floor(total / 12);
  const tm = (total % 12) + 1;
  const td = Math.min(d, daysInMonth(ty, tm));
  return `${String(ty).padStart(4, '0')}-${String(tm).padStart(2, '0')}-${String(td).padStart(2, '0')}`;
}

/** to − from in calendar days (negative when `to` is earlier). */
export function diffCalendarDays(from: CivilDate, to: CivilDate): number {
  return dayNumber(to) - dayNumber(from);
}

/** Today in Asia/Shanghai: the calendar of the people who read the dates, whatever the server's zone. */
const shanghai = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

// Asked on every decision (the engine's as-of date): formatting through Intl is costly, so the last answer is
// kept for its minute — a civil date can only change on a minute boundary (time zones are whole minutes off UTC).
let lastMinute = NaN;
let lastDate = '';

export function todayInShanghai(now: Date = new Date()): string {
  const minute = Math.floor(now.getTime() / 60_000);
  if (minute !== lastMinute) {
    lastDate = shanghai.format(now);
    lastMinute = minute;
  }
  return lastDate;
}
