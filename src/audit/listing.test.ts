import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { appendAudit } from './audit-log.ts';
import { browseAuditTrail, claimAuditTrail, exportAuditTrail, listAuditRecords } from './listing.ts';
import { sql } from 'kysely';

describeDatabases('audit listing', (t) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(t.db);
    for (let i = 1; i <= 5; i++) await appendAudit(t.db, { userId: w.users.cable.id, name: 'cable', ip: '10.0.0.1' }, { action: i % 2 ? 'claim.submit' : 'claim.read', entity: 'claim', entityId: 7, details: { i } });
    await appendAudit(t.db, { userId: null, name: 'system' }, { action: 'claim_like.other', entity: 'claim', entityId: 8 });
  });

  it('auditors and admins read it, newest first, filtered and paginated', async () => {
    const page = await listAuditRecords(t.db, w.users.auditor, { entity: 'claim', entityId: '7' }, 1, 2);
    expect(page.total).toBe(5);
    expect(page.items.map((i) => i.details)).toEqual([{ i: 5 }, { i: 4 }]);
    expect((await listAuditRecords(t.db, w.users.admin, { entity: 'claim', entityId: '7' }, 3, 2)).items.map((i) => i.details)).toEqual([{ i: 1 }]);
    expect((await listAuditRecords(t.db, w.users.auditor, { action: 'claim.read' })).total).toBe(2);
    // a prefix matches whole segments only: '_' is not a wildcard
    expect((await listAuditRecords(t.db, w.users.auditor, { action: 'claim.' })).total).toBe(5);
    expect((await listAuditRecords(t.db, w.users.auditor, { actorUserId: w.users.cable.id, entity: 'claim' })).total).toBe(5);
  });

  it('nobody else does', async () => {
    for (const u of [w.users.cable, w.users.shengzeReviewer, w.users.industryReviewer, w.users.finance]) {
      await expect(listAuditRecords(t.db, u, {})).rejects.toMatchObject({ code: 'forbidden' });
    }
  });

  it("a claim's trail reads oldest first; an unknown claim is not found", async () => {
    await t.db.insertInto('claims').values({ enterprise_uscc: w.enterprises.cable, area_id: 'shengze', policy_id: 'p', measure_id: '16', incentive_id: 'x', year: 2020 }).execute();
    const id = (await t.db.selectFrom('claims').select('id').executeTakeFirstOrThrow()).id;
    await appendAudit(t.db, { userId: null, name: 'system' }, { action: 'claim.create', entity: 'claim', entityId: id });
    const trail = await claimAuditTrail(t.db, w.users.auditor, id);
    expect(trail.items.map((i) => i.action)).toEqual(['claim.create']);
    await expect(claimAuditTrail(t.db, w.users.auditor, id + 99)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describeDatabases('the whole audit trail: filters, seek paging, readings', (t) => {
  let w: World;
  const agencies = new Map([['industry-it-bureau', { name: '区工信局', nameEn: 'Industry Bureau' }]]);
  const at = (iso: string) => new Date(iso);
  beforeAll(async () => {
    w = await createWorld(t.db);
    const put = (when: string, actor: { id: number; username: string } | null, action: string, entity: string, entityId: string | null, ip: string | null, details: Record<string, unknown> = {}) =>
      sql`insert into audit_log (at, actor, actor_user_id, action, entity, entity_id, ip, details)
          values (${at(when)}, ${actor?.username ?? 'system'}, ${actor?.id ?? null}, ${action}, ${entity}, ${entityId}, ${ip}, ${JSON.stringify(details)}::jsonb)`.execute(t.db);
    // 2020-06-01 00:30 in Shanghai is still 2020-05-31 in UTC: the date filter must read Shanghai days
    await put('2020-05-31T16:30:00Z', w.users.industryReviewer, 'claim.departmentReview.decide', 'claim', '12', '10.1.2.3', { amountFen: 30_000_000 });
    await put('2020-06-01T15:59:00Z', w.users.shengzeReviewer, 'claim.firstReview.return', 'claim', '13', '10.1.9.9', { reason: '缺少发票' });
    await put('2020-06-01T16:00:00Z', w.users.finance, 'claim.pay', 'claim', '12', '192.168.0.5');
    await put('2020-06-03T02:00:00Z', null, 'user.create', 'user', String(w.users.cable.id), null, { username: 'cable' });
    for (let i = 0; i < 7; i++) await put('2020-06-04T02:00:00Z', w.users.auditor, 'claim.read', 'claim', '12', '10.2.0.1');
  });

  it('reads each record as a sentence: unit, name, what was done to what', async () => {
    const created = await browseAuditTrail(t.db, w.users.auditor, agencies, { actions: ['user.create'], entityId: String(w.users.cable.id), limit: 1 });
    expect(created.items[0].summaryZh).toBe('平台 system 创建了用户 长缆光通信（cable）');
    const page = await browseAuditTrail(t.db, w.users.auditor, agencies, { actions: ['claim.departmentReview.decide', 'claim.firstReview.return'] });
    expect(page.items.map((i) => i.summaryZh)).toEqual([
      '盛泽镇 盛泽镇经发局 在区镇初审中退回了申报 #13，理由：缺少发票',
      '区工信局 通过了申报 #12 的部门审核并核定金额（30万元）' // the unit and the user's name, said once when they are the same,
    ]);
    expect(page.items[1]).toMatchObject({ actionZh: '部门审核通过并核定', actionEn: 'Department review passed and decided', domain: 'review', actorView: { unitZh: '区工信局', role: 'departmentReviewer' } });
    expect(page.items[1].summaryEn).toBe('Industry Bureau 区工信局 passed claim #12 at the department review and decided its amount (300,000 yuan)');
  });

  it('pages by seeking from the last id, says whether more follow, and never counts', async () => {
    const first = await browseAuditTrail(t.db, w.users.auditor, agencies, { actions: ['claim.read'], limit: 3 });
    expect(first).toMatchObject({ more: true, limit: 3 });
    expect(first).not.toHaveProperty('total');
    const second = await browseAuditTrail(t.db, w.users.auditor, agencies, { actions: ['claim.read'], limit: 3, before: first.next! });
    const third = await browseAuditTrail(t.db, w.users.auditor, agencies, { actions: ['claim.read'], limit: 3, before: second.next! });
    expect([first.items.length, second.items.length, third.items.length]).toEqual([3, 3, 1]);
    expect(third).toMatchObject({ more: false, next: null });
    const all = [...first.items, ...second.items, ...third.items].map((i) => i.id);
    expect(new Set(all).size).toBe(7);
    expect(all).toEqual([...all].sort((a, b) => b - a));
  });

  it('filters by actor, action prefix, entity, Shanghai dates and address', async () => {
    const actions = async (q: Parameters<typeof browseAuditTrail>[3]) => (await browseAuditTrail(t.db, w.users.auditor, agencies, q)).items.map((i) => i.action);
    expect(await actions({ actor: 'finance' })).toEqual(['claim.pay']);
    expect(await actions({ actionPrefix: 'claim.departmentReview.' })).toEqual(['claim.departmentReview.decide']);
    expect(await actions({ entity: 'claim', entityId: '13' })).toEqual(['claim.firstReview.return']);
    // 2020-06-01 in Shanghai: from 2020-05-31T16:00Z up to 2020-06-01T16:00Z (excluded)
    expect(await actions({ from: '2020-06-01', to: '2020-06-01' })).toEqual(['claim.firstReview.return', 'claim.departmentReview.decide']);
    expect(await actions({ from: '2020-06-02', to: '2020-06-03' })).toEqual(['user.create', 'claim.pay']);
    expect(await actions({ from: '2020-06-04' })).not.toContain('claim.pay');
    expect(await actions({ ip: '10.1.2.3' })).toEqual(['claim.departmentReview.decide']);
    expect(await actions({ ip: '10.1.' })).toEqual(['claim.firstReview.return', 'claim.departmentReview.decide']);
    expect(await actions({ ip: '10.1.2' })).toEqual([]); // exact unless it ends in '.' or ':'
  });

  it('refuses a bad filter, naming the field, and anyone but auditors and admins', async () => {
    await expect(browseAuditTrail(t.db, w.users.auditor, agencies, { from: '2020-06-05', to: '2020-06-01' })).rejects.toMatchObject({ code: 'invalid_date_range', path: 'to' });
    await expect(browseAuditTrail(t.db, w.users.auditor, agencies, { from: '2020-02-30' })).rejects.toMatchObject({ path: 'from' });
    for (const u of [w.users.cable, w.users.industryReviewer, w.users.finance]) await expect(browseAuditTrail(t.db, u, agencies, {})).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('exports in batches up to a bound, and says when more matched', async () => {
    const batches: number[] = [];
    const gen = exportAuditTrail(t.db, w.users.auditor, agencies, { actions: ['claim.read'] }, 5, 2);
    let step = await gen.next();
    while (!step.done) {
      batches.push(step.value.length);
      step = await gen.next();
    }
    expect(batches).toEqual([2, 2, 1]);
    expect(step.value).toEqual({ truncated: true });
    const whole = exportAuditTrail(t.db, w.users.auditor, agencies, { actions: ['claim.read'] }, 7, 3);
    let s = await whole.next();
    while (!s.done) s = await whole.next();
    expect(s.value).toEqual({ truncated: false });
  });
});
