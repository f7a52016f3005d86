/**
 * calendars/cn-workdays.yaml against the chinese-days package it was seeded from (a dev dependency): every day of
 * 2020–2026 must agree, so neither a hand edit of the file nor an update of the package can drift unnoticed.
 */
import { describe, expect, it } from 'vitest';
import { isWorkday } from 'chinese-days';
import { officialCalendar } from './index.ts';
import { dayNumber, fromDayNumber } from '../civil-date.ts';

describe('cn-workdays.yaml agrees with chinese-days on every day', () => {
  it('2020-01-01 .. 2026-12-31', () => {
    const cal = officialCalendar();
    const disagreements: string[] = [];
    let days = 0;
    for (let n = dayNumber('2020-01-01'); n <= dayNumber('2026-12-31'); n++) {
      const date = fromDayNumber(n);
      const [y, m, d] = date.split('-').map(Number);
      // A local-noon Date: chinese-days reads local calendar fields, and noon is the same day in every zone.
      const theirs = isWorkday(new Date(y, m - 1, d, 12));
      const ours = cal.isWorkingDay(date);
      if (theirs !== ours) disagreements.push(`${date}: yaml ${ours}, chinese-days ${theirs}`);
      days++;
    }
    expect(days).toBe(2557);
    expect(disagreements).toEqual([]);
  });
});
