import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KaifangError } from '../errors.ts';
import { officialCalendar, addWorkingDays, countWorkingDays, isWorkingDay, dueAfterWorkingDays } from './index.ts';
import { dayNumber, fromDayNumber } from '../civil-date.ts';
import { codeOf } from '../test-support.ts';

const cal = officialCalendar();

/**
 * Both sides of every holiday and every make-up workday of the notices 2020–2026, written by hand from the notices'
 * text (not derived from the data file): [date, working day?, why].
 */
const EDGES: Array<[string, boolean, string]> = [
  // 2020 — 国办发明电〔2019〕16号, extended by 国办发明电〔2020〕1号
  ['2020-01-01', false, '元旦'],
  ['2020-01-02', true, 'after 元旦'],
  ['2020-01-18', false, 'ordinary Saturday'],
  ['2020-01-19', true, 'Sunday made a workday for 春节'],
  ['2020-01-23', true, 'last day before 春节'],
  ['2020-01-24', false, '春节 starts (除夕)'],
  ['2020-01-30', false, 'last day of 春节 under the original notice'],
  ['2020-01-31', false, 'extension: Friday off'],
  ['2020-02-01', false, 'extension: the make-up Saturday cancelled'],
  ['2020-02-02', false, 'extension: last day'],
  ['2020-02-03', true, 'work resumes after the extension'],
  ['2020-04-03', true, 'before 清明'],
  ['2020-04-04', false, '清明 starts'],
  ['2020-04-06', false, '清明 Monday'],
  ['2020-04-07', true, 'after 清明'],
  ['2020-04-26', true, 'Sunday made a workday for 劳动节'],
  ['2020-04-30', true, 'before 劳动节'],
  ['2020-05-01', false, '劳动节 starts'],
  ['2020-05-05', false, '劳动节 ends'],
  ['2020-05-06', true, 'after 劳动节'],
  ['2020-05-09', true, 'Saturday made a workday for 劳动节'],
  ['2020-05-10', false, 'ordinary Sunday after the make-up Saturday'],
  ['2020-06-24', true, 'before 端午'],
  ['2020-06-25', false, '端午 starts'],
  ['2020-06-27', false, '端午 Saturday'],
  ['2020-06-28', true, 'Sunday made a workday for 端午'],
  ['2020-09-27', true, 'Sunday made a workday for 国庆节、中秋节'],
  ['2020-09-30', true, 'before 国庆节、中秋节'],
  ['2020-10-01', false, '国庆节 and 中秋节 on the same day'],
  ['2020-10-08', false, 'last day of the combined 8-day holiday'],
  ['2020-10-09', true, 'after the combined holiday'],
  ['2020-10-10', true, 'Saturday made a workday'],
  ['2020-10-11', false, 'ordinary Sunday'],
  // 2021 — 国办发明电〔2020〕27号
  ['2020-12-31', true, 'before 元旦 2021'],
  ['2021-01-01', false, '元旦'],
  ['2021-01-03', false, '元旦 Sunday'],
  ['2021-01-04', true, 'after 元旦'],
  ['2021-02-07', true, 'Sunday made a workday for 春节'],
  ['2021-02-10', true, 'before 春节'],
  ['2021-02-11', false, '春节 starts'],
  ['2021-02-17', false, '春节 ends'],
  ['2021-02-18', true, 'after 春节'],
  ['2021-02-20', true, 'Saturday made a workday for 春节'],
  ['2021-04-02', true, 'before 清明'],
  ['2021-04-05', false, '清明 Monday'],
  ['2021-04-06', true, 'after 清明'],
  ['2021-04-25', true, 'Sunday made a workday for 劳动节'],
  ['2021-05-05', false, '劳动节 ends'],
  ['2021-05-06', true, 'after 劳动节'],
  ['2021-05-08', true, 'Saturday made a workday for 劳动节'],
  ['2021-06-11', true, 'before 端午'],
  ['2021-06-14', false, '端午 Monday'],
  ['2021-06-15', true, 'after 端午'],
  ['2021-09-18', true, 'Saturday made a workday for 中秋'],
  ['2021-09-19', false, '中秋 starts'],
  ['2021-09-21', false, '中秋 Tuesday'],
  ['2021-09-22', true, 'after 中秋'],
  ['2021-09-26', true, 'Sunday made a workday for 国庆'],
  ['2021-09-30', true, 'before 国庆'],
  ['2021-10-07', false, '国庆 ends'],
  ['2021-10-08', true, 'after 国庆'],
  ['2021-10-09', true, 'Saturday made a workday for 国庆'],
  // 2022 — 国办发明电〔2021〕11号
  ['2021-12-31', true, 'before 元旦 2022'],
  ['2022-01-03', false, '元旦 Monday'],
  ['2022-01-04', true, 'after 元旦'],
  ['2022-01-29', true, 'Saturday made a workday for 春节'],
  ['2022-01-30', true, 'Sunday made a workday for 春节'],
  ['2022-01-31', false, '春节 starts'],
  ['2022-02-06', false, '春节 ends'],
  ['2022-02-07', true, 'after 春节'],
  ['2022-04-01', true, 'before 清明'],
  ['2022-04-02', true, 'Saturday made a workday for 清明'],
  ['2022-04-03', false, '清明 starts'],
  ['2022-04-05', false, '清明 ends'],
  ['2022-04-06', true, 'after 清明'],
  ['2022-04-24', true, 'Sunday made a workday for 劳动节'],
  ['2022-04-29', true, 'before 劳动节'],
  ['2022-04-30', false, '劳动节 starts'],
  ['2022-05-04', false, '劳动节 ends'],
  ['2022-05-05', true, 'after 劳动节'],
  ['2022-05-07', true, 'Saturday made a workday for 劳动节'],
  ['2022-06-02', true, 'before 端午'],
  ['2022-06-03', false, '端午 Friday'],
  ['2022-06-06', true, 'after 端午'],
  ['2022-09-09', true, 'before 中秋'],
  ['2022-09-12', false, '中秋 Monday'],
  ['2022-09-13', true, 'after 中秋'],
  ['2022-09-30', true, 'before 国庆'],
  ['2022-10-07', false, '国庆 ends'],
  ['2022-10-08', true, 'Saturday made a workday for 国庆'],
  ['2022-10-09', true, 'Sunday made a workday for 国庆'],
  ['2022-10-10', true, 'Monday after'],
  // 2023 — 国办发明电〔2022〕16号 (its 元旦 starts on 2022-12-31)
  ['2022-12-30', true, 'before 元旦 2023'],
  ['2022-12-31', false, '元旦 2023 starts in 2022'],
  ['2023-01-02', false, '元旦 Monday'],
  ['2023-01-03', true, 'after 元旦'],
  ['2023-01-20', true, 'before 春节'],
  ['2023-01-27', false, '春节 ends'],
  ['2023-01-28', true, 'Saturday made a workday for 春节'],
  ['2023-01-29', true, 'Sunday made a workday for 春节'],
  ['2023-04-04', true, 'before 清明'],
  ['2023-04-05', false, '清明 Wednesday, 1 day'],
  ['2023-04-06', true, 'after 清明'],
  ['2023-04-23', true, 'Sunday made a workday for 劳动节'],
  ['2023-04-28', true, 'before 劳动节'],
  ['2023-05-03', false, '劳动节 ends'],
  ['2023-05-04', true, 'after 劳动节'],
  ['2023-05-06', true, 'Saturday made a workday for 劳动节'],
  ['2023-06-21', true, 'before 端午'],
  ['2023-06-22', false, '端午 starts'],
  ['2023-06-23', false, '端午 Friday'],
  ['2023-06-25', true, 'Sunday made a workday for 端午'],
  ['2023-09-28', true, 'before 中秋、国庆'],
  ['2023-09-29', false, '中秋 (starts the combined holiday)'],
  ['2023-10-06', false, 'combined holiday ends'],
  ['2023-10-07', true, 'Saturday made a workday'],
  ['2023-10-08', true, 'Sunday made a workday'],
  // 2024 — 国办发明电〔2023〕7号
  ['2023-12-29', true, 'before 元旦 2024'],
  ['2024-01-01', false, '元旦 Monday'],
  ['2024-01-02', true, 'after 元旦'],
  ['2024-02-04', true, 'Sunday made a workday for 春节'],
  ['2024-02-09', true, 'before 春节 (除夕 is a working day in 2024)'],
  ['2024-02-10', false, '春节 starts'],
  ['2024-02-16', false, '春节 Friday'],
  ['2024-02-17', false, '春节 ends on a Saturday'],
  ['2024-02-18', true, 'Sunday made a workday for 春节'],
  ['2024-04-03', true, 'before 清明'],
  ['2024-04-05', false, '清明 Friday'],
  ['2024-04-07', true, 'Sunday made a workday for 清明'],
  ['2024-04-28', true, 'Sunday made a workday for 劳动节'],
  ['2024-04-30', true, 'before 劳动节'],
  ['2024-05-03', false, '劳动节 Friday'],
  ['2024-05-06', true, 'after 劳动节'],
  ['2024-05-11', true, 'Saturday made a workday for 劳动节'],
  ['2024-06-07', true, 'before 端午'],
  ['2024-06-10', false, '端午 Monday'],
  ['2024-06-11', true, 'after 端午'],
  ['2024-09-13', true, 'before 中秋'],
  ['2024-09-14', true, 'Saturday made a workday for 中秋'],
  ['2024-09-16', false, '中秋 Monday'],
  ['2024-09-17', false, '中秋 Tuesday'],
  ['2024-09-18', true, 'after 中秋'],
  ['2024-09-29', true, 'Sunday made a workday for 国庆'],
  ['2024-09-30', true, 'before 国庆'],
  ['2024-10-07', false, '国庆 ends on a Monday'],
  ['2024-10-08', true, 'after 国庆'],
  ['2024-10-12', true, 'Saturday made a workday for 国庆'],
  // 2025 — 国办发明电〔2024〕12号
  ['2024-12-31', true, 'before 元旦 2025'],
  ['2025-01-01', false, '元旦 Wednesday'],
  ['2025-01-02', true, 'after 元旦'],
  ['2025-01-26', true, 'Sunday made a workday for 春节'],
  ['2025-01-27', true, 'before 春节'],
  ['2025-01-28', false, '春节 starts (除夕)'],
  ['2025-02-04', false, '春节 ends'],
  ['2025-02-05', true, 'after 春节'],
  ['2025-02-08', true, 'Saturday made a workday for 春节'],
  ['2025-04-03', true, 'before 清明'],
  ['2025-04-04', false, '清明 Friday'],
  ['2025-04-07', true, 'after 清明'],
  ['2025-04-27', true, 'Sunday made a workday for 劳动节'],
  ['2025-04-30', true, 'before 劳动节'],
  ['2025-05-05', false, '劳动节 Monday'],
  ['2025-05-06', true, 'after 劳动节'],
  ['2025-05-30', true, 'before 端午'],
  ['2025-06-02', false, '端午 Monday'],
  ['2025-06-03', true, 'after 端午'],
  ['2025-09-28', true, 'Sunday made a workday for 国庆、中秋'],
  ['2025-09-30', true, 'before 国庆、中秋'],
  ['2025-10-01', false, '国庆 starts'],
  ['2025-10-06', false, '中秋 inside the National Day holiday'],
  ['2025-10-08', false, 'combined holiday ends'],
  ['2025-10-09', true, 'after the combined holiday'],
  ['2025-10-11', true, 'Saturday made a workday'],
  // 2026 — 国办发明电〔2025〕7号
  ['2025-12-31', true, 'before 元旦 2026'],
  ['2026-01-01', false, '元旦 Thursday'],
  ['2026-01-02', false, '元旦 Friday'],
  ['2026-01-04', true, 'Sunday made a workday for 元旦'],
  ['2026-01-05', true, 'Monday after'],
  ['2026-02-13', true, 'before 春节'],
  ['2026-02-14', true, 'Saturday made a workday for 春节'],
  ['2026-02-15', false, '春节 starts'],
  ['2026-02-23', false, '春节 ends on a Monday'],
  ['2026-02-24', true, 'after 春节'],
  ['2026-02-28', true, 'Saturday made a workday for 春节'],
  ['2026-04-03', true, 'before 清明'],
  ['2026-04-06', false, '清明 Monday'],
  ['2026-04-07', true, 'after 清明'],
  ['2026-04-30', true, 'before 劳动节'],
  ['2026-05-05', false, '劳动节 Tuesday'],
  ['2026-05-06', true, 'after 劳动节'],
  ['2026-05-09', true, 'Saturday made a workday for 劳动节'],
  ['2026-06-18', true, 'before 端午'],
  ['2026-06-19', false, '端午 Friday'],
  ['2026-06-22', true, 'after 端午'],
  ['2026-09-20', true, 'Sunday made a workday for 国庆'],
  ['2026-09-24', true, 'before 中秋'],
  ['2026-09-25', false, '中秋 Friday'],
  ['2026-09-28', true, 'after 中秋'],
  ['2026-09-30', true, 'before 国庆'],
  ['2026-10-07', false, '国庆 ends'],
  ['2026-10-08', true, 'after 国庆'],
  ['2026-10-10', true, 'Saturday made a workday for 国庆'],
  ['2026-12-31', true, 'last covered day'],
];

