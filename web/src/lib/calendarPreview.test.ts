import { describe, expect, it } from 'vitest';
import { previewYear } from './calendarPreview';

describe('previewYear', () => {
  it('marks holidays and make-up workdays, and counts them', () => {
    // 2026's Spring Festival as the State Council arranged it: 15–23 February off, Saturday 14 and 28 February worked.
    const p = previewYear(2026, [{ festival: '春节', from: '2026-02-15', to: '2026-02-23' }], [{ date: '2026-02-14', festival: '春节' }, { date: '2026-02-28', festival: '春节' }]);
    const feb = p.months[1];
    expect(feb.firstWeekday).toBe(0); // 1 February 2026 is a Sunday
    expect(feb.days.find((d) => d.date === '2026-02-16')).toMatchObject({ kind: 'holiday', festival: '春节' });
    expect(feb.days.find((d) => d.date === '2026-02-14')).toMatchObject({ kind: 'makeUpWorkday' });
    expect(feb.days.find((d) => d.date === '2026-02-07')).toMatchObject({ kind: 'weekend' });
    expect(feb.days.find((d) => d.date === '2026-02-24')).toMatchObject({ kind: 'weekday' });
    expect(p.holidayDays).toBe(9);
    expect(p.makeUpDays).toBe(2);
    expect(p.problems).toEqual([]);
    expect(p.months.reduce((n, m) => n + m.days.length, 0)).toBe(365);
  });

  it('names the field of each impossible entry: a make-up weekday, an inverted range, a day twice', () => {
    const p = previewYear(2027, [{ festival: '元旦', from: '2027-01-01', to: '2027-01-03' }, { festival: '春节', from: '2027-02-10', to: '2027-02-05' }], [{ date: '2027-01-04', festival: '元旦' }, { date: '2027-01-02', festival: '元旦' }]);
    expect(p.problems.map((x) => x.name)).toEqual([['holidays', 1, 'to'], ['makeUpWorkdays', 0, 'date'], ['makeUpWorkdays', 1, 'date']]);
  });

  it('ignores rows still being typed', () => {
    expect(previewYear(2027, [{ festival: '元旦' }, undefined, { from: '2027-13-01', to: '2027-01-01' }], [{}]).problems).toEqual([]);
  });
});
