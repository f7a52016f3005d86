/**
 * The official working-day calendar as the platform uses it: the years shipped in calendars/cn-workdays.yaml, then
 * the years an administrator entered in the app (table calendar_years, migration 0011) when the State Council
 * published them. A district keeps its calendar current without a developer: each November the notice for next
 * year appears, the administrator types it into a form (validated exactly as the file is: make-up days on weekends,
 * no overlaps, years in order …), and `coveredThrough` moves on.
 *
 * Until next year is entered, a due date past the coverage is still given — counted with weekends only and marked
 * provisional (WorkdayCalendar `provisionalThrough`, CaseStatus.beyondCalendar) — rather than not at all.
 *
 * One OfficialCalendar per process holds the calendar in memory (every due date is computed from it, often). It is
 * rebuilt at once in the process that saves a year, and `refresh` (every minute in the server) picks up a year
 * another process saved.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/transaction.ts';
import { toJsonb, type JsonObject } from '../db/schema.ts';
import { appendAudit, type AuditActor } from '../audit/audit-log.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { addCalendarDays, isCivilDate, type CivilDate } from '../civil-date.ts';
import { WorkdayCalendar } from './workday-calendar.ts';
import { checkWorkdayFile, DEFAULT_CALENDAR_FILE, enteredYearSchema, loadWorkdayData, type EnteredYear, type WorkdayCalendarData, type WorkdayFile, type WorkdayYear } from './workday-data.ts';
import { formatPath } from './yaml-file.ts';

/** How far past the coverage provisional answers are given: to the end of the year after the last covered one. */
const PROVISIONAL_YEARS_AHEAD = 1;

export interface CalendarYearSummary {
  year: number;
  source: 'file' | 'entered';
  document: string;
  noticeDate: CivilDate;
  title: string;
  holidays: number;
  makeUpWorkdays: number;
  enteredBy: string | null;
  enteredAt: string | null;
  version: number | null;
}

export interface CalendarCoverage {
  coveredFrom: CivilDate;
  coveredThrough: CivilDate;
  /** due dates up to this day are given, those past coveredThrough marked provisional */
  computableThrough: CivilDate;
  years: CalendarYearSummary[];
  /** the year after the coverage: the next one to enter */
  nextYear: number;
  /**
   * today is on or after the reminder day (1 November by default) of the last covered year: next year's notice is
   * due or published, and officials are reminded until it is entered
   */
  reminder: boolean;
}

interface EnteredRow {
  year: number;
  entry: EnteredYear;
  version: number;
  entered_by: string | null;
  entered_at: Date;
}

export class OfficialCalendar {
  private readonly base: WorkdayCalendarData;
  private entered: EnteredRow[] = [];
  private calendar: WorkdayCalendar;

  constructor(file: string = DEFAULT_CALENDAR_FILE) {
    this.base = loadWorkdayData(file);
    this.calendar = this.build([]);
  }

  /** The calendar as it now stands (file and entered years; provisional past them). */
  current(): WorkdayCalendar {
    return this.calendar;
  }

  /** Reads the entered years again (another process may have saved one). */
  async refresh(db: Db): Promise<void> {
    const { rows } = await sql<EnteredRow>`
      select y.year, y.entry, y.version, u.username as entered_by, y.entered_at
        from calendar_years y left join users u on u.id = y.entered_by
       order by y.year`.execute(db);
    const entered = rows.filter((r) => r.year > this.fileLastYear());
    this.calendar = this.build(entered);
    this.entered = entered;
  }

  coverage(today: CivilDate, reminderMonthDay: string): CalendarCoverage {
    const cal = this.calendar;
    const lastYear = Number(cal.coveredThrough.slice(0, 4));
    const enteredByYear = new Map(this.entered.map((r) => [r.year, r]));
    const years: CalendarYearSummary[] = [
      ...this.base.years.map((y) => summary(y.year, 'file', y.notice, y.holidays.length, y.makeUpWorkdays.length, null)),
      ...this.entered.map((r) => summary(r.year, 'entered', r.entry.notice, r.entry.holidays.length, r.entry.makeUpWorkdays.length, enteredByYear.get(r.year)!)),
    ];
    return {
      coveredFrom: cal.coveredFrom,
      coveredThrough: cal.coveredThrough,
      computableThrough: cal.computableThrough,
      years,
      nextYear: lastYear + 1,
      reminder: today >= `${lastYear}-${reminderMonthDay}`,
    };
  }