describe('isWorkingDay: both sides of every holiday edge 2020–2026', () => {
  it.each(EDGES)('%s is a working day: %s (%s)', (date, expected) => {
    expect(isWorkingDay(date)).toBe(expected);
  });

  it('names the notice that made a day special', () => {
    expect(cal.dayInfo('2020-01-31')).toMatchObject({ kind: 'holiday', festival: '春节', document: '国办发明电〔2020〕1号' });
    expect(cal.dayInfo('2020-01-30')).toMatchObject({ kind: 'holiday', document: '国办发明电〔2019〕16号' });
    expect(cal.dayInfo('2025-09-28')).toMatchObject({ kind: 'makeUpWorkday', festival: '国庆节、中秋节', workingDay: true });
    expect(cal.dayInfo('2020-05-10')).toMatchObject({ kind: 'weekend', workingDay: false });
    expect(cal.dayInfo('2020-05-11')).toMatchObject({ kind: 'weekday', workingDay: true });
  });
});

describe('addWorkingDays / countWorkingDays: the day of acceptance is not counted', () => {
  it('day 1 is the next working day', () => {
    expect(addWorkingDays('2020-05-20', 1)).toBe('2020-05-21');
    expect(countWorkingDays('2020-05-20', '2020-05-21')).toBe(1);
  });

  it('0 working days is the day of acceptance itself', () => {
    expect(addWorkingDays('2020-05-20', 0)).toBe('2020-05-20');
    expect(countWorkingDays('2020-05-20', '2020-05-20')).toBe(0);
  });

  it('accepted the day before Spring Festival 2020: 1 working day runs to 3 February because of the extension', () => {
    // Under the original notice alone it would have been Saturday 1 February, the cancelled make-up workday.
    expect(addWorkingDays('2020-01-23', 1)).toBe('2020-02-03');
    expect(countWorkingDays('2020-01-23', '2020-02-02')).toBe(0);
    expect(countWorkingDays('2020-01-23', '2020-02-03')).toBe(1);
  });

  it('a make-up Saturday is a working day to count on', () => {
    expect(addWorkingDays('2020-10-09', 1)).toBe('2020-10-10');
    expect(addWorkingDays('2020-10-09', 2)).toBe('2020-10-12');
  });

  it('accepted on a holiday: day 1 is the first working day after it', () => {
    expect(addWorkingDays('2020-10-01', 1)).toBe('2020-10-09');
    expect(addWorkingDays('2025-10-06', 1)).toBe('2025-10-09');
  });

  it('a limit spanning a 8-day combined holiday', () => {
    // 2023-09-28 (Thu) accepted; the holiday runs 9/29–10/6; 10/7 and 10/8 are make-up weekend workdays.
    expect(addWorkingDays('2023-09-28', 1)).toBe('2023-10-07');
    expect(addWorkingDays('2023-09-28', 2)).toBe('2023-10-08');
    expect(addWorkingDays('2023-09-28', 3)).toBe('2023-10-09');
  });

  it('counts whole years as the notices make them (2020: 249, 2021: 250, counted by hand)', () => {
    expect(countWorkingDays('2020-01-01', '2020-12-31')).toBe(249); // 1 January is 元旦, not a working day either way
    expect(countWorkingDays('2020-12-31', '2021-12-31')).toBe(250);
  });

  it('80 working days for a government-invested project from the policy date', () => {
    const due = addWorkingDays('2020-05-20', 80);
    expect(countWorkingDays('2020-05-20', due)).toBe(80);
    expect(isWorkingDay(due)).toBe(true);
    expect(due).toBe('2020-09-10'); // counted by hand: 7 in May, 21 in June (端午 25–27, Sunday 28 worked), 23 in July, 21 in August, then 1–4 and 7–10 September
  });

  it('is consistent: count(from, add(from, n)) = n, and add gives the first such day', () => {
    const first = dayNumber(cal.coveredFrom);
    const last = dayNumber(cal.coveredThrough);
    fc.assert(
      fc.property(fc.integer({ min: first, max: last - 200 }), fc.integer({ min: 1, max: 120 }), (start, n) => {
        const from = fromDayNumber(start);
        const due = addWorkingDays(from, n);
        expect(countWorkingDays(from, due)).toBe(n);
        expect(isWorkingDay(due)).toBe(true);
        expect(countWorkingDays(from, fromDayNumber(dayNumber(due) - 1))).toBe(n - 1);
      }),
      { numRuns: 300 },
    );
  });
});

