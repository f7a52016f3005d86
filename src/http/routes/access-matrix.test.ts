// ROLE × ENDPOINT: every endpoint of the platform against every kind of caller — anonymous, the enterprise
// (the owner, another enterprise), area reviewers (the claim's area, another), department reviewers (the lead
// department of the measure, another), finance, auditor, admin. Nobody reaches what is not theirs: 401 without a
// session, 404 for a claim or enterprise outside one's scope (its existence is not revealed), 403 for the wrong
// role on something one may see. Every refused request stores nothing; the permitted one does what it should.
import { beforeAll, describe, expect, it } from 'vitest';
import { describeDatabases } from '../../db/test-databases.ts';
import { createWorld, type World } from '../../claims/fixture.ts';
import { createClaim } from '../../claims/claims.ts';
import { correctAward, reviewClaim, submitClaim } from '../../claims/workflow.ts';
import { payClaim } from '../../claims/payments.ts';
import { closePublicityBatch, createPublicityBatch, recordObjection } from '../../claims/publicity.ts';
import { uploadEvidence } from '../../claims/evidence.ts';
import { addCreditEntry } from '../../credit/credit.ts';
import { recordCityAward } from '../../ledger/city-awards.ts';
import { generateUscc, seededRandom } from '../../enterprises/uscc.ts';
import { countRows, login, multipartBody, PDF, platformApp, type TestPlatform } from '../test-support.ts';
import ExcelJS from 'exceljs';
import { createCaseBook } from '../../service-limits/case-book.ts';
import { recordCase } from '../../service-limits/case-store.ts';
import { CASE_SHEET, TEMPLATE_HEADERS } from '../../service-limits/excel.ts';
import { limitLabel } from '../../service-limits/case-book.ts';
import { loadServiceLimits } from '../../service-limits/limits.ts';
import { SYSTEM_ACTOR } from '../../audit/audit-log.ts';
import { FAST_SECURITY, TEST_PASSWORD } from '../../claims/fixture.ts';
import { createUser } from '../../identity/users.ts';
import { batchWorkbook, buildBatch, setEnterpriseBankAccount } from '../../claims/payment-batches.ts';
import { BANK_SHEET } from '../../claims/payment-batch-excel.ts';
import { answerRequest, fileRequest } from '../../service-desk/requests.ts';
import { loadFactBatch } from '../../proactive/batches.ts';
import { fileCorrection } from '../../proactive/corrections.ts';

const CALLERS = ['anonymous', 'enterpriseOwn', 'enterpriseOther', 'areaOwn', 'areaOther', 'departmentLead', 'departmentOther', 'finance', 'auditor', 'admin'] as const;
type Caller = (typeof CALLERS)[number];
const USERNAME: Record<Exclude<Caller, 'anonymous'>, string> = {
  enterpriseOwn: 'cable', // 盛泽 enterprise; its claims are measure 16, led by 区工信局
  enterpriseOther: 'textile',
  areaOwn: 'shengze',
  areaOther: 'songling',
  departmentLead: 'industry',
  departmentOther: 'science',
  finance: 'finance',
  auditor: 'auditor',
  admin: 'admin',
};

type Expect = Partial<Record<Caller, number>>;
const everyone = (status: number): Expect => Object.fromEntries(CALLERS.map((c) => [c, c === 'anonymous' ? 401 : status]));
const only = (allowed: Expect, others = 403): Expect => ({ ...everyone(others), ...allowed });
/** A claim of the owner's: outside one's scope it does not exist (404); inside, a wrong role is 403. */
const claimScoped = (allowed: Expect, inScope = 403): Expect => ({
  anonymous: 401,
  enterpriseOwn: inScope,
  enterpriseOther: 404,
  areaOwn: inScope,
  areaOther: 404,
  departmentLead: inScope,
  departmentOther: 404,
  finance: inScope,
  auditor: inScope,
  admin: 404,
  ...allowed,
});
const readersOfTheClaim = claimScoped({ enterpriseOwn: 200, areaOwn: 200, departmentLead: 200, finance: 200, auditor: 200 });
const readersOfTheEnterprise: Expect = { ...readersOfTheClaim, admin: 200 };

