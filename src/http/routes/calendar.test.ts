// The working-day calendar over HTTP: who reads it, who keeps it, and a bad entry refused with its fields.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../../db/test-databases.ts';
import { createWorld } from '../../claims/fixture.ts';
import { countRows, login, platformApp } from '../test-support.ts';

// TEST DATA shaped like a State Council notice (not the real 2027 notice).
const YEAR_2027 = {
  notice: { title: '国务院办公厅关于2027年部分节假日安排的通知（测试数据）', document: '国办发明电〔2026〕99号', date: '2026-11-20' },
  holidays: [{ festival: '元旦', from: '2027-01-01', to: '2027-01-03' }, { festival: '春节', from: '2027-02-06', to: '2027-02-14' }],
  makeUpWorkdays: [{ date: '2027-02-20', festival: '春节' }],
};

describeDatabases('calendar routes', (t) => {
  let app: FastifyInstance;
  const cookie: Record<string, string> = {};
  beforeAll(async () => {
    await createWorld(t.db);
    ({ app } = await platformApp(t.db, { today: () => '2026-12-07' }));
    for (const u of ['admin', 'finance', 'cable', 'shengze', 'auditor']) cookie[u] = await login(app, u);
  });
  afterAll(async () => app?.close());
  const call = (who: string | null, method: 'GET' | 'PUT', url: string, payload?: unknown) =>
    app.inject({ method, url, payload: payload as object, headers: who ? { cookie: cookie[who] } : {} });

  it('officials read the coverage and are reminded in December; enterprises and strangers may not', async () => {
    const res = await call('shengze', 'GET', '/api/calendar');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ coveredThrough: '2026-12-31', computableThrough: '2027-12-31', nextYear: 2027, reminder: true });
    expect((await call('cable', 'GET', '/api/calendar')).statusCode).toBe(403);
    expect((await call(null, 'GET', '/api/calendar')).statusCode).toBe(401);
    const days = (await call('auditor', 'GET', '/api/calendar/days?from=2026-12-30&to=2027-01-02')).json().days;
    expect(days.map((d: { date: string; provisional: boolean }) => [d.date, d.provisional])).toEqual([['2026-12-30', false], ['2026-12-31', false], ['2027-01-01', true], ['2027-01-02', true]]);
    expect((await call('auditor', 'GET', '/api/calendar/days?from=2026-01-01&to=2027-12-31')).json()).toMatchObject({ code: 'bad_range' });
  });

  it('only the administrator enters a year; a wrong one is refused with its fields and nothing stored', async () => {
    expect((await call('finance', 'PUT', '/api/calendar/years/2027', YEAR_2027)).statusCode).toBe(403);
    const bad = await call('admin', 'PUT', '/api/calendar/years/2027', { ...YEAR_2027, makeUpWorkdays: [{ date: '2027-02-22', festival: '春节' }] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual(['makeUpWorkdays[0].date']);
    expect(bad.json().messageZh).toContain('不是周六或周日');
    const extra = await call('admin', 'PUT', '/api/calendar/years/2027', { ...YEAR_2027, extra: 1 });
    expect([400, 422]).toContain(extra.statusCode);
    expect(extra.json().code).toBeTruthy();
    expect(await countRows(t.db, ['calendar_years'])).toEqual({ calendar_years: 0 });
    expect((await call('admin', 'GET', '/api/calendar/years/2027')).statusCode).toBe(404);
  });

  it('a saved year counts at once, in the coverage and in the service cases\' due dates', async () => {
    const ok = await call('admin', 'PUT', '/api/calendar/years/2027', YEAR_2027);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ saved: { year: 2027, source: 'entered', enteredBy: 'admin' }, coverage: { coveredThrough: '2027-12-31', reminder: false } });
    expect((await call('finance', 'GET', '/api/service-limits')).json()).toMatchObject({ coveredThrough: '2027-12-31' });
    expect((await call('shengze', 'GET', '/api/calendar/years/2027')).json()).toMatchObject({ year: 2027, source: 'entered', notice: { document: '国办发明电〔2026〕99号' } });
    const feb = (await call('auditor', 'GET', '/api/calendar/days?from=2027-02-05&to=2027-02-08')).json().days;
    expect(feb.map((d: { kind: string }) => d.kind)).toEqual(['weekday', 'holiday', 'holiday', 'holiday']);
  });
});