describe('half days: N.5 working days end at noon of working day N + 1', () => {
  it('0.5 working day ends at noon of the next working day', () => {
    expect(dueAfterWorkingDays('2020-05-20', 0.5)).toEqual({ date: '2020-05-21', at: 'noon' });
    expect(dueAfterWorkingDays('2020-01-23', 0.5)).toEqual({ date: '2020-02-03', at: 'noon' });
  });
  it('1.5 ends at noon of the second, 1 at the end of the first', () => {
    expect(dueAfterWorkingDays('2020-05-20', 1.5)).toEqual({ date: '2020-05-22', at: 'noon' });
    expect(dueAfterWorkingDays('2020-05-20', 1)).toEqual({ date: '2020-05-21', at: 'endOfDay' });
  });
});

describe('coverage: no guess past coveredThrough or before the first year', () => {
  it('covers 2020-01-01..2026-12-31', () => {
    expect(cal.coveredFrom).toBe('2020-01-01');
    expect(cal.coveredThrough).toBe('2026-12-31');
  });
  it('reaching the last covered day is fine, one day further is an error', () => {
    expect(addWorkingDays('2026-12-30', 1)).toBe('2026-12-31');
    expect(codeOf(() => addWorkingDays('2026-12-30', 2))).toBe('calendar_not_covered');
    expect(codeOf(() => addWorkingDays('2026-12-31', 1))).toBe('calendar_not_covered');
  });
  it('dates outside are errors, not guesses', () => {
    expect(codeOf(() => isWorkingDay('2027-01-04'))).toBe('calendar_not_covered');
    expect(codeOf(() => isWorkingDay('2019-12-31'))).toBe('calendar_not_covered');
    expect(codeOf(() => countWorkingDays('2019-12-31', '2020-01-05'))).toBe('calendar_not_covered');
    expect(codeOf(() => countWorkingDays('2026-12-01', '2027-01-05'))).toBe('calendar_not_covered');
  });
  it('the error says what is covered and what to do, in both languages', () => {
    try {
      addWorkingDays('2026-12-30', 2);
      expect.unreachable();
    } catch (e) {
      const err = e as KaifangError;
      expect(err.messageZh).toContain('2026-12-31');
      expect(err.messageZh).toContain('calendars/cn-workdays.yaml');
      expect(err.messageEn).toContain('covers 2020-01-01 to 2026-12-31');
      expect(err.details).toMatchObject({ coveredThrough: '2026-12-31' });
    }
  });
});

