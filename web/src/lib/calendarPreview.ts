/**
 * The 12-month preview of a year's holiday arrangement as the administrator types it (工作日历维护): which days are
 * off, which weekend days are make-up workdays, and which entries are impossible — a make-up day that is not a
 * weekend, a range that ends before it starts, a day listed twice. The server checks the same things when the year
 * is saved (src/calendar/workday-data.ts); this only lets the person see the year before saving it.
 */
export type PreviewKind = 'weekday' | 'weekend' | 'holiday' | 'makeUpWorkday';

export interface PreviewDay {
  date: string;
  day: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  kind: PreviewKind;
  festival?: string;
}

export interface PreviewMonth {
  month: number;
  /** the weekday of the 1st (0 = Sunday), for the grid's leading blanks */
  firstWeekday: number;
  days: PreviewDay[];
}

export interface PreviewProblem {
  /** the form field, as the form names it: ['holidays', 0, 'to'] */
  name: (string | number)[];
  zh: string;
  en: string;
}

export interface HolidayInput {
  festival?: string;
  from?: string;
  to?: string;
}
export interface MakeUpInput {
  date?: string;
  festival?: string;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function utc(date: string): number | null {
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === date ? t : null;
}

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

export function previewYear(year: number, holidays: readonly (HolidayInput | undefined)[], makeUp: readonly (MakeUpInput | undefined)[]): { months: PreviewMonth[]; problems: PreviewProblem[]; holidayDays: number; makeUpDays: number } {
  const special = new Map<string, { kind: 'holiday' | 'makeUpWorkday'; festival: string }>();
  const problems: PreviewProblem[] = [];
  holidays.forEach((h, i) => {
    if (!h?.from || !h.to) return;
    const a = utc(h.from);
    const b = utc(h.to);
    if (a === null || b === null) return;
    if (b < a) {
      problems.push({ name: ['holidays', i, 'to'], zh: `结束日期 ${h.to} 早于开始日期 ${h.from}`, en: `ends (${h.to}) before it starts (${h.from})` });
      return;
    }
    for (let t = a; t <= b; t += DAY) {
      const d = iso(t);
      if (special.has(d)) {
        problems.push({ name: ['holidays', i, 'from'], zh: `${d} 已列为${special.get(d)!.kind === 'holiday' ? '假日' : '调休上班日'}`, en: `${d} is listed twice` });
        continue;
      }
      special.set(d, { kind: 'holiday', festival: h.festival ?? '' });
    }
  });
  makeUp.forEach((w, i) => {
    if (!w?.date) return;
    const t = utc(w.date);
    if (t === null) return;
    const wd = new Date(t).getUTCDay();
    if (wd !== 0 && wd !== 6) {
      problems.push({ name: ['makeUpWorkdays', i, 'date'], zh: `调休上班日 ${w.date} 不是周六或周日`, en: `the make-up workday ${w.date} is not a Saturday or Sunday` });
      return;
    }
    if (special.has(w.date)) {
      problems.push({ name: ['makeUpWorkdays', i, 'date'], zh: `${w.date} 已列为假日`, en: `${w.date} is already a holiday` });
      return;
    }
    special.set(w.date, { kind: 'makeUpWorkday', festival: w.festival ?? '' });
  });
  const months: PreviewMonth[] = [];
  let holidayDays = 0;
  let makeUpDays = 0;
  for (let m = 0; m < 12; m++) {
    const first = Date.UTC(year, m, 1);
    const days: PreviewDay[] = [];
    for (let t = first; new Date(t).getUTCMonth() === m; t += DAY) {
      const date = iso(t);
      const weekday = new Date(t).getUTCDay();
      const s = special.get(date);
      const kind: PreviewKind = s ? s.kind : weekday === 0 || weekday === 6 ? 'weekend' : 'weekday';
      if (kind === 'holiday') holidayDays++;
      if (kind === 'makeUpWorkday') makeUpDays++;
      days.push({ date, day: new Date(t).getUTCDate(), weekday, kind, festival: s?.festival });
    }
    months.push({ month: m + 1, firstWeekday: new Date(first).getUTCDay(), days });
  }
  return { months, problems, holidayDays, makeUpDays };
}
