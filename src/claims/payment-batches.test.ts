// Payment batches on both databases: built from approved claims under their locks, exported as the bank file, the
// bank's return recorded all or nothing with row numbers — and nothing ever paid twice: concurrent returns of one
// batch, a claim paid by hand while in a batch, two builds of the same claims, a reversal between build and return.
import ExcelJS from 'exceljs';
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { createPlatformContext, type PlatformContext } from './context.ts';
import { createWorld, type World } from './fixture.ts';
import { createClaim } from './claims.ts';
import { correctAward, reviewClaim, submitClaim } from './workflow.ts';
import { closePublicityBatch, createPublicityBatch } from './publicity.ts';
import { listPayments, payClaim } from './payments.ts';
import { addCreditEntry } from '../credit/credit.ts';
import { BANK_SHEET } from './payment-batch-excel.ts';
import {
  batchCandidates,
  batchWorkbook,
  buildBatch,
  cancelBatch,
  getBatch,
  importReturnFile,
  markExported,
  normalizeAccountNo,
  reconcileBatch,
  recordLineByHand,
  setEnterpriseBankAccount,
} from './payment-batches.ts';

const engine = Engine.load();
const WAN = 1_000_000;

async function failure(p: Promise<unknown>): Promise<KaifangError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KaifangError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}
const problems = (e: KaifangError) => (e instanceof ValidationError ? e.errors.map((x) => ({ code: x.code, path: x.path })) : [{ code: e.code, path: e.path }]);

