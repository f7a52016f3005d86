// 诉求 (measure 21) on both databases, as the enterprise, the units, a liaison leader and the public meet it over
// HTTP: routing by category, due dates in official working days (the Dragon Boat holiday and its Sunday make-up day),
// transfer keeping the clock and the history, the clock stopping while the enterprise is asked for more, escalation of
// an overdue request to the liaison leader's inbox, on time on the due date and late the day after, rating, one
// reopening and no second, the figures (办结率, 满意率 either side of the threshold) and their public copy without
// names; nobody outside the request's scope learns it exists, and bad input stores nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { countRows, login, multipartBody, PDF, platformApp, type TestPlatform } from '../http/test-support.ts';
import { loadServiceDeskRules } from './rules.ts';
import { KaifangError } from '../errors.ts';
import fs from 'node:fs';
import os from 'node:os';

describeDatabases('service desk requests', (t) => {
  let p: TestPlatform;
  let w: World;
  let today = '2020-06-01';
  const cookie: Record<string, string> = {};
  beforeAll(async () => {
    w = await createWorld(t.db, 21);
    p = await platformApp(t.db, { today: () => today });
    for (const u of ['cable', 'textile', 'industry', 'science', 'shengze', 'songling', 'auditor', 'admin', 'finance']) cookie[u] = await login(p.app, u);
    return () => p.app.close();
  });
  const send = (who: string | null, method: 'GET' | 'POST', url: string, payload?: object) =>
    p.app.inject({ method, url, payload, headers: who ? { cookie: cookie[who] } : {} });
  const file = async (who: string, payload: object) => send(who, 'POST', '/api/service-requests', payload);

  it('routes by category and counts the limits in working days, a Sunday make-up day included', async () => {
    today = '2020-06-24'; // the day before the Dragon Boat holiday (25–27 June 2020, 28 June a working Sunday)
    const res = await file('cable', { category: 'policy', title: '设备投入奖补口径', description: '请问技改设备投入的计算口径？' });
    expect(res.statusCode).toBe(201);
    const r = res.json();
    expect(r).toMatchObject({ unit: 'department:industry-it-bureau', state: 'submitted', filedOn: '2020-06-24', acknowledgeDue: '2020-06-28', answerDue: '2020-06-30' });
    // a local matter goes to the enterprise's own area
    const local = (await file('cable', { category: 'local', title: '厂区门口道路积水', description: '雨天积水影响货车进出' })).json();
    expect(local.unit).toBe('area:shengze');
    // a category with its own limit (land: 5 working days)
    const land = (await file('cable', { category: 'land', title: '用地指标', description: '扩产用地' })).json();
    expect(land.answerDue).toBe('2020-07-02');
  });

  it('refuses bad input field by field and stores nothing; only enterprises file', async () => {
    const before = await countRows(t.db, ['service_requests', 'service_request_events', 'audit_log']);
    const bad = await file('cable', { category: 'nonsense', title: '  ', description: '内容' });
    expect(bad.statusCode).toBeGreaterThanOrEqual(400);
    expect(bad.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['category', 'title']);
    expect((await file('industry', { category: 'policy', title: 't', description: 'd' })).statusCode).toBe(403);
    expect((await send(null, 'POST', '/api/service-requests', { category: 'policy', title: 't', description: 'd' })).statusCode).toBe(401);
    expect(await countRows(t.db, ['service_requests', 'service_request_events', 'audit_log'])).toEqual(before);
  });

  it('walks a request through transfer, a question, escalation, a late answer, a rating and one reopening', async () => {
    today = '2020-06-01';
    const assign = await send('admin', 'POST', '/api/service-liaisons', { uscc: w.enterprises.cable, userId: w.users.shengzeReviewer.id, kind: 'leader' });
    expect(assign.statusCode).toBe(201);
    const r = (await file('cable', { category: 'policy', title: '研发费用认定', description: '研发费用加计扣除年度如何认定？' })).json();
    expect(r.answerDue).toBe('2020-06-04');
    const id = r.id as number;
    const get = (who: string) => send(who, 'GET', `/api/service-requests/${id}`);

    // nobody else learns it exists
    for (const who of ['textile', 'science', 'songling', 'finance', 'admin']) expect((await get(who)).statusCode, who).toBe(404);
    for (const who of ['cable', 'industry', 'shengze', 'auditor']) expect((await get(who)).statusCode, who).toBe(200);
    // the enterprise cannot act for the unit, nor the leader
    expect((await send('cable', 'POST', `/api/service-requests/${id}/answer`, { answer: '自己答复' })).statusCode).toBe(403);
    expect((await send('shengze', 'POST', `/api/service-requests/${id}/answer`, { answer: '领导答复' })).statusCode).toBe(403);

    expect((await send('industry', 'POST', `/api/service-requests/${id}/acknowledge`, {})).json().state).toBe('acknowledged');
    const moved = await send('industry', 'POST', `/api/service-requests/${id}/transfer`, { toUnit: 'department:science-technology-bureau', reason: '研发费用认定属科技局' });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toEqual({ id, visible: false, unit: 'department:science-technology-bureau', unitZh: '区科技局', state: 'submitted' }); // where it went, nothing more
    expect((await get('industry')).statusCode).toBe(404);
    const atScience = (await get('science')).json();
    expect(atScience).toMatchObject({ unit: 'department:science-technology-bureau', state: 'submitted', answerDue: '2020-06-04', transferCount: 1 });
    expect(atScience.events.map((e: { kind: string }) => e.kind)).toEqual(['filed', 'acknowledged', 'transferred']);
    expect(atScience.events[2]).toMatchObject({ fromUnit: 'department:industry-it-bureau', toUnit: 'department:science-technology-bureau', note: '研发费用认定属科技局' });

    // asked on Wednesday with one working day left; the enterprise answers the next Monday: due one working day later
    today = '2020-06-03';
    expect((await send('science', 'POST', `/api/service-requests/${id}/ask-info`, { question: '请提供加计扣除备案表' })).json().state).toBe('awaitingInfo');
    today = '2020-06-08';
    const supplied = (await send('cable', 'POST', `/api/service-requests/${id}/supply-info`, { reply: '已上传备案表' })).json();
    expect(supplied).toMatchObject({ state: 'acknowledged', answerDue: '2020-06-09' });
    const up = multipartBody('备案表.pdf', PDF);
    expect((await p.app.inject({ method: 'POST', url: `/api/service-requests/${id}/files`, payload: up.payload, headers: { ...up.headers, cookie: cookie.cable } })).statusCode).toBe(201);

    // not answered by its due date: red in the unit's queue, escalated to the leader's inbox
    today = '2020-06-10';
    const queue = (await send('science', 'GET', '/api/service-requests')).json();
    expect(queue.items[0]).toMatchObject({ id, overdue: true, escalated: true });
    const inbox = (await send('shengze', 'GET', '/api/inbox')).json();
    expect(inbox.items.some((i: { action: string; requestId: number }) => i.action === 'serviceRequest.escalate' && i.requestId === id)).toBe(true);
    expect((await send('textile', 'GET', '/api/inbox')).json().items.some((i: { requestId?: number }) => i.requestId === id)).toBe(false);
    const liaison = (await send('shengze', 'GET', '/api/service-requests?scope=liaison')).json();
    expect(liaison.items.map((i: { id: number }) => i.id)).toContain(id);

    const answered = (await send('science', 'POST', `/api/service-requests/${id}/answer`, { answer: '按2019、2020年度加计扣除备案认定' })).json();
    // 2–10 June: 7 working days, less the 3 the clock stood (4, 5 and 8 June)
    expect(answered).toMatchObject({ state: 'answered', answeredOnTime: false, workingDays: 4, overdue: false });
    expect((await send('cable', 'GET', '/api/inbox')).json().items.some((i: { action: string }) => i.action === 'serviceRequest.answer')).toBe(true);

    expect((await send('cable', 'POST', `/api/service-requests/${id}/rate`, { rating: 11 })).statusCode).toBe(422);
    expect((await send('cable', 'POST', `/api/service-requests/${id}/rate`, { rating: 3, comment: '答复太晚' })).json()).toMatchObject({ state: 'closed', rating: 3 });
    expect((await send('cable', 'POST', `/api/service-requests/${id}/reopen`, { reason: '  ' })).statusCode).toBeGreaterThanOrEqual(400);
    const reopened = (await send('cable', 'POST', `/api/service-requests/${id}/reopen`, { reason: '未说明2018年度如何处理' })).json();
    expect(reopened).toMatchObject({ state: 'acknowledged', reopenCount: 1, reopensLeft: 0, answerDue: '2020-06-15', escalated: false });
    await send('science', 'POST', `/api/service-requests/${id}/answer`, { answer: '2018年度不在政策期内' });
    const again = await send('cable', 'POST', `/api/service-requests/${id}/reopen`, { reason: '还是不满意' });
    expect(again.json().code).toBe('reopen_limit');
    expect((await send('cable', 'POST', `/api/service-requests/${id}/rate`, { rating: 4 })).json().state).toBe('closed');
  });

  it('answers on the due date are on time, the day after late; figures per unit and the public copy carry no names', async () => {
    today = '2020-07-06';
    const a = (await file('textile', { category: 'trade', title: '出口信保', description: '出口信用保险补贴' })).json();
    const b = (await file('textile', { category: 'trade', title: '展会补贴', description: '境外展会补贴' })).json();
    expect(a.answerDue).toBe('2020-07-09');
    // the commerce bureau has no account in the fixture: the requests are put with the industry bureau directly
    for (const id of [a.id, b.id]) {
      await t.db.updateTable('service_requests').set({ unit_id: 'industry-it-bureau' }).where('id', '=', id).execute();
    }
    today = '2020-07-09';
    expect((await send('industry', 'POST', `/api/service-requests/${a.id}/answer`, { answer: '可申请' })).json().answeredOnTime).toBe(true);
    today = '2020-07-10';
    expect((await send('industry', 'POST', `/api/service-requests/${b.id}/answer`, { answer: '可申请' })).json().answeredOnTime).toBe(false);
    await send('textile', 'POST', `/api/service-requests/${a.id}/rate`, { rating: 4 });
    await send('textile', 'POST', `/api/service-requests/${b.id}/rate`, { rating: 3 });

    const figures = (await send('industry', 'GET', '/api/service-requests/figures?by=unit&from=2020-07-01')).json();
    const industry = figures.rows.find((r: { key: string }) => r.key === 'department:industry-it-bureau');
    expect(industry).toMatchObject({ received: 2, answered: 2, answeredOnTime: 1, closeRate: 100, rated: 2, satisfied: 1, satisfactionRate: 50, averageWorkingDays: 3.5 });
    const pub = await send(null, 'GET', '/api/public/service-requests/figures?by=category');
    expect(pub.statusCode).toBe(200);
    expect(pub.body).not.toContain('丝韵');
    expect(pub.body).not.toContain(w.enterprises.textile);
    expect(pub.json().rows.map((r: { key: string }) => r.key)).toContain('trade');
    expect((await send('cable', 'GET', '/api/service-requests/figures')).statusCode).toBe(403);
  });

  it('lists show each caller only its own', async () => {
    const ids = async (who: string) => { const res = await send(who, 'GET', '/api/service-requests?pageSize=50'); if (res.statusCode !== 200) console.log(who, res.body); return res.json().items as Array<{ enterpriseUscc: string; unit: string }>; };
    expect((await ids('cable')).every((r) => r.enterpriseUscc === w.enterprises.cable)).toBe(true);
    expect((await ids('textile')).every((r) => r.enterpriseUscc === w.enterprises.textile)).toBe(true);
    expect((await ids('science')).every((r) => r.unit === 'department:science-technology-bureau')).toBe(true);
    expect((await ids('songling')).length).toBe(0);
    expect((await ids('auditor')).length).toBeGreaterThan(3);
    expect((await send('finance', 'GET', '/api/service-requests')).statusCode).toBe(403);
  });
});

