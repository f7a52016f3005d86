/**
 * The calendar of official working days, and time limits counted in it. See workday-calendar.ts for the counting
 * convention (the day of acceptance is not counted; day 1 is the next working day; half days end at noon).
 *
 * The free functions below use the calendar in calendars/cn-workdays.yaml, read and checked once on first use.
 */
import { WorkdayCalendar, type DueMoment } from './workday-calendar.ts';
import { loadWorkdayData, DEFAULT_CALENDAR_FILE } from './workday-data.ts';
import type { CivilDate } from '../civil-date.ts';

export { WorkdayCalendar, type DueMoment, type DueAt, type DayInfo } from './workday-calendar.ts';
export { loadWorkdayData, workdayDataFrom, DEFAULT_CALENDAR_FILE, type WorkdayCalendarData } from './workday-data.ts';
export {
  addCalendarDays,
  addMonths,
  diffCalendarDays,
  parseCivilDate,
  isCivilDate,
  weekday,
  type CivilDate,
} from '../civil-date.ts';
export { annualHoursTotals, type HoursEntry, type HoursTotal } from './hours.ts';

let defaultCalendar: WorkdayCalendar | undefined;

/** The official calendar (calendars/cn-workdays.yaml), loaded once. */
export function officialCalendar(): WorkdayCalendar {
  defaultCalendar ??= loadWorkdayCalendar(DEFAULT_CALENDAR_FILE);
  return defaultCalendar;
}

export function loadWorkdayCalendar(file: string = DEFAULT_CALENDAR_FILE): WorkdayCalendar {
  return new WorkdayCalendar(loadWorkdayData(file));
}

export function isWorkingDay(date: CivilDate): boolean {
  return officialCalendar().isWorkingDay(date);
}

export function addWorkingDays(from: CivilDate, n: number): CivilDate {
  return officialCalendar().addWorkingDays(from, n);
}

export function dueAfterWorkingDays(from: CivilDate, n: number): DueMoment {
  return officialCalendar().dueAfterWorkingDays(from, n);
}

export function countWorkingDays(from: CivilDate, to: CivilDate): number {
  return officialCalendar().countWorkingDays(from, to);
}