/** The return template of a batch with the bank's answers filled in: { lineNo: ['成功', voucher] | ['失败', '', reason] }. */
async function filledReturn(ctx: PlatformContext, user: World['users']['finance'], id: number, answers: Record<number, [string, string?, string?]>, edit?: (ws: ExcelJS.Worksheet) => void) {
  const { file } = await batchWorkbook(ctx, user, id, 'return');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(file as unknown as ArrayBuffer);
  const ws = wb.getWorksheet(BANK_SHEET)!;
  const col = (h: string) => (ws.getRow(1).values as unknown[]).indexOf(h);
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const a = answers[Number(row.getCell(1).value)];
    if (!a) return;
    row.getCell(col('结果')).value = a[0];
    if (a[1]) row.getCell(col('凭证号')).value = a[1];
    if (a[2]) row.getCell(col('失败原因')).value = a[2];
  });
  edit?.(ws);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describeDatabases('payment batches', (t) => {
  let ctx: PlatformContext;
  let w: World;
  let today = '2021-03-01';
  let n = 0;
  const fin = () => w.users.finance;

  /** An approved claim of measure 16 (equipment investment) of the cable maker (盛泽) or the equipment maker (松陵). */
  const approvedClaims = async (count: number, who: 'cable' | 'equipment' = 'cable') => {
    const ids: number[] = [];
    const owner = who === 'cable' ? w.users.cable : w.users.equipment;
    const area = who === 'cable' ? w.users.shengzeReviewer : w.users.songlingReviewer;
    for (let i = 0; i < count; i++) {
      const c = await createClaim(ctx, owner, { incentive: 'equipment-investment', year: 2020, item: `批次项目${++n}`, facts: { equipmentInvestment: '2000万元' } });
      await submitClaim(ctx, owner, c.id);
      await reviewClaim(ctx, area, c.id, { action: 'pass' });
      await reviewClaim(ctx, w.users.industryReviewer, c.id, { action: 'pass' });
      ids.push(c.id);
    }
    const b = await createPublicityBatch({ ...ctx, today: () => '2021-01-04' }, w.users.industryReviewer, { title: `公示${n}`, claimIds: ids, startsOn: '2021-01-04' });
    await closePublicityBatch(ctx, w.users.industryReviewer, b.id);
    return ids;
  };

  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine, { today: () => today });
    w = await createWorld(t.db);
  });

  it('keeps bank accounts: all three fields, digits only, the administrator alone', async () => {
    expect(normalizeAccountNo('6222 0211 0203-4567')).toBe('6222021102034567');
    expect(normalizeAccountNo('1234567')).toBeNull();
    expect(problems(await failure(setEnterpriseBankAccount(ctx, w.users.admin, w.enterprises.cable, { accountName: '苏州长缆光通信有限公司', bankName: '', accountNo: '12AB' })))).toEqual([
      { code: 'required', path: 'bankName' },
      { code: 'bad_account_no', path: 'accountNo' },
    ]);
    expect((await failure(setEnterpriseBankAccount(ctx, fin(), w.enterprises.cable, { accountName: 'x', bankName: 'y', accountNo: '12345678' }))).code).toBe('forbidden');
    const set = await setEnterpriseBankAccount(ctx, w.users.admin, w.enterprises.cable, { accountName: '苏州长缆光通信有限公司', bankName: '中国工商银行吴江盛泽支行', accountNo: '1102 0288 0900 0012 345' });
    expect(set.bankAccount).toEqual({ accountName: '苏州长缆光通信有限公司', bankName: '中国工商银行吴江盛泽支行', accountNo: '1102028809000012345' });
  });

  it('builds a batch under the claims\' locks: refuses, by name, an enterprise without an account, and whatever is not payable', async () => {
    const [a, b] = await approvedClaims(2);
    const [other] = await approvedClaims(1, 'equipment'); // 松陵装备: no bank account yet
    const e = await failure(buildBatch(ctx, fin(), { title: '第一批', claimIds: [a, other] }));
    expect(problems(e)).toEqual([{ code: 'no_bank_account', path: 'claimIds[1]' }]);
    expect(e instanceof ValidationError && e.errors[0].messageZh).toContain('江苏松陵装备制造有限公司');
    expect((await failure(buildBatch(ctx, w.users.industryReviewer, { title: 'x', claimIds: [a] }))).code).toBe('forbidden');
    expect(problems(await failure(buildBatch(ctx, fin(), { title: '', claimIds: [] })))).toEqual([
      { code: 'required', path: 'title' },
      { code: 'required', path: 'claimIds' },
    ]);

    const candidates = await batchCandidates(ctx, fin(), { measure: '16', areaId: 'shengze' });
    expect(candidates.map((c) => c.claimId)).toEqual(expect.arrayContaining([a, b]));
    expect(candidates.find((c) => c.claimId === a)).toMatchObject({ amountFen: 240 * WAN, hasBankAccount: true, approvedOn: '2021-01-10' });
    expect((await batchCandidates(ctx, fin(), { areaId: 'songling' })).map((c) => c.claimId)).toEqual([other]);
    expect(await batchCandidates(ctx, fin(), { approvedFrom: '2021-01-11' })).toEqual([]);

    const built = await buildBatch(ctx, fin(), { title: '2020年度设备投入奖补第一批', claimIds: [b, a], filters: { measure: '16' } });
    expect(built).toMatchObject({ lines: 2, amountFen: 480 * WAN });
    const view = await getBatch(ctx, fin(), built.id);
    expect(view.lines.map((l) => [l.lineNo, l.claimId, l.amountFen, l.status])).toEqual([
      [1, a, 240 * WAN, 'pending'],
      [2, b, 240 * WAN, 'pending'],
    ]);
    // In one open batch at a time: neither offered again nor accepted into another, nor paid by hand.
    expect((await batchCandidates(ctx, fin(), {})).some((c) => c.claimId === a)).toBe(false);
    expect(problems(await failure(buildBatch(ctx, fin(), { title: '重复', claimIds: [a] })))).toEqual([{ code: 'in_payment_batch', path: 'claimIds[0]' }]);
    expect((await failure(payClaim(ctx, fin(), a, { voucherNo: '手工-1', paidOn: '2021-03-01' }))).code).toBe('in_payment_batch');
    const awaiting = await listPayments(ctx, fin(), 'awaiting');
    expect(awaiting.find((p) => p.claimId === a)).toMatchObject({ inBatch: built.id });
    // Unpaid claims that are not payable: refused with their own reasons.
    const reversed = (await approvedClaims(1))[0];
    await correctAward(ctx, w.users.industryReviewer, reversed, { kind: 'reversal', reason: '重复申报' });
    expect(problems(await failure(buildBatch(ctx, fin(), { title: 'x', claimIds: [reversed] })))).toEqual([{ code: 'invalid_state', path: 'claimIds[0]' }]);
  });

  it('writes the bank file: one row a line, the account, 元 with two decimals and fen, a total row; the return template adds the bank\'s columns', async () => {
    const [id] = await approvedClaims(1);
    const built = await buildBatch(ctx, fin(), { title: '代发文件', claimIds: [id] });
    const { file } = await batchWorkbook(ctx, w.users.auditor, built.id, 'bank');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file as unknown as ArrayBuffer);
    const ws = wb.getWorksheet(BANK_SHEET)!;
    expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(['序号', '申报编号', '企业名称', '统一社会信用代码', '户名', '开户行', '账号', '金额（元）', '金额（分）', '摘要']);
    expect((ws.getRow(2).values as unknown[]).slice(1, 10)).toEqual([1, id, '苏州长缆光通信有限公司', w.enterprises.cable, '苏州长缆光通信有限公司', '中国工商银行吴江盛泽支行', '1102028809000012345', 2_400_000, 240 * WAN]);
    expect(ws.getRow(2).getCell(8).numFmt).toBe('#,##0.00');
    expect((ws.getRow(3).values as unknown[]).slice(1)).toEqual(expect.arrayContaining(['合计', 1, 2_400_000, 240 * WAN, '合计 2,400,000.00 元']));
    const template = await batchWorkbook(ctx, fin(), built.id, 'return');
    const tb = new ExcelJS.Workbook();
    await tb.xlsx.load(template.file as unknown as ArrayBuffer);
    expect((tb.getWorksheet(BANK_SHEET)!.getRow(1).values as unknown[]).slice(-4)).toEqual(['结果', '凭证号', '失败原因', '拨付日期']);
    // Before export it can be cancelled (its claim is free again); after, only the bank's return closes it.
    await cancelBatch(ctx, fin(), built.id);
    expect((await batchCandidates(ctx, fin(), {})).some((c) => c.claimId === id)).toBe(true);
    const again = await buildBatch(ctx, fin(), { title: '重新组批', claimIds: [id] });
    await markExported(ctx, fin(), again.id);
    expect((await failure(cancelBatch(ctx, fin(), again.id))).code).toBe('invalid_state');
  });

  it('records the bank\'s return all or nothing, row by row; a failed line waits for payment again with the bank\'s reason; totals reconcile', async () => {
    today = '2021-03-15';
    const [a, b, c] = await approvedClaims(3);
    const built = await buildBatch(ctx, fin(), { title: '回盘', claimIds: [a, b, c] });
    await markExported(ctx, fin(), built.id);

    // One bad row (paid without a voucher) and an amount that is not the batch's: nothing is recorded.
    const bad = await filledReturn(ctx, fin(), built.id, { 1: ['成功', 'YH-0001'], 2: ['成功'] }, (ws) => {
      ws.getRow(4).getCell(9).value = 1; // line 3's 金额（分）
      ws.getRow(4).getCell(11).value = '失败';
      ws.getRow(4).getCell(13).value = '户名不符';
    });
    const refused = await failure(importReturnFile(ctx, fin(), built.id, bad, { paidOn: today }));
    expect(problems(refused)).toEqual([
      { code: 'required', path: 'rows[3].凭证号' },
      { code: 'amount_mismatch', path: 'rows[4].金额（元）' },
    ]);
    expect(refused instanceof ValidationError && refused.errors[0].messageZh).toMatch(/^第3行「凭证号」：/);
    expect((await getBatch(ctx, fin(), built.id)).totals).toMatchObject({ pending: 3, paid: 0 });

    // Line 3 left blank stays pending; lines 1 and 2 recorded.
    const good = await filledReturn(ctx, fin(), built.id, { 1: ['成功', 'YH-0001'], 2: ['失败', '', '账户已销户'] });
    expect(await importReturnFile(ctx, fin(), built.id, good, { paidOn: today })).toMatchObject({ paid: 1, failed: 1, unchanged: 0, closed: false });
    // The same file again: already recorded, nothing changes.
    expect(await importReturnFile(ctx, fin(), built.id, good, { paidOn: today })).toMatchObject({ paid: 0, failed: 0, unchanged: 2 });
    const awaiting = await listPayments(ctx, fin(), 'awaiting');
    expect(awaiting.find((p) => p.claimId === b)).toMatchObject({ inBatch: null, lastFailure: { batchId: built.id, reason: '账户已销户' } });
    expect((await listPayments(ctx, fin(), 'paid')).find((p) => p.claimId === a)).toMatchObject({ voucherNo: 'YH-0001', amountFen: 240 * WAN, paidOn: today });
    expect((await batchCandidates(ctx, fin(), {})).find((x) => x.claimId === b)).toMatchObject({ lastFailure: { reason: '账户已销户' } });
    // A contradicting row is refused: a paid line cannot become failed.
    expect(problems(await failure(recordLineByHand(ctx, fin(), built.id, 1, { result: 'failed', reason: '错' })))).toEqual([{ code: 'already_returned', path: 'result' }]);
    // The last line by hand closes the batch.
    expect(await recordLineByHand(ctx, fin(), built.id, 3, { result: 'paid', voucherNo: 'YH-0003', paidOn: today })).toMatchObject({ paid: 1, closed: true });
    const view = await getBatch(ctx, w.users.auditor, built.id);
    expect(view.status).toBe('closed');
    expect(view.totals).toEqual({ lines: 3, amountFen: 720 * WAN, pending: 0, pendingFen: 0, paid: 2, paidFen: 480 * WAN, failed: 1, failedFen: 240 * WAN, cancelled: 0, cancelledFen: 0 });
    expect(view.reconciliation).toEqual({ ok: true, paidFen: 480 * WAN, paymentsFen: 480 * WAN, problems: [] });
    // The same totals straight from the payments table and the ledger.
    const paid = await t.db.selectFrom('payments').select(['claim_id', 'amount_fen', 'voucher_no']).where('claim_id', 'in', [a, b, c]).orderBy('claim_id').execute();
    expect(paid.map((p) => [p.claim_id, Number(p.amount_fen), p.voucher_no])).toEqual([
      [a, 240 * WAN, 'YH-0001'],
      [c, 240 * WAN, 'YH-0003'],
    ]);
    const ledger = await t.db.selectFrom('ledger_entries').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('claim_id', 'in', [a, c]).executeTakeFirstOrThrow();
    expect(Number(ledger.s)).toBe(view.totals.paidFen);
    const states = await t.db.selectFrom('claims').select(['id', 'state']).where('id', 'in', [a, b, c]).orderBy('id').execute();
    expect(states.map((s) => s.state)).toEqual(['paid', 'approved', 'paid']);
    // The failed claim goes into a new batch at its outstanding amount.
    const next = await buildBatch(ctx, fin(), { title: '补发', claimIds: [b] });
    expect(next).toMatchObject({ lines: 1, amountFen: 240 * WAN });
  });

  it('refuses to record as paid a line whose claim was reversed after the batch was built; failing it is allowed', async () => {
    const [a] = await approvedClaims(1);
    const built = await buildBatch(ctx, fin(), { title: '冲销', claimIds: [a] });
    await correctAward(ctx, w.users.industryReviewer, a, { kind: 'reversal', reason: '发现重复申报' });
    const e = await failure(recordLineByHand(ctx, fin(), built.id, 1, { result: 'paid', voucherNo: 'YH-R1', paidOn: today }));
    expect(problems(e)).toEqual([{ code: 'invalid_state', path: 'result' }]);
    expect(await recordLineByHand(ctx, fin(), built.id, 1, { result: 'failed', reason: '已冲销，退回' })).toMatchObject({ failed: 1, closed: true });
    expect((await getBatch(ctx, fin(), built.id)).reconciliation.ok).toBe(true);
  });

  it('refuses a voucher number already used, and a claim listed for credit at build time', async () => {
    const [a, b] = await approvedClaims(2);
    const built = await buildBatch(ctx, fin(), { title: '凭证', claimIds: [a] });
    expect(problems(await failure(recordLineByHand(ctx, fin(), built.id, 1, { result: 'paid', voucherNo: 'YH-0001', paidOn: today })))).toEqual([{ code: 'voucher_used', path: 'voucherNo' }]);
    await addCreditEntry(t.db, { userId: w.users.admin.id, name: 'admin' }, { uscc: w.enterprises.cable, listName: '失信被执行人名单', reason: '未履行判决', listedOn: '2021-03-01' });
    expect(problems(await failure(buildBatch(ctx, fin(), { title: '信用', claimIds: [b] })))).toEqual([{ code: 'credit_blocked', path: 'claimIds[0]' }]);
    await t.db.deleteFrom('credit_list').where('uscc', '=', w.enterprises.cable).execute();
  });

  it('never pays twice: concurrent returns of one batch, hand payment against a return, two builds of the same claims', async () => {
    const ids = await approvedClaims(4);
    const [x, y] = await Promise.allSettled([buildBatch(ctx, fin(), { title: '并发A', claimIds: ids }), buildBatch(ctx, fin(), { title: '并发B', claimIds: ids })]);
    const okBuild = [x, y].filter((r) => r.status === 'fulfilled');
    expect(okBuild).toHaveLength(1);
    const refusedBuild = [x, y].find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(['in_payment_batch', 'conflict']).toContain(problems(refusedBuild.reason)[0].code);
    const batchId = (okBuild[0] as PromiseFulfilledResult<{ id: number }>).value.id;

    const file = await filledReturn(ctx, fin(), batchId, { 1: ['成功', 'BF-1'], 2: ['成功', 'BF-2'], 3: ['成功', 'BF-3'], 4: ['失败', '', '账号错误'] });
    // Two uploads of the file (as many as the import places) and a hand entry of line 1, all at once.
    const results = await Promise.all([
      importReturnFile(ctx, fin(), batchId, file, { paidOn: today }),
      importReturnFile(ctx, fin(), batchId, file, { paidOn: today }),
      recordLineByHand(ctx, fin(), batchId, 1, { result: 'paid', voucherNo: 'BF-1', paidOn: today }),
    ]);
    expect(results.reduce((s, r) => s + r.paid, 0)).toBe(3);
    expect(results.reduce((s, r) => s + r.failed, 0)).toBe(1);
    const payments = await t.db.selectFrom('payments').select(['claim_id']).where('claim_id', 'in', ids).execute();
    expect(payments).toHaveLength(3);
    // Paying a batch-paid claim by hand: already paid.
    expect((await failure(payClaim(ctx, fin(), ids[0], { voucherNo: 'HAND-1', paidOn: today }))).code).toBe('invalid_state');

    // A hand payment racing a return of the same claim: exactly one of them pays it.
    const [z] = await approvedClaims(1);
    const other = await buildBatch(ctx, fin(), { title: '竞争', claimIds: [z] });
    const race = await Promise.allSettled([payClaim(ctx, fin(), z, { voucherNo: 'HAND-2', paidOn: today }), recordLineByHand(ctx, fin(), other.id, 1, { result: 'paid', voucherNo: 'BANK-2', paidOn: today })]);
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await t.db.selectFrom('payments').select('voucher_no').where('claim_id', '=', z).execute()).toEqual([{ voucher_no: 'BANK-2' }]);
    expect((await reconcileBatch(t.db, other.id)).ok).toBe(true);
    expect((await reconcileBatch(t.db, batchId)).ok).toBe(true);
  });

  it('the database itself refuses a claim pending in two lines', async () => {
    const [a] = await approvedClaims(1);
    const built = await buildBatch(ctx, fin(), { title: '索引', claimIds: [a] });
    const line = await t.db.selectFrom('payment_batch_lines').selectAll().where('batch_id', '=', built.id).executeTakeFirstOrThrow();
    const { id: _id, ...copy } = line;
    await expect(t.db.insertInto('payment_batch_lines').values({ ...copy, line_no: 2 } as never).execute()).rejects.toThrow();
  });
});