  /** A year's arrangement as entered or shipped, for the form (undefined: neither). */
  yearEntry(year: number): (EnteredYear & { year: number; source: 'file' | 'entered'; version: number | null }) | undefined {
    const row = this.entered.find((r) => r.year === year);
    if (row) return { year, source: 'entered', version: row.version, ...row.entry };
    const y = this.base.years.find((x) => x.year === year);
    if (!y) return undefined;
    return { year, source: 'file', version: null, notice: y.notice, holidays: y.holidays, makeUpWorkdays: y.makeUpWorkdays };
  }

  /**
   * Validates a year as the administrator entered it, against the calendar as it stands: the shape, then the same
   * checks as the file (years in order, holidays inside their year, make-up days on weekends, no day twice).
   * Returns the entry with English festival names filled from earlier years. Nothing is stored.
   */
  validateYear(year: unknown, input: unknown, today: CivilDate): EnteredYear & { year: number } {
    const fileLast = this.fileLastYear();
    const lastEntered = this.entered.length ? this.entered[this.entered.length - 1].year : fileLast;
    if (typeof year !== 'number' || !Number.isInteger(year)) {
      throw new ValidationError([new KaifangError({ code: 'bad_year', path: 'year', zh: '年份应为四位整数', en: 'year must be a four-digit integer' })]);
    }
    if (year <= fileLast) {
      throw new ValidationError([new KaifangError({ code: 'year_in_file', path: 'year', zh: `${year}年的放假安排随平台的工作日历文件提供（至${fileLast}年），不能在此修改`, en: `${year} comes with the platform's calendar file (through ${fileLast}) and cannot be changed here` })]);
    }
    if (year > lastEntered + 1) {
      throw new ValidationError([new KaifangError({ code: 'year_gap', path: 'year', zh: `请先录入${lastEntered + 1}年的放假安排：工作日历必须逐年连续`, en: `enter ${lastEntered + 1} first: the calendar's years must follow each other` })]);
    }
    const parsed = enteredYearSchema.safeParse(input);
    if (!parsed.success) {
      throw new ValidationError(parsed.error.issues.map((i) => new KaifangError({ code: 'invalid', path: formatPath(i.path), zh: `不符合格式要求（${zhOf(i)}）`, en: i.message })));
    }
    const entry = parsed.data;
    const errors: KaifangError[] = [];
    if (entry.notice.date > today) errors.push(new KaifangError({ code: 'notice_in_future', path: 'notice.date', zh: `通知日期 ${entry.notice.date} 晚于今天`, en: `the notice is dated ${entry.notice.date}, after today` }));
    if (entry.notice.date < `${year - 1}-01-01` || entry.notice.date > `${year}-12-31`) errors.push(new KaifangError({ code: 'bad_date', path: 'notice.date', zh: `${year}年放假安排的通知应在${year - 1}年或${year}年发布`, en: `the notice for ${year} is published in ${year - 1} or ${year}` }));
    // English names: as given, else as an earlier year named the same festival, else the Chinese name.
    const known = new Map<string, string>();
    for (const y of [...this.base.years, ...this.entered.map((r) => ({ holidays: r.entry.holidays }))]) for (const h of y.holidays) if (h.festivalEn) known.set(h.festival, h.festivalEn);
    const holidays = entry.holidays.map((h) => ({ ...h, festivalEn: h.festivalEn ?? known.get(h.festival) ?? h.festival }));
    const filled: EnteredYear = { ...entry, holidays };
    // The file's own checks, on the years before this one and this one.
    const before: WorkdayYear[] = [...this.base.years, ...this.entered.filter((r) => r.year < year).map((r) => toFileYear(r.year, r.entry))];
    const file: WorkdayFile = { coveredThrough: `${year}-12-31`, years: [...before, toFileYear(year, filled)] };
    const index = before.length;
    for (const p of checkWorkdayFile(file).problems) {
      const [, i, ...rest] = p.path;
      errors.push(new KaifangError({ code: 'calendar_invalid', path: i === index ? formatPath(rest) : formatPath(p.path), zh: p.zh, en: p.en }));
    }
    if (errors.length) throw new ValidationError(errors);
    return { year, ...filled };
  }

