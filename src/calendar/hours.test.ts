import { describe, expect, it } from 'vitest';
import { KaifangError } from '../errors.ts';
import { annualHoursTotals } from './hours.ts';

describe('annual hours against a limit (纳税时间 100 小时)', () => {
  it('sums per subject and year; exactly 100 hours is within the limit, one minute more is not', () => {
    const totals = annualHoursTotals(
      [
        { subjectId: 'A', date: '2020-03-01', hours: 60 },
        { subjectId: 'A', date: '2020-11-30', hours: 40 },
        { subjectId: 'B', date: '2020-06-01', hours: 99.5 },
        { subjectId: 'B', date: '2020-12-31', hours: 0.5 + 1 / 60 },
        { subjectId: 'A', date: '2021-01-01', hours: 500 }, // another year
      ],
      2020,
      100,
    );
    expect(totals).toEqual([
      { subjectId: 'A', year: 2020, totalMinutes: 6000, totalHours: 100, limitHours: 100, remainingHours: 0, exceeded: false },
      expect.objectContaining({ subjectId: 'B', totalMinutes: 6001, exceeded: true }),
    ]);
    expect(totals[1].remainingHours).toBeCloseTo(-1 / 60);
  });

  it('0.1 + 0.2 hours is exactly 18 minutes', () => {
    const [t] = annualHoursTotals(
      [
        { subjectId: 'A', date: '2020-01-02', hours: 0.1 },
        { subjectId: 'A', date: '2020-01-03', hours: 0.2 },
      ],
      2020,
      100,
    );
    expect(t.totalMinutes).toBe(18);
  });

  it('refuses negative hours, fractions of a minute and bad dates', () => {
    const codeOf = (hours: number, date = '2020-01-01') => {
      try {
        annualHoursTotals([{ subjectId: 'A', date, hours }], 2020, 100);
      } catch (e) {
        return [(e as KaifangError).code, (e as KaifangError).path];
      }
      return undefined;
    };
    expect(codeOf(-1)).toEqual(['negative_count', 'entries[0].hours']);
    expect(codeOf(0.001)).toEqual(['invalid_count', 'entries[0].hours']);
    expect(codeOf(1, '2020-13-01')).toEqual(['invalid_date', 'entries[0].date']);
  });
});
