// The audit page's endpoints: the trail a page at a time, the catalogue, the Excel export (bounded), the chain check as
// a job with its head hash; and the inbox endpoints (count, seen) and queue timing over HTTP.
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createWorld, type World } from '../../claims/fixture.ts';
import { createClaim } from '../../claims/claims.ts';
import { submitClaim } from '../../claims/workflow.ts';
import { describeDatabases } from '../../db/test-databases.ts';
import { login, platformApp, type TestPlatform } from '../test-support.ts';

describeDatabases('audit trail and inbox over HTTP', (t) => {
  let p: TestPlatform;
  let w: World;
  const cookies: Record<string, string> = {};
  const call = (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) => p.app.inject({ method, url, payload: payload as never, headers: { cookie: cookies[who] } });
  let claimId: number;

  beforeAll(async () => {
    w = await createWorld(t.db);
    process.env.KAIFANG_AUDIT_EXPORT_MAX_ROWS = '5';
    p = await platformApp(t.db, { today: () => '2021-03-01' });
    delete process.env.KAIFANG_AUDIT_EXPORT_MAX_ROWS;
    for (const u of ['auditor', 'admin', 'shengze', 'songling', 'cable', 'finance']) cookies[u] = await login(p.app, u);
    claimId = (await createClaim(p.ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, item: 'HTTP 收件箱', facts: { equipmentInvestment: '2000万元' } })).id;
    await submitClaim(p.ctx, w.users.cable, claimId);
  });
  afterAll(() => p?.app.close());

  it('pages the trail with before/next and filters by action and date', async () => {
    const first = (await call('auditor', 'GET', '/api/audit?action=auth.login&pageSize=2')).json();
    expect(first.items).toHaveLength(2);
    expect(first).toMatchObject({ more: true, limit: 2 });
    expect(first.items[0]).toMatchObject({ action: 'auth.login', actionZh: '登录' });
    const second = (await call('auditor', 'GET', `/api/audit?action=auth.login&pageSize=2&before=${first.next}`)).json();
    expect(second.items[0].id).toBeLessThan(first.items[1].id);
    const submitted = (await call('auditor', 'GET', '/api/audit?action=claim.submit,claim.create&from=2000-01-01')).json();
    expect(submitted.items.map((i: { action: string }) => i.action)).toEqual(['claim.submit', 'claim.create']);
    expect(submitted.items[0].summaryZh).toBe(`苏州长缆光通信有限公司 长缆光通信 提交了申报 #${claimId}`);
    const bad = await call('auditor', 'GET', '/api/audit?from=2021-03-05&to=2021-03-01');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toMatchObject({ path: 'to', code: 'invalid_date_range' });
    expect((await call('auditor', 'GET', '/api/audit?from=2021-3-1')).json().errors[0].path).toBe('querystring.from');
  });

  it('serves the catalogue of actions grouped by domain', async () => {
    const cat = (await call('admin', 'GET', '/api/audit/actions')).json();
    expect(cat.domains.map((d: { id: string }) => d.id)).toContain('review');
    expect(cat.actions).toEqual(expect.arrayContaining([{ action: 'claim.firstReview.return', domain: 'review', zh: '初审退回修改', en: 'Returned at first review', legacy: false }]));
  });

  it('exports the filtered trail as Excel, at most the bound, with a message that more matched', async () => {
    const res = await call('auditor', 'GET', '/api/audit/export.xlsx?action=auth.login');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('审计日志')!;
    const rows = ws.getSheetValues().filter(Boolean) as unknown[][];
    expect(rows[0]).toContain('说明');
    expect(rows).toHaveLength(1 + 5 + 1); // header, the bound, the message
    expect(String(rows[6][7])).toContain('仅导出了最新的 5 条');
    expect(rows[1]).toContain('登录');
    const none = await call('auditor', 'GET', '/api/audit/export.xlsx?action=claim.pay');
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(none.rawPayload as unknown as ArrayBuffer);
    expect(String((wb2.getWorksheet('审计日志')!.getSheetValues()[2] as unknown[])[7])).toContain('没有符合筛选条件');
    // a bad filter is a problem answer, not a broken file
    expect((await call('auditor', 'GET', '/api/audit/export.xlsx?from=2021-03-05&to=2021-03-01')).statusCode).toBe(422);
    expect((await call('finance', 'GET', '/api/audit/export.xlsx')).statusCode).toBe(403);
  });

  it('checks the chain as a job and gives the head seq and hash to write down', async () => {
    const started = await call('auditor', 'POST', '/api/audit/verify', {});
    expect(started.statusCode).toBe(202);
    expect(started.json()).toMatchObject({ anchorKeyConfigured: false, job: { startedBy: 'auditor' } });
    let job = started.json().job;
    for (let i = 0; i < 200 && job.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      job = (await call('auditor', 'GET', '/api/audit/verify')).json().job;
    }
    expect(job.state).toBe('done');
    const head = (await sql<{ seq: number; hash: string }>`select seq, hash from audit_log where seq is not null order by seq desc limit 1`.execute(t.db)).rows[0];
    expect(job.result).toMatchObject({ ok: true, headSeq: Number(head.seq), headHash: head.hash, pending: { count: 0 } });
    expect(job.verified).toBe(Number(head.seq));
    expect((await call('finance', 'POST', '/api/audit/verify', {})).statusCode).toBe(403);
  });

  it('inbox: the area sees the submission, another area does not; seen clears the count', async () => {
    const count = (who: string) => call(who, 'GET', '/api/inbox/count').then((r) => r.json());
    expect(await count('shengze')).toEqual({ unseen: 1, unseenMore: false });
    expect(await count('songling')).toEqual({ unseen: 0, unseenMore: false });
    const inbox = (await call('shengze', 'GET', '/api/inbox')).json();
    expect(inbox.items[0]).toMatchObject({ action: 'claim.submit', claimId, unseen: true });
    expect((await call('songling', 'GET', '/api/inbox')).json().items).toEqual([]);
    expect((await call('shengze', 'POST', '/api/inbox/seen', { upTo: inbox.items[0].id })).json()).toEqual({ seenId: inbox.items[0].id });
    expect(await count('shengze')).toEqual({ unseen: 0, unseenMore: false });
    expect((await call('shengze', 'POST', '/api/inbox/seen', { upTo: -1 })).statusCode).toBe(422);
  });

  it('queue timing answers claims in scope only and refuses a bad list', async () => {
    const mine = (await call('shengze', 'GET', `/api/work/timing?claimIds=${claimId},999999`)).json();
    expect(mine.items).toEqual([expect.objectContaining({ claimId, kind: 'reviewWaiting', workingDays: 0 })]);
    expect((await call('songling', 'GET', `/api/work/timing?claimIds=${claimId}`)).json().items).toEqual([]);
    const bad = await call('shengze', 'GET', '/api/work/timing?claimIds=1,x');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('querystring.claimIds');
  });
});
