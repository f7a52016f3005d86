/**
 * The working-day data file (calendars/cn-workdays.yaml): its shape, its checks, and the days it makes exceptional.
 *
 * A day is a working day when a notice makes it a make-up workday (调休上班), or when it is Monday–Friday and no
 * notice gives it off (放假). The checks catch the mistakes a person makes when typing next year's notice: a
 * make-up "workday" that is a weekday, overlapping or inverted holiday ranges, a missing year, a `coveredThrough`
 * beyond the last notice.
 */
import { z } from 'zod';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { dayNumber, fromDayNumber, isCivilDate, isWeekend, type CivilDate } from '../civil-date.ts';
import { readYamlFile, validateYaml, type FileProblem } from './yaml-file.ts';

export const DEFAULT_CALENDAR_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'calendars', 'cn-workdays.yaml');

const date = z.string().refine(isCivilDate, { message: 'a real date written YYYY-MM-DD' });
const text = z.string().min(1);

const noticeSchema = z
  .object({
    title: text,
    document: z.string().regex(/^国办发明电〔\d{4}〕\d+号$/, 'a document number like 国办发明电〔2019〕16号'),
    date,
    url: z.string().regex(/^https?:\/\/\S+$/, 'a web address'),
  })
  .strict();

const holidaySchema = z.object({ festival: text, festivalEn: text, from: date, to: date }).strict();
const makeUpSchema = z.object({ date, festival: text }).strict();

const changeSchema = z
  .object({
    notice: noticeSchema,
    summary: text,
    summaryEn: text,
    addHolidays: z.array(holidaySchema).default([]),
    cancelMakeUpWorkdays: z.array(date).default([]),
    addMakeUpWorkdays: z.array(makeUpSchema).default([]),
  })
  .strict();

const yearSchema = z
  .object({
    year: z.number().int().min(2000).max(2999),
    notice: noticeSchema,
    holidays: z.array(holidaySchema),
    makeUpWorkdays: z.array(makeUpSchema).default([]),
    changes: z.array(changeSchema).default([]),
  })
  .strict();

export const workdayFileSchema = z.object({ coveredThrough: date, years: z.array(yearSchema).min(1) }).strict();

export type Notice = z.infer<typeof noticeSchema>;
export type WorkdayYear = WorkdayFile['years'][number];

/**
 * A year's arrangement as an administrator enters it in the app (src/calendar/official-calendar.ts): the same
 * notice, holidays and make-up workdays as a year of the file, with the notice's web address and the festivals'
 * English names optional (an intranet may not reach gov.cn; English names default from earlier years).
 */
export const enteredYearSchema = z
  .object({
    notice: noticeSchema.extend({ url: z.string().regex(/^https?:\/\/\S+$/, 'a web address').optional() }),
    holidays: z.array(holidaySchema.extend({ festivalEn: text.optional() })).min(1, 'at least one holiday'),
    makeUpWorkdays: z.array(makeUpSchema).default([]),
  })
  .strict();
export type EnteredYear = z.infer<typeof enteredYearSchema>;
export type WorkdayFile = z.infer<typeof workdayFileSchema>;

/** Why a day is not what its weekday says. */
export interface SpecialDay {
  kind: 'holiday' | 'makeUpWorkday';
  festival: string;
  festivalEn?: string;
  /** the notice that made it so (the change notice when a change did) */
  document: string;
}

export interface WorkdayCalendarData {
  coveredFrom: CivilDate;
  coveredThrough: CivilDate;
  special: ReadonlyMap<CivilDate, SpecialDay>;
  years: WorkdayFile['years'];
  file?: string;
}

/** The longest holiday the notices have ever announced is 10 days (2020); a longer range is a typing mistake. */
const MAX_HOLIDAY_RANGE_DAYS = 15;