describe('service-desk.yaml', () => {
  it('loads, quotes measure 21 verbatim and routes every category to a known unit', () => {
    const rules = loadServiceDeskRules();
    expect(rules.requests.categories.length).toBeGreaterThan(5);
    expect(rules.requests.limits.from).toBe('district');
  });
  it('refuses a unit that is not an agency, and a clause not in the text, naming the line', () => {
    const dir = new URL('../../policies/wujiang-2020-open/', import.meta.url).pathname;
    const tmp = fs.mkdtempSync(`${os.tmpdir()}/sd-`);
    const text = fs
      .readFileSync(`${dir}service-desk.yaml`, 'utf8')
      .replace('unit: industry-it-bureau', 'unit: ministry-of-magic')
      .replace('意见看得到、诉求办得到', '意见看得到、诉求全办到');
    fs.writeFileSync(`${tmp}/service-desk.yaml`, text);
    for (const f of ['source.txt', 'agencies.yaml', 'targets.yaml']) fs.copyFileSync(`${dir}${f}`, `${tmp}/${f}`);
    try {
      loadServiceDeskRules(tmp);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(KaifangError);
      expect((e as KaifangError).messageEn).toContain('ministry-of-magic');
      expect((e as KaifangError).messageEn).toContain('requests.clause');
    }
  });
});
