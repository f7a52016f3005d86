import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KaifangError } from '../errors.ts';
import { DEFAULT_POLICY_DIR, loadServiceLimits } from './limits.ts';

const official = loadServiceLimits();

describe('service-limits.yaml of wujiang-2020-open', () => {
  it('holds every time limit of measures 22–25, with the values the text gives', () => {
    const table = official.limits.map((l) => [l.id, l.measure, l.kind, l.value ?? l.relative?.reduction, l.unit]);
    expect(table).toEqual([
      ['bankruptcy-simplified-share', 22, 'share', 40, 'percent'],
      ['bankruptcy-no-assets-90-days', 22, 'perCase', 90, 'calendarDays'],
      ['bankruptcy-simple-6-months', 22, 'perCase', 6, 'months'],
      ['business-startup', 23, 'perCase', 1, 'workingDays'],
      ['business-startup-green-channel', 23, 'perCase', 0.5, 'workingDays'],
      ['real-estate-registration', 23, 'perCase', 1, 'workingDays'],
      ['tax-time-annual-hours', 23, 'annualTotal', 100, 'hours'],
      ['construction-government-investment', 23, 'perCase', 80, 'workingDays'],
      ['construction-general-social-investment', 23, 'perCase', 60, 'workingDays'],
      ['construction-small-social-investment', 23, 'perCase', 40, 'workingDays'],
      ['water-no-new-pipeline', 24, 'perCase', 4, 'workingDays'],
      ['water-pipeline-no-approval', 24, 'perCase', 9, 'workingDays'],
      ['water-pipeline-with-approval', 24, 'average', 30, 'workingDays'],
      ['water-pipeline-approval-part', 24, 'perCase', 21, 'workingDays'],
      ['power-10kv', 24, 'average', 35, 'workingDays'],
      ['power-low-voltage', 24, 'average', 5, 'workingDays'],
      ['gas-direct-meter', 24, 'perCase', 3, 'workingDays'],
      ['gas-pipeline-no-approval', 24, 'perCase', 15, 'workingDays'],
      ['gas-pipeline-with-approval', 24, 'perCase', 30, 'workingDays'],
      ['gas-pipeline-approval-part', 24, 'perCase', 10, 'workingDays'],
      ['customs-clearance-time', 25, 'average', '1/3', 'hours'],
    ]);
  });

  it('every number of a limit appears in its verbatim clause', () => {
    for (const l of official.limits) {
      const n = l.value !== undefined ? String(l.value) : '三分之一';
      expect(l.clause, l.id).toContain(n);
    }
  });

  it('owners are ids of agencies.yaml (checked by the loader) and the parts point at their whole', () => {
    const owners = new Set(official.limits.flatMap((l) => l.owners));
    expect([...owners].sort()).toEqual([
      'administrative-approval-bureau',
      'housing-construction-bureau',
      'huayan-water',
      'natural-resources-planning-bureau',
      'tax-bureau',
      'towngas',
      'water-affairs-bureau',
      'wujiang-court',
      'wujiang-customs',
      'wujiang-power-supply',
    ]);
    expect(official.get('gas-pipeline-approval-part').partOf).toBe('gas-pipeline-with-approval');
    expect(official.get('water-pipeline-approval-part').partOf).toBe('water-pipeline-with-approval');
  });

  it('an unknown id is an error', () => {
    expect(() => official.get('no-such-limit')).toThrow(KaifangError);
  });
});

describe('the loader refuses a wrong file', () => {
  let dir: string;
  const original = readFileSync(path.join(DEFAULT_POLICY_DIR, 'service-limits.yaml'), 'utf8');
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kaifang-limits-'));
    copyFileSync(path.join(DEFAULT_POLICY_DIR, 'source.txt'), path.join(dir, 'source.txt'));
    copyFileSync(path.join(DEFAULT_POLICY_DIR, 'agencies.yaml'), path.join(dir, 'agencies.yaml'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function problems(text: string): Array<{ path: string; line?: number; en: string }> {
    writeFileSync(path.join(dir, 'service-limits.yaml'), text);
    try {
      loadServiceLimits(dir);
    } catch (e) {
      expect((e as KaifangError).code).toBe('service_limits_invalid');
      return ((e as KaifangError).details as { problems: Array<{ path: string; line?: number; en: string }> }).problems;
    }
    throw new Error('expected the file to be refused');
  }

  it('a clause that is not verbatim', () => {
    const p = problems(original.replace('办结时间不超过4个工作日', '办结时间不超过3个工作日'));
    expect(p).toEqual([expect.objectContaining({ path: 'limits[10].clause', en: expect.stringContaining('verbatim') })]);
    expect(p[0].line).toBeGreaterThan(1);
  });

  it('a department that agencies.yaml does not know', () => {
    const p = problems(original.replaceAll('owners: [wujiang-power-supply]', 'owners: [state-grid]'));
    expect(p.map((x) => x.path)).toEqual(['limits[14].owners[0]', 'limits[15].owners[0]']);
  });

  it('a unit that does not fit the kind, and a fractional calendar-day limit', () => {
    const p = problems(
      original
        .replace('    value: 40\n    unit: percent', '    value: 40\n    unit: workingDays')
        .replace('    value: 90\n    unit: calendarDays', '    value: 90.5\n    unit: calendarDays'),
    );
    expect(p.map((x) => x.path)).toEqual(['limits[0].unit', 'limits[1].value']);
  });

  it('a stage longer than its whole, and a duplicate id', () => {
    const p = problems(original.replace('    value: 10\n', '    value: 31\n').replace('id: power-low-voltage', 'id: power-10kv'));
    expect(p.map((x) => x.path)).toEqual(['limits[15].id', 'limits[19].partOf']);
  });

  it('both or neither of value and relative', () => {
    const p = problems(original.replace('    relative:\n', '    value: 5\n    relative:\n'));
    expect(p[0].en).toContain('exactly one of value');
  });
});
