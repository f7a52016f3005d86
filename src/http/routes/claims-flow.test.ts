// The whole life of a claim through HTTP with real login cookies: facts on file and entitlements, a draft with
// an idempotency key, evidence, submission, 初审, the decision, 公示 with an objection, payment, the exports,
// the ledger, the overview and the audit trail. Bad input is a problem+json naming the field and stores nothing.
import { beforeAll, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { describeDatabases } from '../../db/test-databases.ts';
import { sealAuditChain, verifyAuditChain } from '../../audit/audit-log.ts';
import { createWorld, type World } from '../../claims/fixture.ts';
import { countRows, login, multipartBody, PDF, PNG, platformApp, type TestPlatform } from '../test-support.ts';

const WAN = 1_000_000; // 1万元 in fen

async function readWorkbook(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb.worksheets[0];
}

describeDatabases('http claim flow', (t) => {
  let p: TestPlatform;
  let w: World;
  let today = '2021-03-01';
  const as: Record<string, string> = {};
  beforeAll(async () => {
    today = '2021-03-01';
    w = await createWorld(t.db);
    p = await platformApp(t.db, { today: () => today, config: { maxEvidenceBytes: 64 * 1024 } });
    for (const u of ['cable', 'textile', 'shengze', 'songling', 'industry', 'science', 'finance', 'auditor', 'admin']) as[u] = await login(p.app, u);
    return () => p.app.close();
  });

  const call = (who: string, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    p.app.inject({ method: method as 'GET', url, payload: payload as object, headers: { ...(who ? { cookie: as[who] } : {}), ...headers } });

  let claimId = 0;

  it('keeps facts on file and shows what they entitle the enterprise to', async () => {
    const put = await call('cable', 'PUT', `/api/enterprises/${w.enterprises.cable}/facts/2020`, { facts: { rdExpense: '500万元', rdExpensePriorYear: '300万元', rdSuperDeductionYears: [2019, 2020] } });
    expect(put.statusCode, put.body).toBe(200);
    const got = await call('cable', 'GET', `/api/enterprises/${w.enterprises.cable}/facts/2020`);
    expect(got.json().facts).toEqual(put.json().facts);
    const ent = await call('cable', 'GET', `/api/enterprises/${w.enterprises.cable}/entitlements?year=2020`);
    expect(ent.statusCode).toBe(200);
    expect(ent.json()).toMatchObject({ year: 2020, enterprise: { uscc: w.enterprises.cable } });
    // the scan finds measure 10's R&D growth reward from the facts alone: (500万 − 300万) × 6%
    expect(ent.json().entitlements).toEqual([expect.objectContaining({ incentive: 'rd-expense-growth', implicit: true, status: 'eligible', amountFen: 12 * WAN })]);
    // a fact the policy does not know is refused, naming it; nothing is stored
    const bad = await call('cable', 'PUT', `/api/enterprises/${w.enterprises.cable}/facts/2020`, { facts: { colour: 'red' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toMatchObject({ path: 'facts.colour', code: 'unknown_fact' });
    expect((await call('cable', 'GET', `/api/enterprises/${w.enterprises.cable}/facts/2020`)).json().facts).toEqual(put.json().facts);
    // another enterprise may not write them, and officials only read
    expect((await call('textile', 'PUT', `/api/enterprises/${w.enterprises.cable}/facts/2020`, { facts: {} })).statusCode).toBe(404);
    expect((await call('shengze', 'PUT', `/api/enterprises/${w.enterprises.cable}/facts/2020`, { facts: {} })).statusCode).toBe(403);
    expect((await call('shengze', 'GET', `/api/enterprises/${w.enterprises.cable}/facts/2020`)).statusCode).toBe(200);
  });

  it('creates a draft once per idempotency key', async () => {
    const draft = { incentive: 'equipment-investment', year: 2020, item: '光纤预制棒扩产项目', facts: { equipmentInvestment: '2500万元' } };
    const before = await countRows(t.db, ['claims', 'audit_log']);
    const first = await call('cable', 'POST', '/api/claims', draft, { 'idempotency-key': 'create-1' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ state: 'draft', enterpriseUscc: w.enterprises.cable, incentive: 'equipment-investment', measure: '16', measureId: '16' });
    claimId = first.json().id;
    const again = await call('cable', 'POST', '/api/claims', draft, { 'idempotency-key': 'create-1' });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const after = await countRows(t.db, ['claims', 'audit_log']);
    expect(after.claims).toBe(before.claims + 1);
    expect(after.audit_log).toBe(before.audit_log + 1);
    const other = await call('cable', 'POST', '/api/claims', { ...draft, item: '另一个项目' }, { 'idempotency-key': 'create-1' });
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe('idempotency_conflict');
    expect((await countRows(t.db, ['claims'])).claims).toBe(after.claims);
    // the key is the user's own: another user's key of the same name is another key
    const theirs = await call('textile', 'POST', '/api/claims', { ...draft, item: '织机' }, { 'idempotency-key': 'create-1' });
    expect(theirs.statusCode).toBe(201);
  });

  it('bad input is 422 problem+json with the path of each bad field, and nothing is stored', async () => {
    const before = await countRows(t.db, ['claims', 'audit_log', 'idempotency_keys']);
    const unknownField = await call('cable', 'POST', '/api/claims', { incentive: 'equipment-investment', year: 2020, colour: 'red' }, { 'idempotency-key': 'bad-1' });
    expect(unknownField.statusCode).toBe(422);
    expect(unknownField.headers['content-type']).toContain('application/problem+json');
    expect(unknownField.json().errors[0]).toMatchObject({ path: 'body.colour', code: 'schema_additionalProperties' });
    const badFacts = await call('cable', 'POST', '/api/claims', { incentive: 'equipment-investment', year: 2020, item: 'x', facts: { equipmentInvestment: -1 } }, { 'idempotency-key': 'bad-2' });
    expect(badFacts.statusCode).toBe(422);
    expect(badFacts.json().errors[0]).toMatchObject({ path: 'facts.equipmentInvestment', code: 'negative' });
    expect(badFacts.json().errors[0].messageZh).toContain('不能为负数');
    expect(badFacts.json().errors[0].messageEn).toContain('negative');
    const wrongType = await call('cable', 'POST', '/api/claims', { incentive: 'equipment-investment', year: '2020' });
    expect(wrongType.json().errors[0]).toMatchObject({ path: 'body.year', code: 'schema_type' });
    const badDate = await call('cable', 'PATCH', `/api/claims/${claimId}`, { date: '2020-02-30' });
    expect(badDate.statusCode).toBe(422);
    expect(badDate.json().errors[0].path).toBe('date');
    const badId = await call('cable', 'GET', '/api/claims/abc');
    expect(badId.statusCode).toBe(422);
    expect(badId.json().errors[0].path).toBe('params.id');
    expect(await countRows(t.db, ['claims', 'audit_log', 'idempotency_keys'])).toEqual(before);
  });

  it('takes evidence: type by extension and content, size limit, one copy per content; officials download it', async () => {
    const upload = (name: string, data: Buffer, who = 'cable', key?: string) => {
      const m = multipartBody(name, data);
      return p.app.inject({ method: 'POST', url: `/api/claims/${claimId}/evidence`, payload: m.payload, headers: { ...m.headers, cookie: as[who], ...(key ? { 'idempotency-key': key } : {}) } });
    };
    const first = await upload('设备发票.pdf', PDF, 'cable', 'ev-1');
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ fileName: '设备发票.pdf', mimeType: 'application/pdf', sizeBytes: PDF.length, created: true });
    expect(first.json().sha256).toMatch(/^[0-9a-f]{64}$/);
    const replay = await upload('设备发票.pdf', PDF, 'cable', 'ev-1');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    const sameContent = await upload('copy.pdf', PDF);
    expect(sameContent.statusCode).toBe(200);
    expect(sameContent.json()).toMatchObject({ id: first.json().id, created: false });

    const before = await countRows(t.db, ['claim_evidence', 'audit_log']);
    const exe = await upload('setup.exe', Buffer.from('MZ\x90\x00'));
    expect(exe.statusCode).toBe(415);
    expect(exe.json().errors[0]).toMatchObject({ path: 'file', code: 'unsupported_media_type' });
    const disguised = await upload('invoice.pdf', PNG);
    expect(disguised.statusCode).toBe(415);
    expect(disguised.json().messageZh).toContain('不是PDF格式');
    const big = await upload('scan.png', Buffer.concat([PNG, Buffer.alloc(70 * 1024)]));
    expect(big.statusCode).toBe(413);
    expect(big.json().errors[0]).toMatchObject({ path: 'file', code: 'payload_too_large' });
    expect((await upload('x.pdf', PDF, 'textile')).statusCode).toBe(404); // another enterprise's claim does not exist for it
    expect((await upload('x.pdf', PDF, 'shengze')).statusCode).toBe(403); // officials read, the enterprise uploads
    expect(await countRows(t.db, ['claim_evidence', 'audit_log'])).toEqual(before);

    const dl = await call('shengze', 'GET', `/api/claims/${claimId}/evidence/${first.json().id}`);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('设备发票.pdf')}`);
    expect(dl.rawPayload.equals(PDF)).toBe(true);
    const read = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'evidence.read').where('actor_user_id', '=', w.users.shengzeReviewer.id).execute();
    expect(read).toHaveLength(1);
    expect((await call('songling', 'GET', `/api/claims/${claimId}/evidence/${first.json().id}`)).statusCode).toBe(404);
  });

  it('submits, passes 初审 and the decision, with the engine deciding the amount', async () => {
    expect((await call('cable', 'POST', `/api/claims/${claimId}/submit`, {}, { 'idempotency-key': 'submit-1' })).json()).toMatchObject({ state: 'submitted' });
    const replay = await call('cable', 'POST', `/api/claims/${claimId}/submit`, {}, { 'idempotency-key': 'submit-1' });
    expect(replay.statusCode).toBe(200); // the stored answer, not invalid_state
    const noReason = await call('shengze', 'POST', `/api/claims/${claimId}/review`, { action: 'return' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().errors[0]).toMatchObject({ path: 'reason', code: 'reason_required' });
    const detail = await call('shengze', 'GET', `/api/claims/${claimId}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().allowedActions).toEqual(['pass', 'return', 'reject']);
    expect(detail.json().evidence[0].url).toBe(`/api/claims/${claimId}/evidence/${detail.json().evidence[0].id}`);
    const reads = await t.db.selectFrom('audit_log').select('action').where('entity', '=', 'claim').where('entity_id', '=', String(claimId)).where('action', '=', 'claim.read').execute();
    expect(reads.length).toBeGreaterThan(0);
    expect((await call('shengze', 'POST', `/api/claims/${claimId}/review`, { action: 'pass' })).json()).toMatchObject({ state: 'departmentReview' });
    const decided = await call('industry', 'POST', `/api/claims/${claimId}/review`, { action: 'pass' }, { 'idempotency-key': 'decide-1' });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json()).toMatchObject({ state: 'publicity', decision: { amountFen: 300 * WAN } });
    const again = await call('industry', 'POST', `/api/claims/${claimId}/review`, { action: 'pass' }, { 'idempotency-key': 'decide-1' });
    expect(again.json().decision.ledgerEntryId).toBe(decided.json().decision.ledgerEntryId);
    expect((await countRows(t.db, ['decisions'])).decisions).toBe(1);
  });

  it('publishes the 公示 list, records and resolves an objection, closes after the period', async () => {
    const res = await call('industry', 'POST', '/api/publicity', { title: '2020年度设备投入奖补公示', claimIds: [claimId], startsOn: '2021-03-01' }, { 'idempotency-key': 'pub-1' });
    expect(res.statusCode, res.body).toBe(201);
    const batchId = res.json().id;
    expect(res.json().endsOn).toBe('2021-03-07');
    const list = await call('cable', 'GET', '/api/publicity');
    expect(list.json()).toMatchObject({ total: 1, page: 1, items: [{ id: batchId, status: 'running', itemCount: 1, totalFen: 300 * WAN }] });
    today = '2021-03-03'; // an objection is recorded on or after the day it was received, inside the period
    const o = await call('industry', 'POST', `/api/publicity/${batchId}/objections`, { claimId, objector: '张三', contact: '138', content: '设备是否为新设备？', receivedOn: '2021-03-03' });
    expect(o.statusCode, o.body).toBe(201);
    expect((await call('industry', 'GET', `/api/publicity/${batchId}`)).json().objections).toHaveLength(1);
    expect((await call('cable', 'GET', `/api/publicity/${batchId}`)).json().objections).toEqual([]); // objectors' names stay with officials
    today = '2021-03-08';
    const early = await call('industry', 'POST', `/api/publicity/${batchId}/close`, {});
    expect(early.statusCode).toBe(409); // an objection is open
    expect((await call('industry', 'POST', `/api/objections/${o.json().id}/resolve`, { outcome: 'dismissed', resolution: '经核实为新购设备' })).statusCode).toBe(200);
    const closed = await call('industry', 'POST', `/api/publicity/${batchId}/close`, {});
    expect(closed.json()).toMatchObject({ approved: [claimId], rejected: [] });

    const xlsx = await call('finance', 'GET', `/api/publicity/${batchId}/export.xlsx`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const ws = await readWorkbook(xlsx.rawPayload);
    expect(ws.getCell('A1').value).toBe('2020年度设备投入奖补公示');
    expect(ws.getRow(3).values).toEqual([undefined, '序号', '企业名称', '统一社会信用代码', '所属区镇', '政策条款', '奖励项目', '申报事项', '拟奖励金额（元）']);
    expect(ws.getCell('B4').value).toBe('苏州长缆光通信有限公司');
    expect(ws.getCell('H4').value).toBe(3_000_000);
    expect(ws.getCell('H4').numFmt).toBe('#,##0.00');
    expect((ws.getCell('H5').value as { result: number }).result).toBe(3_000_000);
  });

  it('finance pays once, with the voucher; the list and the Excel batch follow', async () => {
    const awaiting = await call('finance', 'GET', '/api/payments?status=awaiting');
    expect(awaiting.json().items).toEqual([expect.objectContaining({ claimId, amountFen: 300 * WAN, enterpriseUscc: w.enterprises.cable })]);
    const batch = await readWorkbook((await call('finance', 'GET', '/api/payments/export.xlsx?status=awaiting')).rawPayload);
    expect(batch.getCell('J4').value).toBe(3_000_000);
    expect(batch.getCell('C4').value).toBe('苏州长缆光通信有限公司');
    expect((await call('industry', 'POST', `/api/claims/${claimId}/pay`, { voucherNo: 'X', paidOn: '2021-03-10' })).statusCode).toBe(403);
    const paid = await call('finance', 'POST', `/api/claims/${claimId}/pay`, { voucherNo: '记-2021-0310-001', paidOn: '2021-03-10' }, { 'idempotency-key': 'pay-1' });
    expect(paid.statusCode, paid.body).toBe(201);
    expect(paid.json()).toMatchObject({ state: 'paid', amountFen: 300 * WAN });
    expect((await call('finance', 'POST', `/api/claims/${claimId}/pay`, { voucherNo: '记-2021-0310-001', paidOn: '2021-03-10' }, { 'idempotency-key': 'pay-1' })).statusCode).toBe(201);
    const twice = await call('finance', 'POST', `/api/claims/${claimId}/pay`, { voucherNo: '记-2021-0310-002', paidOn: '2021-03-10' });
    expect(twice.statusCode).toBe(409);
    expect((await countRows(t.db, ['payments'])).payments).toBe(1);
    expect((await call('finance', 'GET', '/api/payments?status=paid')).json().items[0]).toMatchObject({ claimId, voucherNo: '记-2021-0310-001', paidOn: '2021-03-10' });
    const detail = (await call('cable', 'GET', `/api/claims/${claimId}`)).json();
    expect(detail).toMatchObject({ claim: { state: 'paid' }, decision: { amountFen: 300 * WAN }, payment: { claimId, voucherNo: '记-2021-0310-001' }, publicity: { title: '2020年度设备投入奖补公示' } });
    expect(detail.reviews.map((r: { stage: string; action: string }) => `${r.stage}:${r.action}`)).toEqual(['firstReview:pass', 'departmentReview:pass']);
  });

  it('the enterprise ledger, city awards, budgets, the overview and the audit trail', async () => {
    const ledger = await call('cable', 'GET', `/api/enterprises/${w.enterprises.cable}/ledger`);
    expect(ledger.json().items.map((i: { kind: string; amountFen: number }) => [i.kind, i.amountFen])).toEqual([['award', 300 * WAN], ['payment', 300 * WAN]]);
    expect(ledger.json().totals).toEqual({ awardedFen: 300 * WAN, cityAwardFen: 0, paidFen: 300 * WAN });
    const city = await call('industry', 'POST', '/api/city-awards', { uscc: w.enterprises.cable, incentive: 'equipment-investment', item: '光纤预制棒扩产项目', year: 2020, amountFen: 100 * WAN, reference: '苏工信〔2020〕1号' });
    expect(city.statusCode, city.body).toBe(201);
    expect((await call('cable', 'GET', `/api/enterprises/${w.enterprises.cable}/ledger`)).json().totals.cityAwardFen).toBe(100 * WAN);
    expect((await call('science', 'POST', '/api/city-awards', { uscc: w.enterprises.cable, incentive: 'equipment-investment', year: 2020, amountFen: 1, reference: 'x' })).statusCode).toBe(403);

    const set = await call('finance', 'PUT', '/api/budgets/16/2020', { amountFen: 5000 * WAN });
    expect(set.statusCode, set.body).toBe(200);
    const low = await call('finance', 'PUT', '/api/budgets/16/2020', { amountFen: 100 * WAN });
    expect(low.statusCode).toBe(422);
    expect(low.json().errors[0]).toMatchObject({ path: 'amountFen', code: 'budget_below_committed' });
    const budgets = await call('industry', 'GET', '/api/budgets?year=2020');
    expect(budgets.json().items.find((b: { measure: string }) => b.measure === '16')).toMatchObject({ budgetFen: 5000 * WAN, committedFen: 300 * WAN, paidFen: 300 * WAN, remainingFen: 4700 * WAN });
    expect(budgets.json().items.every((b: { measure: string }) => p.ctx.access.leadUnitsOf(b.measure).includes('industry-it-bureau'))).toBe(true);

    const overview = (await call('finance', 'GET', '/api/stats/overview?year=2020')).json();
    expect(overview.byMeasure.find((m: { measure: string }) => m.measure === '16')).toMatchObject({ claims: 1, approved: 1, approvedFen: 300 * WAN, paidFen: 300 * WAN, budgetFen: 5000 * WAN });
    expect(overview.byArea.find((a: { areaId: string }) => a.areaId === 'shengze')).toMatchObject({ claims: 1, approvedFen: 300 * WAN });
    expect(overview.byMonth).toEqual(expect.arrayContaining([expect.objectContaining({ paidFen: 300 * WAN, month: '2021-03' })]));
    const area = (await call('songling', 'GET', '/api/stats/overview?year=2020')).json();
    expect(area.byArea.map((a: { areaId: string }) => a.areaId)).toEqual(['songling']);
    expect(area.totals.claims).toBe(0);

    const trail = await call('auditor', 'GET', `/api/claims/${claimId}/audit`);
    const actions = trail.json().items.map((i: { action: string }) => i.action);
    expect(actions[0]).toBe('claim.create');
    expect(actions).toEqual(expect.arrayContaining(['evidence.upload', 'claim.submit', 'claim.firstReview.pass', 'claim.departmentReview.decide', 'claim.publicity.passed', 'claim.pay', 'claim.read', 'evidence.read']));
    const log = await call('admin', 'GET', '/api/audit?entity=claim&pageSize=5');
    expect(log.json()).toMatchObject({ limit: 5, more: true });
    expect(log.json().items).toHaveLength(5);
    await sealAuditChain(t.db);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, pending: { count: 0 } });
  });

  it('paginates lists: page, pageSize ≤ 100, total', async () => {
    for (let i = 0; i < 5; i++) await call('textile', 'POST', '/api/claims', { incentive: 'equipment-investment', year: 2020, item: `分页${i}`, facts: { equipmentInvestment: '2100万元' } });
    const all = (await call('textile', 'GET', '/api/claims?pageSize=100')).json();
    const page2 = await call('textile', 'GET', '/api/claims?page=2&pageSize=2');
    expect(page2.json()).toMatchObject({ page: 2, pageSize: 2, total: all.total });
    expect(page2.json().items.map((c: { id: number }) => c.id)).toEqual(all.items.slice(2, 4).map((c: { id: number }) => c.id));
    const tooBig = await call('textile', 'GET', '/api/claims?pageSize=101');
    expect(tooBig.statusCode).toBe(422);
    expect(tooBig.json().errors[0].path).toBe('querystring.pageSize');
    const mine = (await call('textile', 'GET', '/api/claims?queue=mine')).json();
    expect(mine.items.every((c: { state: string }) => c.state === 'draft' || c.state === 'returned')).toBe(true);
    const queues = (await call('textile', 'GET', '/api/claims/queues')).json();
    expect(queues.drafts).toBe(mine.total);
    const ents = await call('finance', 'GET', '/api/enterprises?pageSize=2');
    expect(ents.json()).toMatchObject({ total: (await countRows(t.db, ['enterprises'])).enterprises, page: 1, pageSize: 2 });
    expect(ents.json().items).toHaveLength(2);
  });
});