  /**
   * Saves a year (new, or a correction of an entered one) and rebuilds the calendar. Under a lock, so that two
   * administrators saving at once each validate against what the other saved.
   */
  async saveYear(db: Db, actor: AuditActor, year: unknown, input: unknown, today: CivilDate): Promise<CalendarCoverage['years'][number]> {
    const saved = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('kaifang:calendar-years'))`.execute(trx);
      await this.refresh(trx);
      const entry = this.validateYear(year, input, today);
      const { year: y, ...stored } = entry;
      const { rows } = await sql<{ version: number }>`
        insert into calendar_years (year, entry, entered_by) values (${y}, ${toJsonb(stored as unknown as JsonObject)}::jsonb, ${actor.userId})
        on conflict (year) do update set entry = excluded.entry, entered_by = excluded.entered_by, entered_at = now(), version = calendar_years.version + 1
        returning version`.execute(trx);
      await appendAudit(trx, actor, { action: 'calendar.year.save', entity: 'calendar', entityId: y, details: { year: y, version: rows[0].version, document: stored.notice.document, entry: stored as unknown as JsonObject } });
      return y;
    });
    await this.refresh(db);
    return this.coverage(today, '01-01').years.find((s) => s.year === saved)!;
  }

  private fileLastYear(): number {
    return this.base.years[this.base.years.length - 1].year;
  }

  private build(entered: EnteredRow[]): WorkdayCalendar {
    if (!entered.length) return withProvisional(this.base);
    const file: WorkdayFile = {
      coveredThrough: `${entered[entered.length - 1].year}-12-31`,
      years: [...this.base.years, ...entered.map((r) => toFileYear(r.year, r.entry))],
    };
    const { problems, special } = checkWorkdayFile(file);
    // Every entered year was checked when it was saved; a problem here means rows were written around the service.
    if (problems.length) throw new Error(`calendar_years: the entered years no longer check: ${problems.map((p) => `${formatPath(p.path)} ${p.en}`).join('; ')}`);
    return withProvisional({ coveredFrom: this.base.coveredFrom, coveredThrough: file.coveredThrough, special, years: file.years });
  }
}

function withProvisional(data: WorkdayCalendarData): WorkdayCalendar {
  const lastYear = Number(data.coveredThrough.slice(0, 4));
  const through = data.coveredThrough === `${lastYear}-12-31` ? `${lastYear + PROVISIONAL_YEARS_AHEAD}-12-31` : addCalendarDays(data.coveredThrough, 366 * PROVISIONAL_YEARS_AHEAD);
  return new WorkdayCalendar(data, { provisionalThrough: through });
}

function toFileYear(year: number, e: EnteredYear): WorkdayYear {
  return {
    year,
    notice: { ...e.notice, url: e.notice.url ?? '' },
    holidays: e.holidays.map((h) => ({ ...h, festivalEn: h.festivalEn ?? h.festival })),
    makeUpWorkdays: e.makeUpWorkdays,
    changes: [],
  };
}

function summary(year: number, source: 'file' | 'entered', notice: { document: string; date: string; title: string }, holidays: number, makeUp: number, row: EnteredRow | null): CalendarYearSummary {
  return {
    year,
    source,
    document: notice.document,
    noticeDate: notice.date,
    title: notice.title,
    holidays,
    makeUpWorkdays: makeUp,
    enteredBy: row?.entered_by ?? null,
    enteredAt: row ? row.entered_at.toISOString() : null,
    version: row?.version ?? null,
  };
}

function zhOf(i: z.core.$ZodIssue): string {
  if (i.code === 'invalid_type') return '缺少或类型不对';
  if (i.code === 'unrecognized_keys') return `未知字段 ${i.keys.join('、')}`;
  if (i.code === 'too_small') return '至少需要一项';
  return i.message;
}

/** `true` when `value` is a 'MM-DD' month and day (the reminder setting). */
export function isMonthDay(value: string): boolean {
  return /^\d{2}-\d{2}$/.test(value) && isCivilDate(`2000-${value}`);
}