/** The semantic checks of a calendar (its years in order, no overlaps, make-up days on weekends …) and its special days. */
export function checkWorkdayFile(f: WorkdayFile): { problems: FileProblem[]; special: Map<CivilDate, SpecialDay> } {
  const problems: FileProblem[] = [];
  const special = new Map<CivilDate, SpecialDay>();
  const where = new Map<CivilDate, ReadonlyArray<PropertyKey>>();
  const first = f.years[0].year;
  const last = f.years[f.years.length - 1].year;
  const coveredFrom = `${first}-01-01`;

  f.years.forEach((y, i) => {
    if (y.year !== first + i) {
      problems.push({
        path: ['years', i, 'year'],
        zh: `年份应连续递增，此处应为 ${first + i}，实为 ${y.year}`,
        en: `years must follow each other; expected ${first + i}, found ${y.year}`,
      });
    }
  });
  if (Number(f.coveredThrough.slice(0, 4)) !== last) {
    problems.push({
      path: ['coveredThrough'],
      zh: `coveredThrough（${f.coveredThrough}）必须落在最后一个有通知的年份 ${last} 之内`,
      en: `coveredThrough (${f.coveredThrough}) must fall within the last year with a notice, ${last}`,
    });
  }

  const addHoliday = (h: z.infer<typeof holidaySchema>, p: ReadonlyArray<PropertyKey>, year: number, document: string) => {
    const from = dayNumber(h.from);
    const to = dayNumber(h.to);
    if (to < from) {
      problems.push({ path: [...p, 'to'], zh: `结束日期 ${h.to} 早于开始日期 ${h.from}`, en: `ends (${h.to}) before it starts (${h.from})` });
      return;
    }
    if (to - from + 1 > MAX_HOLIDAY_RANGE_DAYS) {
      problems.push({
        path: [...p, 'to'],
        zh: `假期 ${h.from}～${h.to} 长达 ${to - from + 1} 天，超过 ${MAX_HOLIDAY_RANGE_DAYS} 天，疑为笔误`,
        en: `the holiday ${h.from}..${h.to} lasts ${to - from + 1} days, more than ${MAX_HOLIDAY_RANGE_DAYS}: probably a typing mistake`,
      });
      return;
    }
    if (h.from < `${year - 1}-12-01` || h.to > `${year}-12-31`) {
      problems.push({
        path: [...p, 'from'],
        zh: `${year} 年的通知不会安排 ${h.from}～${h.to} 的假期`,
        en: `the ${year} notice cannot give ${h.from}..${h.to} off`,
      });
      return;
    }
    for (let n = from; n <= to; n++) {
      const d = fromDayNumber(n);
      const prior = special.get(d);
      if (prior) {
        problems.push({
          path: p,
          zh: `${d} 已被列为${prior.kind === 'holiday' ? '假日' : '调休上班日'}（${prior.festival}），不能重复`,
          en: `${d} is already a ${prior.kind === 'holiday' ? 'holiday' : 'make-up workday'} (${prior.festival})`,
        });
        continue;
      }
      special.set(d, { kind: 'holiday', festival: h.festival, festivalEn: h.festivalEn, document });
      where.set(d, p);
    }
  };

  const addMakeUp = (w: z.infer<typeof makeUpSchema>, p: ReadonlyArray<PropertyKey>, year: number, document: string) => {
    if (!isWeekend(w.date)) {
      problems.push({
        path: [...p, 'date'],
        zh: `调休上班日 ${w.date} 不是周六或周日`,
        en: `the make-up workday ${w.date} is not a Saturday or Sunday`,
      });
      return;
    }
    if (w.date < `${year - 1}-12-01` || w.date > `${year}-12-31`) {
      problems.push({ path: [...p, 'date'], zh: `${year} 年的通知不会安排 ${w.date} 上班`, en: `the ${year} notice cannot make ${w.date} a workday` });
      return;
    }
    const prior = special.get(w.date);
    if (prior) {
      problems.push({
        path: [...p, 'date'],
        zh: `${w.date} 已被列为${prior.kind === 'holiday' ? '假日' : '调休上班日'}（${prior.festival}），不能重复`,
        en: `${w.date} is already a ${prior.kind === 'holiday' ? 'holiday' : 'make-up workday'} (${prior.festival})`,
      });
      return;
    }
    special.set(w.date, { kind: 'makeUpWorkday', festival: w.festival, document });
    where.set(w.date, p);
  };

  f.years.forEach((y, i) => {
    const base = ['years', i] as const;
    y.holidays.forEach((h, j) => addHoliday(h, [...base, 'holidays', j], y.year, y.notice.document));
    y.makeUpWorkdays.forEach((w, j) => addMakeUp(w, [...base, 'makeUpWorkdays', j], y.year, y.notice.document));
    y.changes.forEach((c, k) => {
      const cp = [...base, 'changes', k] as const;
      if (c.notice.date < y.notice.date) {
        problems.push({
          path: [...cp, 'notice', 'date'],
          zh: `变更通知日期 ${c.notice.date} 早于原通知 ${y.notice.date}`,
          en: `the change notice (${c.notice.date}) predates the notice it changes (${y.notice.date})`,
        });
      }
      // Cancellations first: the 2020 extension turns the make-up Saturday 1 February into a holiday.
      c.cancelMakeUpWorkdays.forEach((d, j) => {
        if (special.get(d)?.kind !== 'makeUpWorkday') {
          problems.push({
            path: [...cp, 'cancelMakeUpWorkdays', j],
            zh: `${d} 不是已安排的调休上班日，无法取消`,
            en: `${d} is not a make-up workday, so it cannot be cancelled`,
          });
        } else {
          special.delete(d);
        }
      });
      c.addHolidays.forEach((h, j) => addHoliday(h, [...cp, 'addHolidays', j], y.year, c.notice.document));
      c.addMakeUpWorkdays.forEach((w, j) => addMakeUp(w, [...cp, 'addMakeUpWorkdays', j], y.year, c.notice.document));
    });
  });

  for (const [d, p] of where) {
    if (special.has(d) && (d < coveredFrom || d > f.coveredThrough)) {
      problems.push({
        path: p,
        zh: `${d} 不在覆盖范围 ${coveredFrom}～${f.coveredThrough} 之内`,
        en: `${d} is outside the covered range ${coveredFrom}..${f.coveredThrough}`,
      });
    }
  }
  return { problems, special };
}

/** Parse and check already-read data (tests use this with small hand-made calendars). */
export function workdayDataFrom(yaml: Parameters<typeof validateYaml>[0]): WorkdayCalendarData {
  let special = new Map<CivilDate, SpecialDay>();
  const f = validateYaml(yaml, workdayFileSchema as z.ZodType<WorkdayFile>, 'calendar_invalid', (value) => {
    const r = checkWorkdayFile(value);
    special = r.special;
    return r.problems;
  });
  return { coveredFrom: `${f.years[0].year}-01-01`, coveredThrough: f.coveredThrough, special, years: f.years, file: yaml.file };
}

/** Read and check a working-day calendar file; a bad file fails with every problem, its line and field. */
export function loadWorkdayData(file: string = DEFAULT_CALENDAR_FILE): WorkdayCalendarData {
  return workdayDataFrom(readYamlFile(file, 'calendar_invalid'));
}
