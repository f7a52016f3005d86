// 免申即享, data on file (issue 11): a department loads its facts as dated batches (Excel, CSV, API), checked row by
// row and loaded all or nothing; the same content twice is one batch; history is never erased; the enterprise sees
// both its statement and the department's value (the department's is used) and may object, and the owning
// department answers within its working-day limit, audited.
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import os from 'node:os';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { createPlatformContext, type PlatformContext } from '../claims/context.ts';
import { createWorld, FAST_SECURITY, type World } from '../claims/fixture.ts';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { createUser, type Principal } from '../identity/users.ts';
import { putFactsOnFile } from '../enterprises/facts-on-file.ts';
import { DEFAULT_POLICY_DIR } from '../service-limits/limits.ts';
import { batchTemplate, listBatches, loadFactBatch, parseCsv } from './batches.ts';
import { answerCorrection, fileCorrection, listCorrections } from './corrections.ts';
import { factsOnFileView } from './on-file.ts';
import { factSources, loadFactSources } from './sources.ts';

const engine = Engine.load();
const codeOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: KaifangError) => e.code);
const errorsOf = async (p: Promise<unknown>) => ((await p.catch((e) => e)) as ValidationError).errors.map((e) => [e.path, e.code]);

describe('fact-sources.yaml', () => {
  it('names a department of agencies.yaml for each source and one source per fact', () => {
    const rules = factSources();
    expect(rules.sources.map((s) => s.id)).toEqual(['tax', 'statistics', 'market-regulation', 'science', 'financial-office', 'land', 'commerce']);
    expect(rules.sources.find((s) => s.id === 'tax')!.department).toBe('tax-bureau');
    expect(rules.corrections.answerWorkingDays).toBeGreaterThan(0);
  });

  it('refuses a fact held twice, an unknown fact or department, a derived fact, with file and line', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fact-sources-'));
    cpSync(DEFAULT_POLICY_DIR, dir, { recursive: true });
    const f = path.join(dir, 'fact-sources.yaml');
    const t = readFileSync(f, 'utf8');
    writeFileSync(f, t.replace('facts: [annualSales]', 'facts: [annualSales, rdExpense, colour, plotRatio]').replace('department: commerce-bureau', 'department: trade-bureau'));
    const e = (() => {
      try {
        loadFactSources(dir);
      } catch (x) {
        return x as KaifangError;
      }
    })()!;
    expect(e.code).toBe('fact_sources_invalid');
    expect(e.messageEn).toMatch(/fact-sources\.yaml:\d+ sources\[1\]\.facts\[1\]: rdExpense is already held by source tax/);
    expect(e.messageEn).toMatch(/colour is not a fact of facts\.yaml/);
    expect(e.messageEn).toMatch(/plotRatio is derived/);
    expect(e.messageEn).toMatch(/trade-bureau is not an agency id/);
  });
});

