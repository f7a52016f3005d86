import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deadline, workdays } from './deadline.ts';
import { codeOf } from '../../test-support.ts';

const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'kaifang.js');
describe('kaifang deadline / workdays', () => {
  it('prints due dates in working days, half days, calendar days and months', () => {
    expect(deadline({ from: '2020-01-23', workingDays: '1' })).toBe('2020-02-03');
    expect(deadline({ from: '2020-01-23', workingDays: '0.5' })).toBe('2020-02-03 12:00');
    expect(deadline({ from: '2020-05-20', workingDays: '0' })).toBe('2020-05-20');
    expect(deadline({ from: '2020-01-01', calendarDays: '90' })).toBe('2020-03-31');
    expect(deadline({ from: '2020-08-31', months: '6' })).toBe('2021-02-28');
    expect(workdays('2020-01-01', '2020-12-31')).toBe(249);
    expect(workdays('2020-01-23', '2020-02-03')).toBe(1);
  });

  it('refuses bad input with a code', () => {
    expect(codeOf(() => deadline({ from: '2020-02-30', workingDays: '1' }))).toBe('invalid_date');
    expect(codeOf(() => deadline({ from: '2020-05-20', workingDays: '-1' }))).toBe('negative_count');
    expect(codeOf(() => deadline({ from: '2020-05-20', workingDays: '1e2' }))).toBe('invalid_count');
    expect(codeOf(() => deadline({ from: '2020-05-20', calendarDays: '0.5' }))).toBe('invalid_count');
    expect(codeOf(() => deadline({ from: '2020-05-20', workingDays: '1', calendarDays: '1' }))).toBe('invalid_arguments');
    expect(codeOf(() => deadline({ from: '2026-12-30', workingDays: '2' }))).toBe('calendar_not_covered');
    expect(codeOf(() => workdays('2020-05-20', '2020-05-19'))).toBe('invalid_date_range');
  });

  it('as a command, bad input exits non-zero with a bilingual message and no stack trace', () => {
    const bad = spawnSync(process.execPath, [bin, 'deadline', '--from', '2026-12-30', '--working-days', '5'], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('--working-days: 工作日历仅覆盖 2020-01-01 至 2026-12-31');
    expect(bad.stderr).toContain('the working-day calendar covers 2020-01-01 to 2026-12-31 only');
    expect(bad.stderr).toContain('[calendar_not_covered]');
    expect(bad.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });
});
