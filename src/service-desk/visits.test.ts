// 走访记录 on both databases, over HTTP: only the enterprise's liaisons log visits; 无事不扰 — the visit above the
// period's number (service-desk.yaml) is refused without a reason, nothing stored, and accepted with one; the next
// period starts again; the officer's enterprises show open and overdue requests and the visits of the period; the
// enterprise reads visits to itself, another enterprise does not.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { countRows, login, platformApp, type TestPlatform } from '../http/test-support.ts';
import { serviceDeskRules } from './rules.ts';
import { visitPeriodOf } from './visits.ts';

describeDatabases('liaison visits', (t) => {
  let p: TestPlatform;
  let w: World;
  let today = '2020-06-20';
  const cookie: Record<string, string> = {};
  beforeAll(async () => {
    w = await createWorld(t.db, 25);
    p = await platformApp(t.db, { today: () => today });
    for (const u of ['cable', 'textile', 'industry', 'science', 'admin', 'auditor']) cookie[u] = await login(p.app, u);
    await p.app.inject({ method: 'POST', url: '/api/service-liaisons', payload: { uscc: w.enterprises.cable, userId: w.users.industryReviewer.id, kind: 'officer' }, headers: { cookie: cookie.admin } });
    return () => p.app.close();
  });
  const send = (who: string, method: 'GET' | 'POST', url: string, payload?: object) => p.app.inject({ method, url, payload, headers: { cookie: cookie[who] } });
  const visit = (who: string, visitedOn: string, reason?: string) =>
    send(who, 'POST', '/api/liaison/visits', { uscc: w.enterprises.cable, visitedOn, visitors: '区工信局 张科长', asked: '扩产用电增容', followUps: '协调供电公司', ...(reason ? { reason } : {}) });

  it('counts periods by the calendar', () => {
    expect(visitPeriodOf('quarter', '2020-06-20')).toEqual(['2020-04-01', '2020-06-30']);
    expect(visitPeriodOf('month', '2020-02-10')).toEqual(['2020-02-01', '2020-02-29']);
    expect(visitPeriodOf('year', '2020-02-10')).toEqual(['2020-01-01', '2020-12-31']);
  });

  it('无事不扰: within the number no reason is asked; above it a visit needs one; the next period starts again', async () => {
    const allowed = serviceDeskRules().liaison.visits.withoutReason;
    expect(serviceDeskRules().liaison.visits.period).toBe('quarter');
    expect((await visit('science', '2020-06-01')).statusCode).toBe(404); // not its enterprise
    expect((await visit('industry', '2020-06-21')).json().errors[0].path).toBe('visitedOn'); // the future
    for (let i = 0; i < allowed; i++) expect((await visit('industry', `2020-05-0${i + 1}`)).statusCode).toBe(201);
    const before = await countRows(t.db, ['liaison_visits', 'audit_log']);
    const refused = await visit('industry', '2020-06-10');
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors[0]).toMatchObject({ path: 'reason', code: 'visit_needs_reason' });
    expect(await countRows(t.db, ['liaison_visits', 'audit_log'])).toEqual(before);
    const withReason = await visit('industry', '2020-06-10', '企业反映停电影响生产，现场协调');
    expect(withReason.statusCode).toBe(201);
    expect(withReason.json()).toMatchObject({ inPeriod: allowed + 1, periodFrom: '2020-04-01', periodTo: '2020-06-30' });
    // a visit of the next quarter counts again from zero
    today = '2020-07-02';
    expect((await visit('industry', '2020-07-01')).json().inPeriod).toBe(1);
  });

  it('the officer sees its enterprises with requests and visits; the enterprise reads its visits, another does not', async () => {
    await send('cable', 'POST', '/api/service-requests', { category: 'policy', title: '诉求', description: '内容' });
    const mine = (await send('industry', 'GET', '/api/liaison/enterprises')).json();
    expect(mine.items).toEqual([expect.objectContaining({ uscc: w.enterprises.cable, kinds: ['officer'], openRequests: 1, overdueRequests: 0, visitsInPeriod: 1, lastVisit: '2020-07-01' })]);
    expect((await send('science', 'GET', '/api/liaison/enterprises')).json().items).toEqual([]);
    const own = (await send('cable', 'GET', `/api/liaison/visits?uscc=${w.enterprises.cable}`)).json();
    expect(own.items).toHaveLength(4);
    expect(own.items.find((v: { reason: string | null }) => v.reason)).toMatchObject({ visitedOn: '2020-06-10', recordedBy: '区工信局' });
    expect((await send('textile', 'GET', `/api/liaison/visits?uscc=${w.enterprises.cable}`)).statusCode).toBe(404);
    expect((await send('auditor', 'GET', `/api/liaison/visits?uscc=${w.enterprises.cable}`)).statusCode).toBe(200);
    expect((await send('cable', 'GET', '/api/inbox')).json().items.some((i: { action: string }) => i.action === 'serviceLiaison.visit')).toBe(true);
  });
});
