/**
 * Limits counted in hours over a year (纳税时间: "企业全年纳税时间减少到100小时"): time is recorded as entries of
 * hours spent on a date, summed per subject (an enterprise) and calendar year, and compared with the limit.
 *
 * Hours are kept as whole minutes internally, so 0.1 + 0.2 hours never drifts; an entry that is not a whole number
 * of minutes is refused rather than rounded. "减少到100小时" / "以内" include the limit itself: 100 hours is within it.
 */
import { KaifangError } from '../errors.ts';
import { parseCivilDate, type CivilDate } from '../civil-date.ts';

export interface HoursEntry {
  /** who spent the time, e.g. an enterprise's 统一社会信用代码 */
  subjectId: string;
  date: CivilDate;
  hours: number;
}

export interface HoursTotal {
  subjectId: string;
  year: number;
  totalMinutes: number;
  totalHours: number;
  limitHours: number;
  /** limit − total, negative when the limit is exceeded */
  remainingHours: number;
  exceeded: boolean;
}

export function hoursToMinutes(hours: unknown, path: string): number {
  if (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0) {
    throw new KaifangError({
      code: typeof hours === 'number' && hours < 0 ? 'negative_count' : 'invalid_count',
      zh: `小时数必须是非负数（收到 ${String(hours)}）`,
      en: `hours must be a number ≥ 0 (got ${String(hours)})`,
      path,
      details: { value: hours },
    });
  }
  const minutes = Math.round(hours * 60);
  if (Math.abs(minutes - hours * 60) > 1e-6) {
    throw new KaifangError({
      code: 'invalid_count',
      zh: `小时数 ${hours} 不是整分钟数`,
      en: `${hours} hours is not a whole number of minutes`,
      path,
      details: { value: hours },
    });
  }
  return minutes;
}

/** Totals per subject for one calendar year, with each total against the limit. */
export function annualHoursTotals(entries: readonly HoursEntry[], year: number, limitHours: number): HoursTotal[] {
  const limitMinutes = hoursToMinutes(limitHours, 'limitHours');
  const totals = new Map<string, number>();
  entries.forEach((e, i) => {
    const date = parseCivilDate(e.date, `entries[${i}].date`);
    const minutes = hoursToMinutes(e.hours, `entries[${i}].hours`);
    if (Number(date.slice(0, 4)) !== year) return;
    totals.set(e.subjectId, (totals.get(e.subjectId) ?? 0) + minutes);
  });
  return [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([subjectId, totalMinutes]) => ({
      subjectId,
      year,
      totalMinutes,
      totalHours: totalMinutes / 60,
      limitHours,
      remainingHours: (limitMinutes - totalMinutes) / 60,
      exceeded: totalMinutes > limitMinutes,
    }));
}