describe('bad input', () => {
  it.each(['2020-2-1', '2020-02-30', '2021-02-29', '20200201', '2020/02/01', '', 'today', '2020-13-01', '2020-00-10'])(
    'malformed date %j is invalid_date',
    (d) => {
      expect(codeOf(() => isWorkingDay(d))).toBe('invalid_date');
      expect(codeOf(() => addWorkingDays(d, 1))).toBe('invalid_date');
    },
  );
  it('a date that is not a string is invalid_date', () => {
    expect(codeOf(() => isWorkingDay(20200201 as unknown as string))).toBe('invalid_date');
  });
  it('2020-02-29 exists (leap year)', () => {
    expect(isWorkingDay('2020-02-29')).toBe(false);
  });
  it('negative counts', () => {
    expect(codeOf(() => addWorkingDays('2020-05-20', -1))).toBe('negative_count');
    expect(codeOf(() => dueAfterWorkingDays('2020-05-20', -0.5))).toBe('negative_count');
  });
  it('fractions other than halves, and non-numbers', () => {
    expect(codeOf(() => addWorkingDays('2020-05-20', 1.5))).toBe('invalid_count');
    expect(codeOf(() => dueAfterWorkingDays('2020-05-20', 0.3))).toBe('invalid_count');
    expect(codeOf(() => addWorkingDays('2020-05-20', Number.NaN))).toBe('invalid_count');
    expect(codeOf(() => addWorkingDays('2020-05-20', '3' as unknown as number))).toBe('invalid_count');
  });
  it('an end before the start', () => {
    expect(codeOf(() => countWorkingDays('2020-05-20', '2020-05-19'))).toBe('invalid_date_range');
  });
});

describe('independent of the machine time zone', () => {
  it('gives the same answers under TZ=America/Los_Angeles and Pacific/Kiritimati', async () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['America/Los_Angeles', 'Pacific/Kiritimati']) {
        process.env.TZ = tz;
        const { loadWorkdayCalendar } = await import('./index.ts');
        const c = loadWorkdayCalendar();
        expect(c.isWorkingDay('2020-02-03')).toBe(true);
        expect(c.isWorkingDay('2020-02-01')).toBe(false);
        expect(c.addWorkingDays('2020-01-23', 1)).toBe('2020-02-03');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});