/** A one-sheet list workbook (enterprises, city awards, credit listings) as an official would type it. */
async function listFile(head: string[], rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  ws.addRow(head);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Officials only (every role but the enterprise's). */
const officials = (status: number): Expect => ({ ...everyone(status), enterpriseOwn: 403, enterpriseOther: 403 });

interface Endpoint {
  name: string;
  /** prepares what the request acts on (fresh for each endpoint) */
  setup?: () => Promise<Record<string, number | string>>;
  request: (v: Record<string, number | string>) => { method: 'GET' | 'POST' | 'PUT' | 'PATCH'; url: string; payload?: unknown; multipart?: boolean | { fileName: string; data: Buffer } };
  expect: Expect;
}

describeDatabases('access matrix', (t) => {
  let p: TestPlatform;
  let w: World;
  const cookies: Partial<Record<Caller, string>> = {};
  let n = 0;
  const random = seededRandom(77);
  beforeAll(async () => {
    w = await createWorld(t.db);
    p = await platformApp(t.db, { today: () => '2021-03-01' });
    for (const c of CALLERS) if (c !== 'anonymous') cookies[c] = await login(p.app, USERNAME[c]);
    return () => p.app.close();
  });

  // A service case of measure 24 (water connection, owned by the water bureau), recorded by the admin.
  const waterCase = () => ({ limitId: 'water-no-new-pipeline', departmentId: 'water-affairs-bureau', reference: `矩阵-WS-${++n}`, subject: '吴江丝韵纺织有限公司', acceptedOn: '2020-05-20' });
  const recordedCase = async () => (await recordCase(createCaseBook(t.db), { actor: { userId: w.users.admin.id, name: 'admin' }, department: null }, waterCase())).id;
  /** An import workbook with one water-connection case in it. */
  const caseImportFile = async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet(CASE_SHEET);
    ws.addRow([...TEMPLATE_HEADERS]);
    const c = waterCase();
    const row: Partial<Record<(typeof TEMPLATE_HEADERS)[number], string>> = { 事项: limitLabel(loadServiceLimits().get(c.limitId)), 受理编号: c.reference, 办理对象: c.subject, 办理部门: c.departmentId, 受理日期: c.acceptedOn };
    ws.addRow(TEMPLATE_HEADERS.map((h) => row[h] ?? null));
    return Buffer.from(await wb.xlsx.writeBuffer());
  };

  /** A request of the owner's to the service desk (政策咨询 → 区工信局, the lead department here). */
  const serviceRequest = async () => (await fileRequest(p.ctx, w.users.cable, { category: 'policy', title: `矩阵诉求${++n}`, description: '矩阵测试' })).id;

  /** A finance account for the user endpoints to act on. */
  const accountToKeep = async () =>
    (await createUser(t.db, { username: `matrix-kept-${++n}`, displayName: '矩阵账户', password: TEST_PASSWORD, role: 'finance' }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY })).id;

  // The owner's claim of measure 16 (equipment investment), taken as far along the workflow as an endpoint needs.
  const draft = async () => (await createClaim(p.ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, item: `矩阵项目${++n}`, facts: { equipmentInvestment: '2000万元' } })).id;
  const submitted = async () => {
    const id = await draft();
    await submitClaim(p.ctx, w.users.cable, id);
    return id;
  };
  const atDepartment = async () => {
    const id = await submitted();
    await reviewClaim(p.ctx, w.users.shengzeReviewer, id, { action: 'pass' });
    return id;
  };
  const decided = async () => {
    const id = await atDepartment();
    await reviewClaim(p.ctx, w.users.industryReviewer, id, { action: 'pass' });
    return id;
  };
  const published = async () => {
    const id = await decided();
    const b = await createPublicityBatch({ ...p.ctx, today: () => '2021-01-01' }, w.users.industryReviewer, { title: `矩阵公示${n}`, claimIds: [id], startsOn: '2021-01-01' }); // published in the past, so that it can be closed today
    return { id, batch: b.id };
  };
  const approved = async () => {
    const { id, batch } = await published();
    await closePublicityBatch(p.ctx, w.users.industryReviewer, batch);
    return id;
  };
  /** Paid, then partly clawed back by its lead department: the claim and the recovery that follows it. */
  const clawedBack = async () => {
    const id = await approved();
    await payClaim(p.ctx, w.users.finance, id, { voucherNo: `矩阵追回-${id}`, paidOn: '2021-03-01' });
    const back = await correctAward(p.ctx, w.users.industryReviewer, id, { kind: 'clawback', reason: '审计发现重复计入设备', amountFen: 100 });
    return { claim: id, recovery: back.recoveryId! };
  };

  // Payment batches: a batch of one approved claim of the owner's (its bank account on file), built by finance.
  const builtBatch = async () => {
    await setEnterpriseBankAccount(p.ctx, w.users.admin, w.enterprises.cable, { accountName: '苏州长缆光通信有限公司', bankName: '中国工商银行吴江盛泽支行', accountNo: '1102028809000012345' });
    return (await buildBatch(p.ctx, w.users.finance, { title: `矩阵批次${++n}`, claimIds: [await approved()] })).id;
  };
  /** The batch's return template with its one line failed. */
  const returnFile = async (batch: number) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await batchWorkbook(p.ctx, w.users.finance, batch, 'return')).file as unknown as ArrayBuffer);
    const ws = wb.getWorksheet(BANK_SHEET)!;
    ws.getRow(2).getCell(11).value = '失败';
    ws.getRow(2).getCell(13).value = '账户冻结';
    return Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
  };

  const ENDPOINTS: Endpoint[] = [
    { name: 'GET /api/me', request: () => ({ method: 'GET', url: '/api/me' }), expect: everyone(200) },
    { name: 'GET /api/areas (public)', request: () => ({ method: 'GET', url: '/api/areas' }), expect: { ...everyone(200), anonymous: 200 } },
    { name: 'GET /api/policy (public)', request: () => ({ method: 'GET', url: '/api/policy' }), expect: { ...everyone(200), anonymous: 200 } },

    { name: 'GET /api/enterprises', request: () => ({ method: 'GET', url: '/api/enterprises' }), expect: { ...everyone(200), enterpriseOwn: 403, enterpriseOther: 403 } },
    { name: 'GET /api/enterprises/:uscc', setup: async () => ({ claim: await draft() }), request: () => ({ method: 'GET', url: `/api/enterprises/${w.enterprises.cable}` }), expect: readersOfTheEnterprise },
    {
      name: 'POST /api/enterprises',
      setup: async () => ({ uscc: generateUscc({ random }) }),
      request: (v) => ({ method: 'POST', url: '/api/enterprises', payload: { uscc: v.uscc, name: '矩阵新企业有限公司', areaId: 'lili', industryClass: 'other' } }),
      expect: only({ admin: 201 }),
    },
    { name: 'GET /api/enterprises/:uscc/facts/:year', request: () => ({ method: 'GET', url: `/api/enterprises/${w.enterprises.cable}/facts/2020` }), expect: readersOfTheEnterprise },
    {
      name: 'PUT /api/enterprises/:uscc/facts/:year',
      request: () => ({ method: 'PUT', url: `/api/enterprises/${w.enterprises.cable}/facts/2020`, payload: { facts: { rdExpense: '100万元' } } }),
      expect: { ...readersOfTheEnterprise, enterpriseOwn: 200, areaOwn: 403, departmentLead: 403, finance: 403, auditor: 403, admin: 403 },
    },
    { name: 'GET /api/enterprises/:uscc/entitlements', request: () => ({ method: 'GET', url: `/api/enterprises/${w.enterprises.cable}/entitlements?year=2020` }), expect: readersOfTheEnterprise },
    { name: 'GET /api/enterprises/:uscc/credit', request: () => ({ method: 'GET', url: `/api/enterprises/${w.enterprises.cable}/credit` }), expect: readersOfTheEnterprise },
    { name: 'GET /api/enterprises/:uscc/ledger', request: () => ({ method: 'GET', url: `/api/enterprises/${w.enterprises.cable}/ledger` }), expect: { ...readersOfTheEnterprise, areaOwn: 403, admin: 403 } },
    { name: 'GET /api/enterprises/:uscc/profile', setup: async () => ({ claim: await draft() }), request: () => ({ method: 'GET', url: `/api/enterprises/${w.enterprises.cable}/profile` }), expect: { ...readersOfTheEnterprise, enterpriseOwn: 403 } },
    { name: 'PATCH /api/enterprises/:uscc', request: () => ({ method: 'PATCH', url: `/api/enterprises/${w.enterprises.spare}`, payload: { name: '吴江松陵电子科技有限公司' } }), expect: only({ admin: 200 }) },
    { name: 'GET /api/enterprises/template.xlsx', request: () => ({ method: 'GET', url: '/api/enterprises/template.xlsx' }), expect: only({ admin: 200 }) },
    { name: 'GET /api/enterprises/export.xlsx', request: () => ({ method: 'GET', url: '/api/enterprises/export.xlsx' }), expect: only({ finance: 200, auditor: 200, admin: 200 }) },
    {
      name: 'POST /api/enterprises/import',
      setup: async () => ({ file: (await listFile(['统一社会信用代码', '企业名称', '所属区镇', '产业类别'], [[generateUscc({ random }), `矩阵导入企业${++n}`, '盛泽镇', '其他产业']])).toString('base64') }),
      request: (v) => ({ method: 'POST', url: '/api/enterprises/import', multipart: { fileName: '企业.xlsx', data: Buffer.from(String(v.file), 'base64') } }),
      expect: only({ admin: 200 }),
    },

    { name: 'GET /api/claims', request: () => ({ method: 'GET', url: '/api/claims' }), expect: { ...everyone(200), admin: 403 } },
    { name: 'GET /api/claims/queues', request: () => ({ method: 'GET', url: '/api/claims/queues' }), expect: everyone(200) },
    {
      name: 'POST /api/claims',
      request: () => ({ method: 'POST', url: '/api/claims', payload: { incentive: 'equipment-investment', year: 2020, item: '矩阵新建', facts: { equipmentInvestment: '2000万元' } } }),
      expect: only({ enterpriseOwn: 201, enterpriseOther: 201 }),
    },
    { name: 'GET /api/claims/:id', setup: async () => ({ claim: await submitted() }), request: (v) => ({ method: 'GET', url: `/api/claims/${v.claim}` }), expect: readersOfTheClaim },
    { name: 'PATCH /api/claims/:id', setup: async () => ({ claim: await draft() }), request: (v) => ({ method: 'PATCH', url: `/api/claims/${v.claim}`, payload: { facts: { equipmentInvestment: '2100万元' } } }), expect: claimScoped({ enterpriseOwn: 200 }) },
    { name: 'POST /api/claims/:id/evidence', setup: async () => ({ claim: await draft() }), request: (v) => ({ method: 'POST', url: `/api/claims/${v.claim}/evidence`, multipart: true }), expect: claimScoped({ enterpriseOwn: 201 }) },
    {
      name: 'GET /api/claims/:id/evidence/:evidenceId',
      setup: async () => {
        const claim = await draft();
        const e = await uploadEvidence(p.ctx, w.users.cable, claim, { fileName: '发票.pdf', data: PDF });
        await submitClaim(p.ctx, w.users.cable, claim);
        return { claim, evidence: e.id };
      },
      request: (v) => ({ method: 'GET', url: `/api/claims/${v.claim}/evidence/${v.evidence}` }),
      expect: readersOfTheClaim,
    },
    { name: 'POST /api/claims/:id/submit', setup: async () => ({ claim: await draft() }), request: (v) => ({ method: 'POST', url: `/api/claims/${v.claim}/submit`, payload: {} }), expect: claimScoped({ enterpriseOwn: 200 }) },
    { name: 'POST /api/claims/:id/withdraw', setup: async () => ({ claim: await submitted() }), request: (v) => ({ method: 'POST', url: `/api/claims/${v.claim}/withdraw`, payload: { reason: '项目推迟' } }), expect: claimScoped({ enterpriseOwn: 200 }) },
    { name: 'POST /api/claims/:id/review (初审)', setup: async () => ({ claim: await submitted() }), request: (v) => ({ method: 'POST', url: `/api/claims/${v.claim}/review`, payload: { action: 'pass' } }), expect: claimScoped({ areaOwn: 200 }) },
    { name: 'POST /api/claims/:id/review (牵头部门决定)', setup: async () => ({ claim: await atDepartment() }), request: (v) => ({ method: 'POST', url: `/api/claims/${v.claim}/review`, payload: { action: 'pass' } }), expect: claimScoped({ departmentLead: 200 }) },
    {
      name: 'POST /api/claims/:id/corrections',
      setup: async () => ({ claim: await decided() }),
      request: (v) => ({ method: 'POST', url: `/api/claims/${v.claim}/corrections`, payload: { kind: 'reversal', reason: '复核发现重复申报' } }),
      expect: claimScoped({ departmentLead: 201 }),
    },
    // Corrections as the case view reads them: whoever may read the claim's ledger (an area reviewer may not).
    { name: 'GET /api/claims/:id/corrections', setup: async () => ({ claim: await decided() }), request: (v) => ({ method: 'GET', url: `/api/claims/${v.claim}/corrections` }), expect: { ...readersOfTheClaim, areaOwn: 403 } },
    {
      name: 'POST /api/claims/:id/corrections (追回, after payment)',
      setup: clawedBack,
      request: (v) => ({ method: 'POST', url: `/api/claims/${v.claim}/corrections`, payload: { kind: 'clawback', reason: '再次核查', amountFen: 50, dueOn: '2021-04-30' } }),
      expect: claimScoped({ departmentLead: 201 }),
    },
    // 追回跟踪: departments their measures, finance and the auditor all, an enterprise its own; the lead department records.
    { name: 'GET /api/recoveries', setup: clawedBack, request: () => ({ method: 'GET', url: '/api/recoveries?status=all' }), expect: { ...everyone(200), areaOwn: 403, areaOther: 403, admin: 403 } },
    { name: 'GET /api/recoveries/export.xlsx', request: () => ({ method: 'GET', url: '/api/recoveries/export.xlsx?status=all' }), expect: { ...everyone(200), areaOwn: 403, areaOther: 403, admin: 403 } },
    {
      name: 'POST /api/recoveries/:id/receipts',
      setup: clawedBack,
      request: (v) => ({ method: 'POST', url: `/api/recoveries/${v.recovery}/receipts`, payload: { amountFen: 30, receivedOn: '2021-03-01', reference: `矩阵缴款书-${v.recovery}` } }),
      expect: claimScoped({ departmentLead: 201 }),
    },
    { name: 'GET /api/claims/:id/audit', setup: async () => ({ claim: await submitted() }), request: (v) => ({ method: 'GET', url: `/api/claims/${v.claim}/audit` }), expect: only({ auditor: 200, admin: 200 }) },

    { name: 'GET /api/publicity', request: () => ({ method: 'GET', url: '/api/publicity' }), expect: everyone(200) },
    {
      name: 'POST /api/publicity',
      setup: async () => ({ claim: await decided() }),
      request: (v) => ({ method: 'POST', url: '/api/publicity', payload: { title: '矩阵公示', claimIds: [v.claim], startsOn: '2021-03-01' } }),
      expect: claimScoped({ departmentLead: 201 }),
    },
    { name: 'GET /api/publicity/:id', setup: async () => ({ batch: (await published()).batch }), request: (v) => ({ method: 'GET', url: `/api/publicity/${v.batch}` }), expect: everyone(200) },
    { name: 'GET /api/publicity/:id/export.xlsx', setup: async () => ({ batch: (await published()).batch }), request: (v) => ({ method: 'GET', url: `/api/publicity/${v.batch}/export.xlsx` }), expect: everyone(200) },
    {
      name: 'POST /api/publicity/:id/objections',
      setup: async () => ({ ...(await published()) }),
      request: (v) => ({ method: 'POST', url: `/api/publicity/${v.batch}/objections`, payload: { claimId: v.id, objector: '李四', content: '有异议', receivedOn: '2021-01-03' } }),
      expect: only({ departmentLead: 201 }),
    },
    {
      name: 'POST /api/objections/:id/resolve',
      setup: async () => {
        const { id, batch } = await published();
        const o = await recordObjection(p.ctx, w.users.industryReviewer, batch, { claimId: id, objector: '王五', content: '有异议', receivedOn: '2021-01-03' });
        return { objection: o.id };
      },
      request: (v) => ({ method: 'POST', url: `/api/objections/${v.objection}/resolve`, payload: { outcome: 'dismissed', resolution: '不成立' } }),
      expect: only({ departmentLead: 200 }),
    },
    { name: 'POST /api/publicity/:id/close', setup: async () => ({ batch: (await published()).batch }), request: (v) => ({ method: 'POST', url: `/api/publicity/${v.batch}/close`, payload: {} }), expect: only({ departmentLead: 200 }) },

    { name: 'GET /api/payments', setup: async () => ({ claim: await approved() }), request: () => ({ method: 'GET', url: '/api/payments?status=awaiting' }), expect: { ...everyone(200), areaOwn: 403, areaOther: 403, admin: 403 } },
    { name: 'GET /api/payments/export.xlsx', request: () => ({ method: 'GET', url: '/api/payments/export.xlsx?status=awaiting' }), expect: { ...everyone(200), areaOwn: 403, areaOther: 403, admin: 403 } },
    { name: 'POST /api/claims/:id/pay', setup: async () => ({ claim: await approved() }), request: (v) => ({ method: 'POST', url: `/api/claims/${v.claim}/pay`, payload: { voucherNo: `矩阵-${v.claim}`, paidOn: '2021-03-01' } }), expect: claimScoped({ finance: 201 }) },
    // Payment batches (src/http/routes/payment-batches.ts): finance builds and records, finance and auditors read.
    { name: 'GET /api/payment-batches/candidates', request: () => ({ method: 'GET', url: '/api/payment-batches/candidates?measure=16' }), expect: only({ finance: 200 }) },
    { name: 'GET /api/payment-batches', request: () => ({ method: 'GET', url: '/api/payment-batches' }), expect: only({ finance: 200, auditor: 200 }) },
    {
      name: 'POST /api/payment-batches',
      setup: async () => {
        await builtBatch(); // the bank account on file
        return { claim: await approved() };
      },
      request: (v) => ({ method: 'POST', url: '/api/payment-batches', payload: { title: '矩阵组批', claimIds: [Number(v.claim)] } }),
      expect: only({ finance: 201 }),
    },
    { name: 'GET /api/payment-batches/:id', setup: async () => ({ batch: await builtBatch() }), request: (v) => ({ method: 'GET', url: `/api/payment-batches/${v.batch}` }), expect: only({ finance: 200, auditor: 200 }) },
    { name: 'GET /api/payment-batches/:id/bank-file.xlsx', setup: async () => ({ batch: await builtBatch() }), request: (v) => ({ method: 'GET', url: `/api/payment-batches/${v.batch}/bank-file.xlsx` }), expect: only({ finance: 200, auditor: 200 }) },
    { name: 'GET /api/payment-batches/:id/return-template.xlsx', setup: async () => ({ batch: await builtBatch() }), request: (v) => ({ method: 'GET', url: `/api/payment-batches/${v.batch}/return-template.xlsx` }), expect: only({ finance: 200, auditor: 200 }) },
    { name: 'POST /api/payment-batches/:id/export', setup: async () => ({ batch: await builtBatch() }), request: (v) => ({ method: 'POST', url: `/api/payment-batches/${v.batch}/export`, payload: {} }), expect: only({ finance: 200 }) },
    { name: 'POST /api/payment-batches/:id/cancel', setup: async () => ({ batch: await builtBatch() }), request: (v) => ({ method: 'POST', url: `/api/payment-batches/${v.batch}/cancel`, payload: {} }), expect: only({ finance: 200 }) },
    {
      name: 'POST /api/payment-batches/:id/lines/:lineNo/return',
      setup: async () => ({ batch: await builtBatch() }),
      request: (v) => ({ method: 'POST', url: `/api/payment-batches/${v.batch}/lines/1/return`, payload: { result: 'failed', reason: '账户冻结' } }),
      expect: only({ finance: 200 }),
    },
    {
      name: 'POST /api/payment-batches/:id/return',
      setup: async () => {
        const batch = await builtBatch();
        return { batch, file: await returnFile(batch) };
      },
      request: (v) => ({ method: 'POST', url: `/api/payment-batches/${v.batch}/return?paidOn=2021-03-01`, multipart: { fileName: '回盘.xlsx', data: Buffer.from(String(v.file), 'base64') } }),
      expect: only({ finance: 200 }),
    },
    { name: 'GET /api/enterprises/:uscc/bank-account', request: () => ({ method: 'GET', url: `/api/enterprises/${w.enterprises.cable}/bank-account` }), expect: only({ admin: 200, finance: 200 }) },
    {
      name: 'PUT /api/enterprises/:uscc/bank-account',
      request: () => ({ method: 'PUT', url: `/api/enterprises/${w.enterprises.cable}/bank-account`, payload: { accountName: '苏州长缆光通信有限公司', bankName: '中国工商银行吴江盛泽支行', accountNo: '1102028809000012345' } }),
      expect: only({ admin: 200 }),
    },

    { name: 'GET /api/credit', request: () => ({ method: 'GET', url: '/api/credit' }), expect: { ...everyone(200), enterpriseOwn: 403, enterpriseOther: 403 } },
    {
      name: 'POST /api/credit',
      request: () => ({ method: 'POST', url: '/api/credit', payload: { uscc: generateUscc({ random }), listName: '失信被执行人名单', reason: '未履行判决', listedOn: '2021-02-01', source: '吴江区人民法院' } }),
      expect: only({ admin: 201 }),
    },
    { name: 'GET /api/credit/export.xlsx', request: () => ({ method: 'GET', url: '/api/credit/export.xlsx?status=active' }), expect: officials(200) },
    { name: 'GET /api/credit/template.xlsx', request: () => ({ method: 'GET', url: '/api/credit/template.xlsx' }), expect: only({ admin: 200 }) },
    {
      name: 'POST /api/credit/import',
      setup: async () => ({ file: (await listFile(['统一社会信用代码', '名单名称', '列入原因', '列入日期', '来源单位'], [[generateUscc({ random }), '失信被执行人名单', '未履行判决', '2021-02-01', '吴江区人民法院']])).toString('base64') }),
      request: (v) => ({ method: 'POST', url: '/api/credit/import', multipart: { fileName: '名单.xlsx', data: Buffer.from(String(v.file), 'base64') } }),
      expect: only({ admin: 200 }),
    },
    {
      name: 'POST /api/credit/:id/delist',
      setup: async () => ({ entry: (await addCreditEntry(t.db, { userId: w.users.admin.id, name: 'admin' }, { uscc: generateUscc({ random }), listName: '名单', reason: '原因', listedOn: '2021-01-01' })).id }),
      request: (v) => ({ method: 'POST', url: `/api/credit/${v.entry}/delist`, payload: { reason: '信用修复', delistedOn: '2021-02-01' } }),
      expect: only({ admin: 200 }),
    },
    {
      name: 'POST /api/city-awards',
      request: () => ({ method: 'POST', url: '/api/city-awards', payload: { uscc: w.enterprises.cable, incentive: 'equipment-investment', item: '市级项目', year: 2020, amountFen: 100, reference: '苏工信〔2020〕9号' } }),
      expect: only({ departmentLead: 201 }),
    },
    // City awards: lead departments their measures (another department an empty list), finance and the auditor all.
    { name: 'GET /api/city-awards', request: () => ({ method: 'GET', url: '/api/city-awards?year=2020' }), expect: only({ departmentLead: 200, departmentOther: 200, finance: 200, auditor: 200 }) },
    { name: 'GET /api/city-awards/incentives', request: () => ({ method: 'GET', url: '/api/city-awards/incentives' }), expect: everyone(200) },
    { name: 'GET /api/city-awards/enterprises', request: () => ({ method: 'GET', url: `/api/city-awards/enterprises?q=${w.enterprises.cable.slice(0, 8)}` }), expect: only({ departmentLead: 200, departmentOther: 200 }) },
    { name: 'GET /api/city-awards/template.xlsx', request: () => ({ method: 'GET', url: '/api/city-awards/template.xlsx' }), expect: only({ departmentLead: 200, departmentOther: 200 }) },
    {
      name: 'POST /api/city-awards/import',
      setup: async () => ({ file: (await listFile(['统一社会信用代码', '奖励项目', '申报对象', '年度', '金额（元）', '文件号'], [[w.enterprises.cable, 'equipment-investment', '矩阵导入', 2020, 100, `苏工信矩阵${++n}`]])).toString('base64') }),
      request: (v) => ({ method: 'POST', url: '/api/city-awards/import', multipart: { fileName: '市级奖励.xlsx', data: Buffer.from(String(v.file), 'base64') } }),
      // another department reaches the rows and each is refused for its incentive (422, nothing stored)
      expect: only({ departmentLead: 200, departmentOther: 422 }),
    },
    {
      name: 'POST /api/city-awards/:id/correct',
      setup: async () => ({ award: (await recordCityAward(p.ctx, w.users.industryReviewer, { uscc: w.enterprises.cable, incentive: 'equipment-investment', item: `矩阵更正${++n}`, year: 2020, amountFen: 1000, reference: 'r' })).id }),
      request: (v) => ({ method: 'POST', url: `/api/city-awards/${v.award}/correct`, payload: { amountFen: 0, reason: '市级撤销' } }),
      expect: only({ departmentLead: 201, departmentOther: 404, auditor: 403, finance: 403, enterpriseOwn: 403, enterpriseOther: 404, areaOwn: 404, areaOther: 404, admin: 404 }),
    },
    { name: 'GET /api/budgets', request: () => ({ method: 'GET', url: '/api/budgets?year=2020' }), expect: only({ departmentLead: 200, departmentOther: 200, finance: 200, auditor: 200 }) },
    { name: 'PUT /api/budgets/:measure/:year', request: () => ({ method: 'PUT', url: '/api/budgets/16/2020', payload: { amountFen: 900_000_000_00 } }), expect: only({ finance: 200 }) },
    { name: 'GET /api/budgets/changes', request: () => ({ method: 'GET', url: '/api/budgets/changes?year=2020' }), expect: only({ departmentLead: 200, departmentOther: 200, finance: 200, auditor: 200 }) },
    { name: 'GET /api/stats/overview', request: () => ({ method: 'GET', url: '/api/stats/overview?year=2020' }), expect: { ...everyone(200), enterpriseOwn: 403, enterpriseOther: 403, admin: 403 } },
    { name: 'GET /api/audit', request: () => ({ method: 'GET', url: '/api/audit' }), expect: only({ auditor: 200, admin: 200 }) },
    // The audit page (auditor, admin): the catalogue, the Excel export, the chain check as a job; the inbox and queue
    // timing for every signed-in user, each answering in its own scope only (src/inbox/inbox.test.ts).
    { name: 'GET /api/audit/actions', request: () => ({ method: 'GET', url: '/api/audit/actions' }), expect: only({ auditor: 200, admin: 200 }) },
    { name: 'GET /api/audit/export.xlsx', request: () => ({ method: 'GET', url: '/api/audit/export.xlsx?action=claim.submit' }), expect: only({ auditor: 200, admin: 200 }) },
    { name: 'GET /api/audit/verify', request: () => ({ method: 'GET', url: '/api/audit/verify' }), expect: only({ auditor: 200, admin: 200 }) },
    { name: 'POST /api/audit/verify', request: () => ({ method: 'POST', url: '/api/audit/verify', payload: {} }), expect: only({ auditor: 202, admin: 202 }) },
    { name: 'GET /api/inbox', request: () => ({ method: 'GET', url: '/api/inbox' }), expect: everyone(200) },
    { name: 'GET /api/inbox/count', request: () => ({ method: 'GET', url: '/api/inbox/count' }), expect: everyone(200) },
    { name: 'POST /api/inbox/seen', request: () => ({ method: 'POST', url: '/api/inbox/seen', payload: {} }), expect: everyone(200) },
    { name: 'GET /api/work/timing', setup: async () => ({ claim: await submitted() }), request: (v) => ({ method: 'GET', url: `/api/work/timing?claimIds=${v.claim}` }), expect: everyone(200) },
    // Service time limits (measures 22–25): every official reads; the departments that own a limit and admins
    // record cases — neither department of this matrix owns one, so only the admin writes here.
    { name: 'GET /api/service-limits', request: () => ({ method: 'GET', url: '/api/service-limits' }), expect: officials(200) },
    // 工作日历: officials read it; the administrator enters a year (TEST DATA shaped like a notice, not the real one).
    { name: 'GET /api/calendar', request: () => ({ method: 'GET', url: '/api/calendar' }), expect: officials(200) },
    { name: 'GET /api/calendar/days', request: () => ({ method: 'GET', url: '/api/calendar/days?from=2026-12-28&to=2027-01-03' }), expect: officials(200) },
    { name: 'GET /api/calendar/years/:year', request: () => ({ method: 'GET', url: '/api/calendar/years/2026' }), expect: officials(200) },
    {
      name: 'PUT /api/calendar/years/:year',
      request: () => ({
        method: 'PUT',
        url: '/api/calendar/years/2027',
        payload: { notice: { title: '国务院办公厅关于2027年部分节假日安排的通知（测试数据）', document: '国办发明电〔2026〕98号', date: '2020-12-01' }, holidays: [{ festival: '元旦', from: '2027-01-01', to: '2027-01-01' }], makeUpWorkdays: [] },
      }),
      // the matrix's day is 2021-03-01, before any 2027 notice: the administrator is admitted and the entry refused (422)
      // for its date — the others never reach the check. Saving a year: src/http/routes/calendar.test.ts.
      expect: only({ admin: 422 }),
    },
    { name: 'GET /api/service-cases', request: () => ({ method: 'GET', url: '/api/service-cases?asOf=2021-03-01' }), expect: officials(200) },
    { name: 'GET /api/service-cases/compliance', request: () => ({ method: 'GET', url: '/api/service-cases/compliance?asOf=2021-03-01' }), expect: officials(200) },
    { name: 'GET /api/service-cases/compliance.xlsx', request: () => ({ method: 'GET', url: '/api/service-cases/compliance.xlsx?asOf=2021-03-01' }), expect: officials(200) },
    { name: 'GET /api/service-cases/template.xlsx', request: () => ({ method: 'GET', url: '/api/service-cases/template.xlsx' }), expect: officials(200) },
    { name: 'POST /api/service-cases', request: () => ({ method: 'POST', url: '/api/service-cases', payload: waterCase() }), expect: only({ admin: 201 }) },
    { name: 'GET /api/service-cases/:id', setup: async () => ({ case: await recordedCase() }), request: (v) => ({ method: 'GET', url: `/api/service-cases/${v.case}?asOf=2021-03-01` }), expect: officials(200) },
    {
      name: 'POST /api/service-cases/:id/events',
      setup: async () => ({ case: await recordedCase() }),
      request: (v) => ({ method: 'POST', url: `/api/service-cases/${v.case}/events`, payload: { kind: 'completed', on: '2020-05-22' } }),
      expect: only({ admin: 201 }),
    },
    {
      name: 'POST /api/service-cases/import',
      setup: async () => ({ file: (await caseImportFile()).toString('base64') }),
      request: (v) => ({ method: 'POST', url: '/api/service-cases/import', multipart: { fileName: '服务案件.xlsx', data: Buffer.from(String(v.file), 'base64') } }),
      expect: only({ admin: 200 }),
    },

    // 政企服务 (src/http/routes/service-desk.ts): a request of the owner's (政策咨询, routed to 区工信局 — the lead
    // department here). Outside its enterprise, its unit, its liaisons and the auditor it does not exist (404); the
    // officials' actions are refused to roles that handle none (403) before the request is looked up.
    {
      name: 'POST /api/service-requests',
      request: () => ({ method: 'POST', url: '/api/service-requests', payload: { category: 'policy', title: `矩阵诉求${++n}`, description: '矩阵测试' } }),
      expect: only({ enterpriseOwn: 201, enterpriseOther: 201 }),
    },
    {
      name: 'GET /api/service-requests/:id',
      setup: async () => ({ request: await serviceRequest() }),
      request: (v) => ({ method: 'GET', url: `/api/service-requests/${v.request}` }),
      expect: { ...everyone(404), enterpriseOwn: 200, departmentLead: 200, auditor: 200 },
    },
    {
      name: 'POST /api/service-requests/:id/answer',
      setup: async () => ({ request: await serviceRequest() }),
      request: (v) => ({ method: 'POST', url: `/api/service-requests/${v.request}/answer`, payload: { answer: '矩阵答复' } }),
      expect: { ...everyone(403), areaOwn: 404, areaOther: 404, departmentOther: 404, departmentLead: 200 },
    },
    {
      name: 'POST /api/service-requests/:id/rate',
      setup: async () => {
        const id = await serviceRequest();
        await answerRequest(p.ctx, w.users.industryReviewer, id, { answer: '矩阵答复' });
        return { request: id };
      },
      request: (v) => ({ method: 'POST', url: `/api/service-requests/${v.request}/rate`, payload: { rating: 5 } }),
      expect: { ...everyone(404), enterpriseOwn: 200, departmentLead: 403, auditor: 403 },
    },
    { name: 'GET /api/service-requests/figures', request: () => ({ method: 'GET', url: '/api/service-requests/figures' }), expect: officials(200) },
    { name: 'GET /api/public/service-requests/figures', request: () => ({ method: 'GET', url: '/api/public/service-requests/figures' }), expect: { ...everyone(200), anonymous: 200 } },
    {
      name: 'POST /api/service-liaisons',
      request: () => ({ method: 'POST', url: '/api/service-liaisons', payload: { uscc: w.enterprises.cable, userId: w.users.scienceReviewer.id, kind: 'officer' } }),
      expect: only({ admin: 201 }),
    },

    // Users and sign-in (src/http/routes/users.ts): the district admin keeps accounts, the auditor reads them; an
    // enterprise administrator's own scope is in users.test.ts (none of these callers is one). Each change acts on a
    // fresh finance account. Every user's own account: a wrong current password (422) shows each role reaches it.
    { name: 'GET /api/users', request: () => ({ method: 'GET', url: '/api/users' }), expect: only({ admin: 200, auditor: 200 }) },
    { name: 'GET /api/users/:id', setup: async () => ({ user: await accountToKeep() }), request: (v) => ({ method: 'GET', url: `/api/users/${v.user}` }), expect: only({ admin: 200, auditor: 200 }) },
    {
      name: 'POST /api/users',
      request: () => ({ method: 'POST', url: '/api/users', payload: { username: `matrix-new-${++n}`, displayName: '矩阵新用户', role: 'departmentReviewer', departmentId: 'commerce-bureau' } }),
      expect: only({ admin: 201 }),
    },
    { name: 'PATCH /api/users/:id', setup: async () => ({ user: await accountToKeep() }), request: (v) => ({ method: 'PATCH', url: `/api/users/${v.user}`, payload: { displayName: '改名' } }), expect: only({ admin: 200 }) },
    ...(['disable', 'enable', 'unlock', 'reset-password', 'second-factor/reset'] as const).map(
      (verb): Endpoint => ({ name: `POST /api/users/:id/${verb}`, setup: async () => ({ user: await accountToKeep() }), request: (v) => ({ method: 'POST', url: `/api/users/${v.user}/${verb}` }), expect: only({ admin: 200 }) }),
    ),
    { name: 'POST /api/me/password', request: () => ({ method: 'POST', url: '/api/me/password', payload: { currentPassword: 'not-the-password', newPassword: 'Matrix-new-password-1' } }), expect: everyone(422) },
    { name: 'POST /api/me/second-factor/setup', request: () => ({ method: 'POST', url: '/api/me/second-factor/setup' }), expect: officials(200) },
    // after the setup above: the password is right, the code is not
    { name: 'POST /api/me/second-factor/enable', request: () => ({ method: 'POST', url: '/api/me/second-factor/enable', payload: { password: TEST_PASSWORD, code: '000000' } }), expect: { ...officials(422), enterpriseOwn: 403, enterpriseOther: 403 } },
    { name: 'POST /api/me/second-factor/disable', request: () => ({ method: 'POST', url: '/api/me/second-factor/disable', payload: { password: TEST_PASSWORD } }), expect: { ...everyone(204), enterpriseOwn: 409, enterpriseOther: 409 } },
    { name: 'POST /api/auth/second-factor', request: () => ({ method: 'POST', url: '/api/auth/second-factor', payload: { code: '000000' } }), expect: everyone(409) },
    // 免申即享 (issue 11): a department loads only its own source's facts (区科技局 here: departmentOther); an
    // enterprise reads and objects to its own data on file only; the owning department answers.
    { name: 'GET /api/facts/sources', request: () => ({ method: 'GET', url: '/api/facts/sources' }), expect: everyone(200) },
    { name: 'GET /api/facts/sources/:source/template.xlsx', request: () => ({ method: 'GET', url: '/api/facts/sources/science/template.xlsx' }), expect: everyone(200) },
    {
      name: 'POST /api/facts/batches/:source',
      request: () => ({ method: 'POST', url: '/api/facts/batches/science', payload: { asOf: '2021-02-01', rows: [{ uscc: w.enterprises.cable, year: 2020, facts: { inMunicipalHighTechPool: true } }] } }),
      expect: only({ departmentOther: 201 }),
    },
    { name: 'GET /api/facts/batches', request: () => ({ method: 'GET', url: '/api/facts/batches' }), expect: only({ departmentLead: 200, departmentOther: 200, finance: 200, auditor: 200, admin: 200 }) },
    { name: 'GET /api/enterprises/:uscc/data-on-file/:year', request: () => ({ method: 'GET', url: `/api/enterprises/${w.enterprises.cable}/data-on-file/2020` }), expect: readersOfTheEnterprise },
    {
      name: 'POST /api/facts/corrections',
      setup: async () => {
        await loadFactBatch(p.ctx, w.users.scienceReviewer, { source: 'science', asOf: '2021-02-02', rows: [{ uscc: w.enterprises.cable, year: 2020, facts: { municipalHighTechPoolYear: 2019 } }] });
        return {};
      },
      request: () => ({ method: 'POST', url: '/api/facts/corrections', payload: { year: 2020, fact: 'municipalHighTechPoolYear', requestedValue: 2020, reason: '2020年入库' } }),
      // another enterprise objects to its own value, of which there is none
      expect: { ...only({ enterpriseOwn: 201 }), enterpriseOther: 422 },
    },
    { name: 'GET /api/facts/corrections', request: () => ({ method: 'GET', url: '/api/facts/corrections' }), expect: only({ enterpriseOwn: 200, enterpriseOther: 200, departmentLead: 200, departmentOther: 200, auditor: 200 }) },
    {
      name: 'POST /api/facts/corrections/:id/answer',
      setup: async () => {
        await loadFactBatch(p.ctx, w.users.scienceReviewer, { source: 'science', asOf: '2021-02-03', rows: [{ uscc: w.enterprises.cable, year: 2020, facts: { nationalHighTechEnterprise: false } }] });
        return { id: (await fileCorrection(p.ctx, w.users.cable, { year: 2020, fact: 'nationalHighTechEnterprise', reason: '已认定' })).id };
      },
      request: (v) => ({ method: 'POST', url: `/api/facts/corrections/${v.id}/answer`, payload: { decision: 'refused', reason: '认定名单中无该企业' } }),
      expect: only({ departmentOther: 200 }),
    },
  ];

  const TABLES = ['users', 'enterprises', 'enterprise_facts', 'claims', 'claim_evidence', 'reviews', 'decisions', 'publicity_batches', 'objections', 'ledger_entries', 'payments', 'budgets', 'credit_list', 'idempotency_keys', 'audit_log', 'service_cases', 'service_case_events', 'clawback_recoveries', 'recovery_receipts', 'budget_changes', 'payment_batches', 'payment_batch_lines', 'fact_batches', 'fact_values', 'fact_corrections', 'service_requests', 'service_request_events', 'service_liaisons'];
  const isRefusal = (s: number) => s === 401 || s === 403 || s === 404;

  const send = (caller: Caller, r: ReturnType<Endpoint['request']>) => {
    const headers: Record<string, string> = caller === 'anonymous' ? {} : { cookie: cookies[caller]! };
    if (r.multipart) {
      const m = r.multipart === true ? multipartBody('营业执照.pdf', PDF) : multipartBody(r.multipart.fileName, r.multipart.data);
      return p.app.inject({ method: r.method, url: r.url, payload: m.payload, headers: { ...headers, ...m.headers } });
    }
    return p.app.inject({ method: r.method, url: r.url, payload: r.payload as object, headers });
  };

  describe.each(ENDPOINTS.map((e) => [e.name, e] as const))('%s', (_name, endpoint) => {
    it('answers every caller as its role and scope allow, and refusals store nothing', async () => {
      const v = endpoint.setup ? await endpoint.setup() : {};
      const got: Partial<Record<Caller, number>> = {};
      // Refusals first, each checked to leave every table as it was; then the permitted callers.
      const order = [...CALLERS].sort((a, b) => Number(!isRefusal(endpoint.expect[a]!)) - Number(!isRefusal(endpoint.expect[b]!)));
      for (const caller of order) {
        const before = isRefusal(endpoint.expect[caller]!) ? await countRows(t.db, TABLES) : undefined;
        const res = await send(caller, endpoint.request(v));
        got[caller] = res.statusCode;
        if (before) {
          expect(await countRows(t.db, TABLES), `${caller} was refused but something was stored`).toEqual(before);
          expect(res.headers['content-type'], caller).toContain('application/problem+json');
        }
      }
      expect(got).toEqual(endpoint.expect);
    });
  });

  it('lists show each caller only its own scope', async () => {
    const get = async (caller: Caller, url: string) => (await send(caller, { method: 'GET', url })).json();
    const claimsOf = async (caller: Caller) => (await get(caller, '/api/claims?pageSize=100')).items as Array<{ enterpriseUscc: string; areaId: string; measureId: string }>;
    expect((await claimsOf('enterpriseOwn')).every((c) => c.enterpriseUscc === w.enterprises.cable)).toBe(true);
    expect((await claimsOf('enterpriseOther')).some((c) => c.enterpriseUscc === w.enterprises.cable)).toBe(false);
    expect((await claimsOf('areaOther')).some((c) => c.areaId === 'shengze')).toBe(false);
    expect((await claimsOf('departmentOther')).some((c) => c.measureId === '16')).toBe(false);
    expect((await claimsOf('areaOwn')).length).toBeGreaterThan(0);
    const ents = async (caller: Caller) => ((await get(caller, '/api/enterprises?pageSize=100')).items as Array<{ uscc: string; areaId: string }>).map((e) => e.uscc);
    expect(await ents('areaOther')).not.toContain(w.enterprises.cable);
    expect(await ents('departmentOther')).not.toContain(w.enterprises.cable);
    expect(await ents('departmentLead')).toContain(w.enterprises.cable);
    expect(await ents('departmentLead')).not.toContain(w.enterprises.spare); // no claim under its measures
    const pays = async (caller: Caller) => (await get(caller, '/api/payments?status=paid')).items as Array<{ uscc: string }>;
    expect((await pays('enterpriseOther')).some((x) => x.uscc === w.enterprises.cable)).toBe(false);
    expect((await pays('enterpriseOwn')).length).toBeGreaterThan(0);
    expect((await pays('departmentOther')).length).toBe(0);
    // 政企服务: an enterprise never sees another's requests; an official only its unit's
    await serviceRequest();
    const requests = async (caller: Caller) => (await get(caller, '/api/service-requests?pageSize=100')).items as Array<{ enterpriseUscc: string; unit: string }>;
    expect((await requests('enterpriseOwn')).length).toBeGreaterThan(0);
    expect((await requests('enterpriseOther')).some((r) => r.enterpriseUscc === w.enterprises.cable)).toBe(false);
    expect((await requests('departmentOther')).some((r) => r.unit === 'department:industry-it-bureau')).toBe(false);
    expect((await requests('areaOther')).length).toBe(0);
    const budgets = (await get('departmentOther', '/api/budgets?year=2020')).items as Array<{ measure: string }>;
    expect(budgets.some((b) => b.measure === '16')).toBe(false);
  });
});
