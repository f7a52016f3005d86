import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KaifangError } from '../errors.ts';
import { loadWorkdayData, DEFAULT_CALENDAR_FILE } from './workday-data.ts';
import { WorkdayCalendar } from './workday-calendar.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kaifang-cal-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOTICE = `    notice:
      title: 国务院办公厅关于2020年部分节假日安排的通知
      document: 国办发明电〔2019〕16号
      date: 2019-11-21
      url: http://www.gov.cn/zhengce/content/2019-11/21/content_5454164.htm
`;

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function problemsOf(file: string): { code: string; message: string; problems: Array<{ path: string; line?: number; en: string }> } {
  try {
    loadWorkdayData(file);
  } catch (e) {
    if (!(e instanceof KaifangError)) throw e;
    return { code: e.code, message: e.message, problems: (e.details as { problems: Array<{ path: string; line?: number; en: string }> }).problems };
  }
  throw new Error('expected the file to be refused');
}

const good = `coveredThrough: 2020-12-31
years:
  - year: 2020
${NOTICE}    holidays:
      - { festival: 春节, festivalEn: Spring Festival, from: 2020-01-24, to: 2020-01-30 }
    makeUpWorkdays:
      - { date: 2020-01-19, festival: 春节 }
      - { date: 2020-02-01, festival: 春节 }
    changes:
      - notice:
          title: 国务院办公厅关于延长2020年春节假期的通知
          document: 国办发明电〔2020〕1号
          date: 2020-01-26
          url: http://www.gov.cn/zhengce/content/2020-01/27/content_5472352.htm
        summary: 延长至2月2日
        summaryEn: extended to 2 February
        addHolidays:
          - { festival: 春节, festivalEn: Spring Festival, from: 2020-01-31, to: 2020-02-02 }
        cancelMakeUpWorkdays: [2020-02-01]
`;

describe('loading the working-day file', () => {
  it('the official file loads', () => {
    const data = loadWorkdayData(DEFAULT_CALENDAR_FILE);
    expect(data.years.map((y) => y.year)).toEqual([2020, 2021, 2022, 2023, 2024, 2025, 2026]);
    expect(data.years.map((y) => y.notice.document)).toEqual([
      '国办发明电〔2019〕16号',
      '国办发明电〔2020〕27号',
      '国办发明电〔2021〕11号',
      '国办发明电〔2022〕16号',
      '国办发明电〔2023〕7号',
      '国办发明电〔2024〕12号',
      '国办发明电〔2025〕7号',
    ]);
    expect(data.years[0].changes[0].notice.document).toBe('国办发明电〔2020〕1号');
  });

  it('applies a change notice: cancelled make-up day, added holidays', () => {
    const cal = new WorkdayCalendar(loadWorkdayData(write('good.yaml', good)));
    expect(cal.isWorkingDay('2020-01-19')).toBe(true);
    expect(cal.isWorkingDay('2020-01-31')).toBe(false);
    expect(cal.isWorkingDay('2020-02-01')).toBe(false);
    expect(cal.isWorkingDay('2020-02-03')).toBe(true);
  });

  it('a make-up "workday" on a weekday is refused with its line', () => {
    const r = problemsOf(write('weekday.yaml', good.replace('{ date: 2020-01-19, festival: 春节 }', '{ date: 2020-01-20, festival: 春节 }')));
    expect(r.code).toBe('calendar_invalid');
    expect(r.problems).toEqual([expect.objectContaining({ path: 'years[0].makeUpWorkdays[0].date', line: 12 })]);
    expect(r.problems[0].en).toContain('not a Saturday or Sunday');
    expect(r.message).toContain('weekday.yaml:12');
  });

  it('an impossible date is a structural error', () => {
    const r = problemsOf(write('impossible.yaml', good.replace('from: 2020-01-31, to: 2020-02-02 }', 'from: 2020-01-31, to: 2020-02-31 }')));
    expect(r.problems.map((p) => p.path)).toEqual(['years[0].changes[0].addHolidays[0].to']);
    expect(r.problems[0].en).toContain('YYYY-MM-DD');
  });

  it('an inverted range, an overlap and a weekday make-up day are all reported at once', () => {
    const text = good
      .replace('from: 2020-01-24, to: 2020-01-30 }', 'from: 2020-01-30, to: 2020-01-24 }')
      .replace('{ date: 2020-01-19, festival: 春节 }', '{ date: 2020-01-20, festival: 春节 }')
      .replace('from: 2020-01-31, to: 2020-02-02 }', 'from: 2020-01-31, to: 2020-02-02 }\n          - { festival: 春节, festivalEn: x, from: 2020-02-02, to: 2020-02-02 }');
    const r = problemsOf(write('many.yaml', text));
    expect(r.problems.map((p) => p.path)).toEqual([
      'years[0].holidays[0].to',
      'years[0].makeUpWorkdays[0].date',
      'years[0].changes[0].addHolidays[1]',
    ]);
    expect(r.problems[0].en).toContain('before it starts');
    expect(r.problems[2].en).toContain('2020-02-02 is already a holiday');
  });

  it('an overlong range is taken for a typing mistake', () => {
    const r = problemsOf(write('long.yaml', good.replace('to: 2020-01-30 }', 'to: 2020-03-30 }')));
    expect(r.problems[0].en).toContain('probably a typing mistake');
  });

  it('cancelling a make-up day that does not exist', () => {
    const r = problemsOf(write('cancel.yaml', good.replace('cancelMakeUpWorkdays: [2020-02-01]', 'cancelMakeUpWorkdays: [2020-02-08]')));
    expect(r.problems[0]).toMatchObject({ path: 'years[0].changes[0].cancelMakeUpWorkdays[0]' });
  });

  it('coveredThrough beyond the last year with a notice', () => {
    const r = problemsOf(write('beyond.yaml', good.replace('coveredThrough: 2020-12-31', 'coveredThrough: 2021-06-30')));
    expect(r.problems[0]).toMatchObject({ path: 'coveredThrough', line: 1 });
  });

  it('a missing year in the sequence', () => {
    const second = `  - year: 2022
    notice:
      title: 国务院办公厅关于2022年部分节假日安排的通知
      document: 国办发明电〔2021〕11号
      date: 2021-10-25
      url: http://www.gov.cn/zhengce/content/2021-10/25/content_5644835.htm
    holidays: []
`;
    const r = problemsOf(write('gap.yaml', good.replace('coveredThrough: 2020-12-31', 'coveredThrough: 2022-12-31') + second));
    expect(r.problems[0]).toMatchObject({ path: 'years[1].year' });
    expect(r.problems[0].en).toContain('expected 2021, found 2022');
  });

  it('a bad document number and an unknown key are structural errors', () => {
    const r = problemsOf(write('shape.yaml', good.replace('国办发明电〔2019〕16号', '国办发〔2019〕16号').replace('    makeUpWorkdays:', '    makeupWorkdays:')));
    expect(r.problems.map((p) => p.path).sort()).toEqual(['years[0]', 'years[0].notice.document']);
  });

  it('a YAML syntax error names the line', () => {
    const r = problemsOf(write('syntax.yaml', 'coveredThrough: 2020-12-31\nyears:\n  - year: 2020\n   notice: [\n'));
    expect(r.code).toBe('calendar_invalid');
    expect(r.message).toMatch(/syntax\.yaml:\d+/);
  });

  it('a missing file', () => {
    expect(() => loadWorkdayData(path.join(dir, 'nope.yaml'))).toThrow(/cannot read/);
  });
});
