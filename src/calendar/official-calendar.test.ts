// The working-day calendar kept current in the app: a year entered by the administrator is checked exactly as the
// shipped file is, moves the coverage on at once (and in another process at its next refresh), and until then a due
// date past the coverage is given provisionally — weekends only, and marked.
//
// The 2027 arrangement below is TEST DATA shaped like a State Council notice, not the real notice: Kaifang never ships
// a guess about a notice (calendars/cn-workdays.yaml holds only published ones).
import { beforeAll, describe, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { createUser } from '../identity/users.ts';
import { FAST_SECURITY, TEST_PASSWORD } from '../claims/fixture.ts';
import { OfficialCalendar } from './official-calendar.ts';
import { loadWorkdayCalendar } from './index.ts';

const TEST_2027 = {
  notice: { title: '国务院办公厅关于2027年部分节假日安排的通知（测试数据）', document: '国办发明电〔2026〕99号', date: '2026-11-20' },
  holidays: [
    { festival: '元旦', from: '2027-01-01', to: '2027-01-03' },
    { festival: '春节', from: '2027-02-06', to: '2027-02-14' },
    { festival: '国庆节', from: '2027-10-01', to: '2027-10-07' },
  ],
  makeUpWorkdays: [
    { date: '2027-02-20', festival: '春节' },
    { date: '2027-10-09', festival: '国庆节' },
  ],
};
const TODAY = '2026-12-07';

function problems(fn: () => unknown): Array<[string | undefined, string]> {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.errors.map((x) => [x.path, x.code]);
    if (e instanceof KaifangError) return [[e.path, e.code]];
    throw e;
  }
  return [];
}

describe('provisional due dates past the coverage', () => {
  it('an 80-working-day case accepted today gets a due date, marked provisional, where the strict calendar refuses', () => {
    const strict = loadWorkdayCalendar();
    expect(problems(() => strict.addWorkingDays(TODAY, 80))).toEqual([['workingDays', 'calendar_not_covered']]);
    const cal = new OfficialCalendar().current();
    expect(cal.coveredThrough).toBe('2026-12-31');
    expect(cal.computableThrough).toBe('2027-12-31');
    const due = cal.addWorkingDays(TODAY, 80);
    // 18 working days left in December 2026 (2026-12-08 … 12-31), then 62 Monday–Friday days of 2027: 29 March.
    expect(due).toBe('2027-03-29');
    expect(cal.isProvisional(due)).toBe(true);
    expect(cal.isProvisional('2026-12-31')).toBe(false);
    expect(cal.isCovered(due)).toBe(false);
    // Past the provisional horizon it still refuses rather than guess further.
    expect(problems(() => cal.addWorkingDays(TODAY, 400))).toEqual([['workingDays', 'calendar_not_covered']]);
  });
});

