// 帮办代办 on both databases, over HTTP: the catalogue is public; an enterprise asks for help with an item, which goes
// to the item's unit (its own area for 企业开办, 区科技局 for 高企认定); the unit assigns one of its officials as agent
// (not someone else's); the agent records the item's steps once each and the result; the enterprise follows them;
// nobody else learns the case exists.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { login, platformApp, type TestPlatform } from '../http/test-support.ts';

describeDatabases('assistance (帮办代办)', (t) => {
  let p: TestPlatform;
  let w: World;
  const cookie: Record<string, string> = {};
  beforeAll(async () => {
    w = await createWorld(t.db, 26);
    p = await platformApp(t.db, { today: () => '2020-06-01' });
    for (const u of ['cable', 'textile', 'shengze', 'songling', 'industry', 'science', 'auditor']) cookie[u] = await login(p.app, u);
    return () => p.app.close();
  });
  const send = (who: string | null, method: 'GET' | 'POST', url: string, payload?: object) => p.app.inject({ method, url, payload, headers: who ? { cookie: cookie[who] } : {} });

  it('publishes the catalogue without sign-in, each item with its unit and steps', async () => {
    const res = await send(null, 'GET', '/api/public/assistance/catalogue');
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Array<{ id: string; unitZh: string; steps: unknown[] }>;
    expect(items.find((i) => i.id === 'company-setup')).toMatchObject({ unitZh: '企业所在区镇' });
    expect(items.every((i) => i.steps.length > 0)).toBe(true);
  });

  it('routes to the item unit; the unit assigns its own official; the agent records steps and the result', async () => {
    expect((await send('cable', 'POST', '/api/assistance', { item: 'nonsense' })).json().errors[0].path).toBe('item');
    expect((await send('shengze', 'POST', '/api/assistance', { item: 'company-setup' })).statusCode).toBe(403);
    const tech = (await send('cable', 'POST', '/api/assistance', { item: 'tech-enterprise-recognition' })).json();
    expect(tech.unitZh).toBe('区科技局');
    const c = (await send('cable', 'POST', '/api/assistance', { item: 'company-setup', note: '新设子公司' })).json();
    expect(c).toMatchObject({ unitZh: expect.stringContaining('盛泽'), state: 'requested' });
    for (const who of ['textile', 'songling', 'industry', 'science']) expect((await send(who, 'GET', `/api/assistance/${c.id}`)).statusCode, who).toBe(404);
    expect((await send('shengze', 'GET', '/api/assistance')).json().items.map((x: { id: number }) => x.id)).toEqual([c.id]);
    // another unit's official cannot be the agent
    expect((await send('shengze', 'POST', `/api/assistance/${c.id}/assign`, { agentUserId: w.users.industryReviewer.id })).json().errors[0].path).toBe('agentUserId');
    expect((await send('shengze', 'POST', `/api/assistance/${c.id}/assign`, {})).json()).toMatchObject({ state: 'assigned', agent: '盛泽镇经发局' });
    expect((await send('cable', 'POST', `/api/assistance/${c.id}/progress`, { step: 'consult' })).statusCode).toBe(403);
    expect((await send('shengze', 'POST', `/api/assistance/${c.id}/progress`, { step: 'flying' })).json().errors[0].path).toBe('step');
    expect((await send('shengze', 'POST', `/api/assistance/${c.id}/progress`, { step: 'consult', note: '已电话辅导' })).statusCode).toBe(200);
    expect((await send('shengze', 'POST', `/api/assistance/${c.id}/progress`, { step: 'consult' })).json().errors[0].code).toBe('duplicate');
    const done = (await send('shengze', 'POST', `/api/assistance/${c.id}/progress`, { result: '营业执照、印章、发票已办结' })).json();
    expect(done).toMatchObject({ state: 'done', result: '营业执照、印章、发票已办结', doneOn: '2020-06-01' });
    const seen = (await send('cable', 'GET', `/api/assistance/${c.id}`)).json();
    expect(seen.steps[0]).toMatchObject({ id: 'consult', doneOn: '2020-06-01', note: '已电话辅导' });
    expect(seen.steps[1]).toMatchObject({ doneOn: null });
    expect((await send('cable', 'GET', '/api/inbox')).json().items.some((i: { action: string }) => i.action === 'assistance.done')).toBe(true);
    expect((await send('auditor', 'GET', `/api/assistance/${c.id}`)).statusCode).toBe(200);
  });
});