describeDatabases('data on file', (t) => {
  let ctx: PlatformContext;
  let w: World;
  let tax: Principal;
  let stats: Principal;
  let today = '2021-03-01';
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine, { today: () => today });
    w = await createWorld(t.db);
    const user = (username: string, departmentId: string) => createUser(t.db, { username, displayName: username, password: 'kaifang-test-2020', role: 'departmentReviewer', departmentId }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY });
    tax = await user('tax', 'tax-bureau');
    stats = await user('stats', 'statistics-bureau');
  });

  const xlsx = async (rows: unknown[][], sheet = '税务') => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet(sheet);
    ws.addRow(['统一社会信用代码', '年度', '当年研发费用（元，或写“万元”）', '上年研发费用', '享受研发费用加计扣除政策的年度', '应纳税所得额']);
    for (const r of rows) ws.addRow(r);
    return Buffer.from(await wb.xlsx.writeBuffer());
  };

  it('loads an Excel batch of the tax bureau with its provenance, and the same file again is the same batch', async () => {
    const file = await xlsx([
      [w.enterprises.cable, 2020, '500万元', 3_000_000, '2019,2020', null],
      [w.enterprises.textile, 2020, 1_200_000.5, '100万元', '2020', '0'],
    ]);
    const first = await loadFactBatch(ctx, tax, { source: 'tax', asOf: '2021-02-28', file: { name: '税务2020.xlsx', data: file } });
    expect(first.duplicate).toBe(false);
    expect(first.batch).toMatchObject({ source: 'tax', department: 'tax-bureau', asOf: '2021-02-28', format: 'xlsx', rows: 2, values: 7, loadedBy: tax.id });
    expect(first.enterprises.sort()).toEqual([w.enterprises.cable, w.enterprises.textile].sort());
    const again = await loadFactBatch(ctx, tax, { source: 'tax', asOf: '2021-02-28', file: { name: '另存一份.xlsx', data: file } });
    expect(again).toMatchObject({ duplicate: true, batch: { id: first.batch.id } });
    expect((await listBatches(ctx, tax)).map((b) => b.id)).toEqual([first.batch.id]);
    const view = await factsOnFileView(ctx, w.users.cable, w.enterprises.cable, 2020);
    const rd = view.facts.find((f) => f.fact === 'rdExpense')!;
    expect(rd.department).toMatchObject({ value: 500 * 1_000_000, source: 'tax', department: 'tax-bureau', batchId: first.batch.id, asOf: '2021-02-28', loadedBy: 'tax' });
    expect(rd.used).toBe('department');
  });

  it('refuses a bad file row by row and column, zh and en, and stores nothing', async () => {
    const before = (await listBatches(ctx, tax)).length;
    const file = await xlsx([
      [w.enterprises.cable, 2020, '-5', null, null, null],
      ['91320509MA1XK7C3X0', 2020, '1万元', null, null, null],
      [w.enterprises.other, 'twenty', '1万元', null, '2019 2020x', null],
      [w.enterprises.spare, 2020, null, null, null, null],
    ]);
    const err = (await loadFactBatch(ctx, tax, { source: 'tax', asOf: '2021-02-28', file: { name: 'bad.xlsx', data: file } }).catch((e) => e)) as ValidationError;
    expect(err.errors.map((e) => [e.path, e.code])).toEqual([
      ['rows[2].rdExpense', 'bad_value'],
      ['rows[3].uscc', 'bad_uscc'],
      ['rows[4].year', 'bad_year'],
      ['rows[4].rdSuperDeductionYears', 'bad_value'],
      ['rows[5]', 'no_values'],
    ]);
    expect(err.errors[0].messageZh).toMatch(/^第2行「当年研发费用（元，或写“万元”）」：/);
    expect(err.errors[0].messageEn).toMatch(/^row 2, column/);
    expect((await listBatches(ctx, tax)).length).toBe(before);
    // an unregistered enterprise and the same enterprise-year twice
    const unknown = '91320509MA1XK7C3XN';
    const e2 = await errorsOf(loadFactBatch(ctx, tax, { source: 'tax', asOf: '2021-02-28', file: { name: 'b.xlsx', data: await xlsx([[w.enterprises.cable, 2020, '1万元'], [w.enterprises.cable, 2020, '2万元'], [unknown, 2020, '1万元']]) } }));
    expect(e2).toEqual([['rows[3].uscc', 'duplicate_row'], ['rows[4].uscc', 'unknown_enterprise']]);
  });

  it('a department loads only its own facts: another department, an enterprise, another source\'s fact are refused', async () => {
    const rows = [{ uscc: w.enterprises.cable, year: 2020, facts: { annualSales: '3亿元' } }];
    expect(await codeOf(loadFactBatch(ctx, tax, { source: 'statistics', asOf: '2021-02-01', rows }))).toBe('forbidden');
    expect(await codeOf(loadFactBatch(ctx, w.users.cable, { source: 'statistics', asOf: '2021-02-01', rows }))).toBe('forbidden');
    expect(await codeOf(loadFactBatch(ctx, w.users.scienceReviewer, { source: 'statistics', asOf: '2021-02-01', rows }))).toBe('forbidden');
    expect(await errorsOf(loadFactBatch(ctx, stats, { source: 'statistics', asOf: '2021-02-01', rows: [{ uscc: w.enterprises.cable, year: 2020, facts: { rdExpense: 1 } }] }))).toEqual([['rows[1].facts.rdExpense', 'not_this_source']]);
    expect(await codeOf(loadFactBatch(ctx, stats, { source: 'statistics', asOf: '2021-03-02', rows }))).toBe('future_date');
    expect(await codeOf(loadFactBatch(ctx, stats, { source: 'nope', asOf: '2021-02-01', rows }))).toBe('unknown_source');
    const ok = await loadFactBatch(ctx, stats, { source: 'statistics', asOf: '2021-02-01', rows });
    expect(ok.batch).toMatchObject({ format: 'api', values: 1 });
    expect(await codeOf(listBatches(ctx, w.users.cable))).toBe('forbidden');
    expect((await listBatches(ctx, stats)).every((b) => b.department === 'statistics-bureau')).toBe(true);
  });

  it('reads CSV with quotes and a BOM, and the template of each source has its columns', async () => {
    expect(parseCsv('\uFEFFa,"b,""c"""\r\n1,"x\ny"\n')).toEqual([['a', 'b,"c"'], ['1', 'x\ny']]);
    const csv = Buffer.from(`\uFEFF统一社会信用代码,年度,年销售收入\r\n${w.enterprises.other},2020,"25,000,000"\r\n`);
    const r = await loadFactBatch(ctx, stats, { source: 'statistics', asOf: '2021-01-15', file: { name: 's.csv', data: csv } });
    expect(r.batch).toMatchObject({ format: 'csv', values: 1 });
    const badCsv = Buffer.from(`统一社会信用代码,年度,年销售收入\n${w.enterprises.other},2020,12x\n`);
    expect(await errorsOf(loadFactBatch(ctx, stats, { source: 'statistics', asOf: '2021-01-15', file: { name: 's.csv', data: badCsv } }))).toEqual([['rows[2].annualSales', 'bad_value']]);
    expect((await batchTemplate(ctx, 'statistics', 'csv')).toString('utf8')).toBe('\uFEFF统一社会信用代码,年度,年销售收入（元，或写“万元”）\r\n');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await batchTemplate(ctx, 'land')) as unknown as ArrayBuffer);
    expect((wb.getWorksheet('自然资源和规划局')!.getRow(1).values as string[]).filter(Boolean)).toEqual(['统一社会信用代码', '年度', '用地面积（平方米）', '建筑面积（平方米）', '新建工业生产用房面积（平方米）'].map((h, i) => (i < 2 ? h : expect.stringMatching(/（平方米）$/))));
  });

  it('keeps history: a newer batch adds a value, the value as of an earlier date is read back', async () => {
    const rows = (v: string) => [{ uscc: w.enterprises.spare, year: 2020, facts: { rdExpense: v, rdExpensePriorYear: '100万元', rdSuperDeductionYears: [2019, 2020] } }];
    const a = await loadFactBatch(ctx, tax, { source: 'tax', asOf: '2020-12-31', rows: rows('150万元') });
    const b = await loadFactBatch(ctx, tax, { source: 'tax', asOf: '2021-02-15', rows: rows('180万元') });
    const now = await factsOnFileView(ctx, w.users.spare, w.enterprises.spare, 2020);
    const rd = now.facts.find((f) => f.fact === 'rdExpense')!;
    expect(rd.department).toMatchObject({ value: 180 * 1_000_000, batchId: b.batch.id });
    expect(rd.history.map((h) => [h.value, h.batchId])).toEqual([[150 * 1_000_000, a.batch.id]]);
    const then = await factsOnFileView(ctx, w.users.spare, w.enterprises.spare, 2020, '2021-01-10');
    expect(then.facts.find((f) => f.fact === 'rdExpense')!.department).toMatchObject({ value: 150 * 1_000_000, batchId: a.batch.id });
    const before = await factsOnFileView(ctx, w.users.spare, w.enterprises.spare, 2020, '2020-06-30');
    expect(before.facts.find((f) => f.fact === 'rdExpense')!.department).toBeNull();
    // the stored values cannot be changed or removed
    await expect(t.db.deleteFrom('fact_values').where('batch_id', '=', a.batch.id).execute()).rejects.toThrow();
  });

  it('shows the enterprise\'s statement beside a differing department value; the department\'s is used (the policy\'s reading)', async () => {
    await putFactsOnFile(ctx, w.users.cable, w.enterprises.cable, 2020, { rdExpense: '600万元', rdExpensePriorYear: '300万元', rdSuperDeductionYears: [2019, 2020], taxableIncome: '100万元' });
    const view = await factsOnFileView(ctx, w.users.cable, w.enterprises.cable, 2020);
    expect(view.rule).toBe('department');
    const rd = view.facts.find((f) => f.fact === 'rdExpense')!;
    expect(rd).toMatchObject({ statement: { value: 600 * 1_000_000 }, department: { value: 500 * 1_000_000 }, differs: true, used: 'department' });
    const prior = view.facts.find((f) => f.fact === 'rdExpensePriorYear')!;
    expect(prior.differs).toBe(false); // 300万元 stated, 3,000,000 元 loaded: the same amount
    const income = view.facts.find((f) => f.fact === 'taxableIncome')!;
    expect(income).toMatchObject({ department: null, used: 'statement', heldBy: { source: 'tax', department: 'tax-bureau' } });
  });

  it('an objection goes to the owning department with a working-day due date; it answers once, audited', async () => {
    expect(await codeOf(fileCorrection(ctx, w.users.cable, { year: 2020, fact: 'annualSales', reason: '统计口径有误' }))).toBe('ok');
    expect(await codeOf(fileCorrection(ctx, w.users.cable, { year: 2020, fact: 'annualSales', reason: '再次' }))).toBe('correction_open');
    expect(await codeOf(fileCorrection(ctx, w.users.cable, { year: 2020, fact: 'taxableIncome', reason: '无部门数据' }))).toBe('no_department_value');
    expect(await codeOf(fileCorrection(ctx, tax, { year: 2020, fact: 'rdExpense', reason: 'x' }))).toBe('forbidden');
    expect(await codeOf(fileCorrection(ctx, w.users.cable, { year: 2020, fact: 'rdExpense', reason: ' ' }))).toBe('required');
    const c = await fileCorrection(ctx, w.users.cable, { year: 2020, fact: 'rdExpense', requestedValue: '520万元', reason: '汇算清缴更正申报后为520万元', evidence: { name: '更正申报表.pdf', type: 'application/pdf', data: Buffer.from('%PDF-1.4 evidence') } });
    // 2021-03-01 is a Monday: five working days later is Monday 2021-03-08
    expect(c).toMatchObject({ source: 'tax', department: 'tax-bureau', valueObjected: 500 * 1_000_000, requestedValue: 520 * 1_000_000, filedOn: '2021-03-01', dueOn: '2021-03-08', status: 'open', overdue: false });
    expect(c.evidence).toMatchObject({ name: '更正申报表.pdf' });
    expect((await listCorrections(ctx, tax)).map((x) => x.id)).toEqual([c.id]);
    expect((await listCorrections(ctx, stats)).map((x) => x.fact)).toEqual(['annualSales']);
    expect((await listCorrections(ctx, w.users.textile)).length).toBe(0);
    expect((await factsOnFileView(ctx, w.users.cable, w.enterprises.cable, 2020)).facts.find((f) => f.fact === 'rdExpense')!.openCorrectionId).toBe(c.id);

    expect(await codeOf(answerCorrection(ctx, stats, c.id, { decision: 'refused', reason: 'x' }))).toBe('forbidden');
    expect(await codeOf(answerCorrection(ctx, tax, c.id, { decision: 'refused' }))).toBe('required');
    today = '2021-03-09'; // answered a day late: recorded as late
    const answered = await answerCorrection(ctx, tax, c.id, { decision: 'corrected', value: '520万元', asOf: '2021-03-05' });
    expect(answered).toMatchObject({ status: 'corrected', answerBatchId: expect.any(Number) });
    expect(await codeOf(answerCorrection(ctx, tax, c.id, { decision: 'refused', reason: 'x' }))).toBe('already_answered');
    const rd = (await factsOnFileView(ctx, w.users.cable, w.enterprises.cable, 2020)).facts.find((f) => f.fact === 'rdExpense')!;
    expect(rd.department).toMatchObject({ value: 520 * 1_000_000, batchId: answered.answerBatchId });
    expect(rd.history[0].value).toBe(500 * 1_000_000);
    const audit = await t.db.selectFrom('audit_log').select(['action', 'details']).where('action', 'like', 'facts.correction.%').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['facts.correction.file', 'facts.correction.file', 'facts.correction.answer']);
    expect(audit[2].details).toMatchObject({ decision: 'corrected', late: true });
    const sales = (await listCorrections(ctx, stats))[0];
    expect(sales.overdue).toBe(true);
    const refused = await answerCorrection(ctx, stats, sales.id, { decision: 'refused', reason: '以统计联网直报数据为准，企业未提供更正依据' });
    expect(refused).toMatchObject({ status: 'refused', answer: '以统计联网直报数据为准，企业未提供更正依据', answerBatchId: null });
    today = '2021-03-01';
  });
});