describeDatabases('the working-day calendar kept in the app', (t) => {
  let calendar: OfficialCalendar;
  let adminId: number;
  beforeAll(async () => {
    calendar = new OfficialCalendar();
    await calendar.refresh(t.db);
    adminId = (await createUser(t.db, { username: 'cal-admin', displayName: '管理员', password: TEST_PASSWORD, role: 'admin' }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY })).id;
  });
  const actor = () => ({ userId: adminId, name: 'cal-admin', ip: null });

  it('reminds from 1 November of the last covered year until next year is entered', () => {
    expect(calendar.coverage('2026-10-31', '11-01')).toMatchObject({ coveredThrough: '2026-12-31', nextYear: 2027, reminder: false });
    expect(calendar.coverage('2026-11-01', '11-01').reminder).toBe(true);
    expect(calendar.coverage(TODAY, '11-01').years.map((y) => y.year)).toEqual([2020, 2021, 2022, 2023, 2024, 2025, 2026]);
  });

  it('refuses what the file would refuse, naming the field, and stores nothing', async () => {
    const bad = {
      ...TEST_2027,
      notice: { ...TEST_2027.notice, document: '国办发〔2026〕1号' },
      makeUpWorkdays: [{ date: '2027-02-22', festival: '春节' }], // a Monday
    };
    expect(problems(() => calendar.validateYear(2027, bad, TODAY))).toEqual([['notice.document', 'invalid']]);
    expect(problems(() => calendar.validateYear(2027, { ...TEST_2027, makeUpWorkdays: [{ date: '2027-02-22', festival: '春节' }] }, TODAY))).toEqual([['makeUpWorkdays[0].date', 'calendar_invalid']]);
    expect(problems(() => calendar.validateYear(2027, { ...TEST_2027, holidays: [{ festival: '春节', from: '2027-02-14', to: '2027-02-06' }] }, TODAY))).toEqual([['holidays[0].to', 'calendar_invalid']]);
    expect(problems(() => calendar.validateYear(2027, { ...TEST_2027, makeUpWorkdays: [{ date: '2027-01-02', festival: '元旦' }] }, TODAY))).toEqual([['makeUpWorkdays[0].date', 'calendar_invalid']]);
    expect(problems(() => calendar.validateYear(2027, { ...TEST_2027, notice: { ...TEST_2027.notice, date: '2026-12-08' } }, TODAY))).toEqual([['notice.date', 'notice_in_future']]);
    expect(problems(() => calendar.validateYear(2026, TEST_2027, TODAY))).toEqual([['year', 'year_in_file']]);
    expect(problems(() => calendar.validateYear(2028, TEST_2027, TODAY))).toEqual([['year', 'year_gap']]);
    expect(problems(() => calendar.validateYear(2027, { ...TEST_2027, holidays: [] }, TODAY))).toEqual([['holidays', 'invalid']]);
    await expect(calendar.saveYear(t.db, actor(), 2027, { ...TEST_2027, makeUpWorkdays: [{ date: '2027-02-22', festival: '春节' }] }, TODAY)).rejects.toBeInstanceOf(ValidationError);
    const rows = await t.db.selectFrom('calendar_years').selectAll().execute();
    expect(rows).toEqual([]);
  });

  it('a saved year moves the coverage on at once, counts its holidays, and is audited', async () => {
    const provisional = calendar.current().addWorkingDays('2027-02-03', 5);
    expect(provisional).toBe('2027-02-10'); // weekends only: the Spring Festival is not known yet
    const saved = await calendar.saveYear(t.db, actor(), 2027, TEST_2027, TODAY);
    expect(saved).toMatchObject({ year: 2027, source: 'entered', document: '国办发明电〔2026〕99号', enteredBy: 'cal-admin', version: 1 });
    const cal = calendar.current();
    expect(cal.coveredThrough).toBe('2027-12-31');
    expect(cal.computableThrough).toBe('2028-12-31');
    expect(cal.isWorkingDay('2027-02-08')).toBe(false); // a Monday in the entered Spring Festival
    expect(cal.isWorkingDay('2027-02-20')).toBe(true); // the make-up Saturday
    expect(cal.dayInfo('2027-02-10')).toMatchObject({ kind: 'holiday', festival: '春节', festivalEn: 'Spring Festival', document: '国办发明电〔2026〕99号' });
    expect(cal.addWorkingDays('2027-02-03', 5)).toBe('2027-02-17'); // 4–5 Feb, then 15–17 Feb: settled, not provisional
    expect(cal.isProvisional('2027-02-17')).toBe(false);
    expect(calendar.coverage(TODAY, '11-01')).toMatchObject({ nextYear: 2028, reminder: false });
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'calendar.year.save').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({ year: 2027, version: 1, document: '国办发明电〔2026〕99号' });
  });

  it('another process sees the year at its next refresh; a correction replaces it as version 2', async () => {
    const other = new OfficialCalendar();
    expect(other.current().coveredThrough).toBe('2026-12-31');
    await other.refresh(t.db);
    expect(other.current().coveredThrough).toBe('2027-12-31');
    const corrected = { ...TEST_2027, holidays: TEST_2027.holidays.map((h) => (h.festival === '国庆节' ? { ...h, to: '2027-10-08' } : h)) };
    expect((await other.saveYear(t.db, actor(), 2027, corrected, TODAY)).version).toBe(2);
    expect(other.current().isWorkingDay('2027-10-08')).toBe(false);
    await calendar.refresh(t.db);
    expect(calendar.current().isWorkingDay('2027-10-08')).toBe(false);
    expect(calendar.yearEntry(2027)).toMatchObject({ source: 'entered', version: 2 });
    expect(calendar.yearEntry(2026)).toMatchObject({ source: 'file', version: null });
  });
});
