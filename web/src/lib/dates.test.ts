// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { daysBetween, formatDate, formatDateTime, todayShanghai } from './dates';

describe('dates', () => {
  it('today is the Shanghai civil date, not UTC', () => {
    expect(todayShanghai(new Date('2020-12-31T16:30:00Z'))).toBe('2021-01-01');
    expect(todayShanghai(new Date('2020-12-31T15:59:00Z'))).toBe('2020-12-31');
  });
  it('shows civil dates unchanged and instants in Shanghai time', () => {
    expect(formatDate('2020-05-20')).toBe('2020-05-20');
    expect(formatDate('2020-05-19T17:00:00Z')).toBe('2020-05-20');
    expect(formatDateTime('2020-05-19T17:05:00Z')).toBe('2020-05-20 01:05');
    expect(formatDate(null)).toBe('—');
    expect(formatDate('garbage')).toBe('garbage');
  });
  it('counts days', () => {
    expect(daysBetween('2020-12-25', '2021-01-01')).toBe(7);
    expect(daysBetween('2020-02-28', '2020-03-01')).toBe(2);
  });
});
