import { describe, expect, it } from 'vitest';
import { KaifangError } from './errors.ts';
import { addCalendarDays, addMonths, diffCalendarDays, parseCivilDate, todayInShanghai, weekday } from './civil-date.ts';
import { codeOf } from './test-support.ts';

describe('civil dates', () => {
  it('weekday from the date alone', () => {
    expect(weekday('2020-05-20')).toBe(3); // the policy was issued on a Wednesday
    expect(weekday('2020-02-01')).toBe(6);
  });

  it('calendar days: the first day is not counted (民法典 201)', () => {
    expect(addCalendarDays('2020-01-01', 90)).toBe('2020-03-31');
    expect(addCalendarDays('2020-01-01', 0)).toBe('2020-01-01');
    expect(addCalendarDays('2026-12-01', 90)).toBe('2027-03-01'); // no holiday calendar needed, so no coverage limit
    expect(diffCalendarDays('2020-01-01', '2020-03-31')).toBe(90);
  });

  it('months: the same day, or the last day of a shorter month (民法典 202)', () => {
    expect(addMonths('2020-03-15', 6)).toBe('2020-09-15');
    expect(addMonths('2020-08-31', 6)).toBe('2021-02-28');
    expect(addMonths('2019-08-31', 6)).toBe('2020-02-29');
    expect(addMonths('2020-12-31', 6)).toBe('2021-06-30');
    expect(addMonths('2020-07-31', 18)).toBe('2022-01-31');
  });

  it('refuses malformed dates and negative or fractional counts', () => {
    expect(codeOf(() => parseCivilDate('2020-02-30'))).toBe('invalid_date');
    expect(codeOf(() => parseCivilDate('0099-01-01'))).toBe('invalid_date');
    expect(codeOf(() => addCalendarDays('2020-1-1', 1))).toBe('invalid_date');
    expect(codeOf(() => addCalendarDays('2020-01-01', -1))).toBe('negative_count');
    expect(codeOf(() => addCalendarDays('2020-01-01', 1.5))).toBe('invalid_count');
    expect(codeOf(() => addMonths('2020-01-01', -6))).toBe('negative_count');
  });

  it('names the field and says what is wrong in both languages', () => {
    try {
      parseCivilDate('2020-02-30', 'from');
      expect.unreachable();
    } catch (e) {
      const err = e as KaifangError;
      expect(err.path).toBe('from');
      expect(err.messageZh).toContain('YYYY-MM-DD');
      expect(err.messageEn).toContain('"2020-02-30" is not a valid date');
    }
  });
});

describe('todayInShanghai', () => {
  it('turns at midnight in Shanghai (16:00 UTC), also when asked again within the same minute and across it', () => {
    expect(todayInShanghai(new Date('2020-05-19T15:59:00.000Z'))).toBe('2020-05-19');
    expect(todayInShanghai(new Date('2020-05-19T15:59:59.999Z'))).toBe('2020-05-19');
    expect(todayInShanghai(new Date('2020-05-19T16:00:00.000Z'))).toBe('2020-05-20');
    expect(todayInShanghai(new Date('2020-05-19T16:00:59.000Z'))).toBe('2020-05-20');
    expect(todayInShanghai(new Date('2020-05-19T15:59:30.000Z')), 'back in time').toBe('2020-05-19');
    expect(todayInShanghai(new Date('2020-12-31T16:00:00.000Z'))).toBe('2021-01-01');
  });
});
