/**
 * 拨付批次: finance pays approved claims through the bank, many at once.
 *
 *  build    finance selects approved claims (filters by measure, area, 公示期满 date); the claims are locked (FOR
 *           UPDATE, in id order — the order every other payment path locks a single claim in, so none deadlock) and
 *           each is checked again: state `approved`, not on a credit list today, not pending in another batch (the
 *           database refuses that too: payment_batch_lines_one_open), money outstanding, a bank account on file. A
 *           line's amount is the claim's outstanding money at that moment (ledger.ts claimOutstandingFen).
 *  export   the bank file (payment-batch-excel.ts); once exported a batch can no longer be cancelled.
 *  return   the bank's answer per line, from its return file or by hand: paid (with the voucher and date) or failed
 *           (with the bank's reason). A whole return is one transaction: every row is checked first, with its row
 *           number, and nothing is recorded unless every row is good. A paid line goes through payClaim's rules —
 *           the claim still `approved`, its outstanding money still the line's amount, the voucher unused — and
 *           makes the payment row and the claim `paid`; a failed line leaves the claim `approved` (awaiting payment
 *           again, the reason shown with it) and free for another batch. Returns of one batch queue on the batch's
 *           row lock, so two returns of the same file record it once.
 *
 * Credit is checked when the batch is built, not at the return: by then the bank has moved the money, and the
 * return records what happened. A claim pending in a batch cannot be paid by hand (payments.ts).
 */
import { sql } from 'kysely';
import { appendAudit } from '../audit/audit-log.ts';
import { isCivilDate } from '../civil-date.ts';
import { activeCreditEntries } from '../credit/credit.ts';
import type { Db } from '../db/transaction.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { toJsonb, type PaymentLineStatus } from '../db/schema.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { readSheet, type ImportReadOptions } from '../excel/read-workbook.ts';
import { authorize, can, listScope } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import { claimAwardEntry, claimOutstandingFen } from '../ledger/ledger.ts';
import { parseUscc } from '../enterprises/uscc.ts';
import { actorOf, type PlatformContext } from './context.ts';
import { notFound } from './claims.ts';
import { BANK_HEADERS, BANK_SHEET, bankWorkbook, RETURN_HEADERS, TOTAL_LABEL, yuanText, type BankFileLine } from './payment-batch-excel.ts';
import ExcelJS from 'exceljs';

const err = (code: string, path: string | undefined, zh: string, en: string, details?: Record<string, unknown>) => new KaifangError({ code, path, zh, en, details });
const MAX_TITLE = 200;
const MAX_REASON = 500;
const MAX_VOUCHER = 100;

// ── Bank accounts ─────────────────────────────────────────────────────────────────────────────────────────

export interface BankAccount {
  accountName: string;
  bankName: string;
  accountNo: string;
}

/** An account number as written (spaces, hyphens) → digits; null when it is not 8–32 digits. */
export function normalizeAccountNo(v: string): string | null {
  const digits = v.normalize('NFKC').replace(/[\s\-]/g, '');
  return /^[0-9]{8,32}$/.test(digits) ? digits : null;
}

/**
 * The administrator keeps each enterprise's bank account (户名, 开户行, 账号) — all three, or all empty to clear it.
 * The account is copied into each batch line when the batch is built; a later change does not alter a built batch.
 */
export async function setEnterpriseBankAccount(ctx: PlatformContext, user: Principal, uscc: string, input: { accountName?: unknown; bankName?: unknown; accountNo?: unknown }, ip?: string | null) {
  authorize(user, 'enterprise.update', {}, ctx.access);
  const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
  const accountName = text(input.accountName);
  const bankName = text(input.bankName);
  const rawNo = text(input.accountNo);
  const errors: KaifangError[] = [];
  const clearing = !accountName && !bankName && !rawNo;
  let accountNo: string | null = null;
  if (!clearing) {
    if (!accountName) errors.push(err('required', 'accountName', '请填写户名', 'accountName is required'));
    else if (accountName.length > 100) errors.push(err('too_long', 'accountName', '户名不能超过100字', 'accountName may not exceed 100 characters'));
    if (!bankName) errors.push(err('required', 'bankName', '请填写开户行', 'bankName is required'));
    else if (bankName.length > 100) errors.push(err('too_long', 'bankName', '开户行不能超过100字', 'bankName may not exceed 100 characters'));
    if (!rawNo) errors.push(err('required', 'accountNo', '请填写账号', 'accountNo is required'));
    else {
      accountNo = normalizeAccountNo(rawNo);
      if (!accountNo) errors.push(err('bad_account_no', 'accountNo', '账号应为8至32位数字（可含空格或短横线）', 'accountNo must be 8 to 32 digits (spaces or hyphens allowed)'));
    }
  }
  if (errors.length) throw new ValidationError(errors);
  return ctx.db.transaction().execute(async (trx) => {
    const e = await trx.selectFrom('enterprises').select(['uscc', 'name', 'bank_account_name', 'bank_name', 'bank_account_no']).where('uscc', '=', uscc).forUpdate().executeTakeFirst();
    if (!e) throw err('not_found', 'uscc', '企业不存在', 'no such enterprise');
    const next = clearing ? { bank_account_name: null, bank_name: null, bank_account_no: null } : { bank_account_name: accountName, bank_name: bankName, bank_account_no: accountNo };
    await trx.updateTable('enterprises').set({ ...next, updated_at: new Date() }).where('uscc', '=', uscc).execute();
    await appendAudit(trx, actorOf(user, ip), {
      action: 'enterprise.bankAccount',
      entity: 'enterprise',
      entityId: uscc,
      details: { from: e.bank_account_no ? { accountName: e.bank_account_name, bankName: e.bank_name, accountNo: e.bank_account_no } : null, to: clearing ? null : { accountName, bankName, accountNo } },
    });
    return { uscc, name: e.name, bankAccount: clearing ? null : ({ accountName, bankName, accountNo: accountNo! } satisfies BankAccount) };
  });
}

export async function getEnterpriseBankAccount(ctx: PlatformContext, user: Principal, uscc: string) {
  if (!can(user, 'enterprise.update', {}, ctx.access) && !can(user, 'payment.record', {}, ctx.access)) authorize(user, 'enterprise.update', {}, ctx.access);
  const e = await ctx.db.selectFrom('enterprises').select(['uscc', 'name', 'bank_account_name', 'bank_name', 'bank_account_no']).where('uscc', '=', uscc).executeTakeFirst();
  if (!e) throw err('not_found', 'uscc', '企业不存在', 'no such enterprise');
  return { uscc: e.uscc, name: e.name, bankAccount: e.bank_account_no ? { accountName: e.bank_account_name!, bankName: e.bank_name!, accountNo: e.bank_account_no } : null };
}

// ── Selecting claims ──────────────────────────────────────────────────────────────────────────────────────

export interface BatchFilters {
  measure?: string;
  areaId?: string;
  /** the 公示 period's end (公示期满) from / to, inclusive */
  approvedFrom?: string;
  approvedTo?: string;
}

function checkFilters(f: BatchFilters): BatchFilters {
  const errors: KaifangError[] = [];
  for (const k of ['approvedFrom', 'approvedTo'] as const) if (f[k] !== undefined && !isCivilDate(f[k])) errors.push(err('bad_date', k, '日期应为 YYYY-MM-DD', `${k} must be YYYY-MM-DD`));
  if (errors.length) throw new ValidationError(errors);
  const out: BatchFilters = {};
  if (f.measure) out.measure = f.measure;
  if (f.areaId) out.areaId = f.areaId;
  if (f.approvedFrom) out.approvedFrom = f.approvedFrom;
  if (f.approvedTo) out.approvedTo = f.approvedTo;
  return out;
}

/** The day a claim's 公示 ended (the latest closed batch it was in): when it became payable. */
const approvedOnSql = sql<string | null>`(select max(pb.ends_on) from publicity_items pi join publicity_batches pb on pb.id = pi.batch_id where pi.claim_id = claims.id and pb.closed_at is not null)`;

export interface BatchCandidate {
  claimId: number;
  uscc: string;
  enterpriseName: string;
  areaId: string;
  measureId: string;
  incentive: string;
  title: string;
  item: string;
  year: number;
  amountFen: number;
  approvedOn: string | null;
  /** the enterprise has a bank account on file (a batch needs one) */
  hasBankAccount: boolean;
  /** the last failed bank payment of the claim, if any */
  lastFailure: { batchId: number; reason: string } | null;
}

/** Approved claims that can go into a new batch (not pending in one), filtered, in claim order. Finance only. */
export async function batchCandidates(ctx: PlatformContext, user: Principal, filters: BatchFilters): Promise<BatchCandidate[]> {
  authorize(user, 'payment.record', {}, ctx.access);
  const f = checkFilters(filters);
  let q = ctx.db
    .selectFrom('claims')
    .innerJoin('enterprises', 'enterprises.uscc', 'claims.enterprise_uscc')
    .select(['claims.id', 'claims.enterprise_uscc', 'enterprises.name', 'claims.area_id', 'claims.measure_id', 'claims.incentive_id', 'claims.item', 'claims.year', 'enterprises.bank_account_no'])
    .select(sql<number>`(select coalesce(sum(amount_fen), 0) from ledger_entries le where le.claim_id = claims.id and le.kind in ('award', 'reversal', 'clawback'))`.as('net_fen'))
    .select(approvedOnSql.as('approved_on'))
    .select(sql<string | null>`(select l.failure_reason from payment_batch_lines l where l.claim_id = claims.id and l.status = 'failed' order by l.id desc limit 1)`.as('failure_reason'))
    .select(sql<number | null>`(select l.batch_id from payment_batch_lines l where l.claim_id = claims.id and l.status = 'failed' order by l.id desc limit 1)`.as('failure_batch'))
    .where('claims.state', '=', 'approved')
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('payment_batch_lines').select('payment_batch_lines.id').whereRef('payment_batch_lines.claim_id', '=', 'claims.id').where('payment_batch_lines.status', '=', 'pending'))));
  if (f.measure) q = q.where('claims.measure_id', '=', f.measure);
  if (f.areaId) q = q.where('claims.area_id', '=', f.areaId);
  if (f.approvedFrom) q = q.where(approvedOnSql, '>=', f.approvedFrom);
  if (f.approvedTo) q = q.where(approvedOnSql, '<=', f.approvedTo);
  const rows = await q.orderBy('claims.id').execute();
  return rows.map((r) => ({
    claimId: r.id,
    uscc: r.enterprise_uscc,
    enterpriseName: r.name,
    areaId: r.area_id,
    measureId: r.measure_id,
    incentive: r.incentive_id,
    title: ctx.engine.policy.incentivesById.get(r.incentive_id)?.title ?? r.incentive_id,
    item: r.item,
    year: r.year,
    amountFen: Number(r.net_fen),
    approvedOn: r.approved_on ? String(r.approved_on).slice(0, 10) : null,
    hasBankAccount: !!r.bank_account_no,
    lastFailure: r.failure_reason ? { batchId: Number(r.failure_batch), reason: r.failure_reason } : null,
  }));
}

// ── Building ──────────────────────────────────────────────────────────────────────────────────────────────

export interface BuildInput {
  title?: unknown;
  claimIds?: unknown;
  filters?: BatchFilters;
}

export async function buildBatch(ctx: PlatformContext, user: Principal, input: BuildInput, ip?: string | null) {
  authorize(user, 'payment.record', {}, ctx.access);
  const errors: KaifangError[] = [];
  const title = typeof input.title === 'string' ? input.title.trim() : '';
  if (!title) errors.push(err('required', 'title', '请填写批次名称', 'title is required'));
  else if (title.length > MAX_TITLE) errors.push(err('too_long', 'title', `批次名称不能超过${MAX_TITLE}字`, `title may not exceed ${MAX_TITLE} characters`));
  const ids = Array.isArray(input.claimIds) ? input.claimIds : [];
  // A batch is read back from the bank's return file, which is read under the import row limit: never larger.
  const maxLines = ctx.config.importMaxRows;
  if (!ids.length) errors.push(err('required', 'claimIds', '请选择要拨付的申报', 'select the claims to pay'));
  else if (ids.length > maxLines) errors.push(err('too_many_lines', 'claimIds', `一个批次最多${maxLines}笔（回盘文件一次最多读取${maxLines}行）`, `a batch holds at most ${maxLines} lines (the return file is read up to ${maxLines} rows)`, { limit: maxLines, setting: 'KAIFANG_IMPORT_MAX_ROWS' }));
  ids.forEach((id, i) => {
    if (!Number.isSafeInteger(id) || (id as number) <= 0) errors.push(err('bad_id', `claimIds[${i}]`, '申报编号应为正整数', 'claim ids are positive integers'));
  });
  if (new Set(ids).size !== ids.length) errors.push(err('duplicate', 'claimIds', '同一申报选了两次', 'a claim is selected twice'));
  if (errors.length) throw new ValidationError(errors);
  const claimIds = [...(ids as number[])].sort((a, b) => a - b);
  const filters = checkFilters(input.filters ?? {});
  const today = ctx.today();

  try {
    return await ctx.db.transaction().execute(async (trx) => {
      // Locked in id order: payClaim, corrections and other builds lock claim rows too; one order, no deadlock.
      const claims = await trx.selectFrom('claims').selectAll().where('id', 'in', claimIds).orderBy('id').forUpdate().execute();
      const byId = new Map(claims.map((c) => [c.id, c]));
      const enterprises = new Map(
        (await trx.selectFrom('enterprises').select(['uscc', 'name', 'bank_account_name', 'bank_name', 'bank_account_no']).where('uscc', 'in', [...new Set(claims.map((c) => c.enterprise_uscc)).values(), '']).execute()).map((e) => [e.uscc, e]),
      );
      const pending = new Map(
        (await trx.selectFrom('payment_batch_lines').select(['claim_id', 'batch_id']).where('claim_id', 'in', claimIds).where('status', '=', 'pending').execute()).map((l) => [l.claim_id, l.batch_id]),
      );
      const lines: Array<{ claimId: number; ledgerEntryId: number; amountFen: number; uscc: string; name: string; account: BankAccount }> = [];
      for (const [i, id] of (ids as number[]).entries()) {
        const path = `claimIds[${i}]`;
        const c = byId.get(id);
        if (!c) {
          errors.push(err('not_found', path, `申报#${id}不存在`, `claim #${id} does not exist`, { claimId: id }));
          continue;
        }
        const e = enterprises.get(c.enterprise_uscc)!;
        const who = `申报#${id}（${e.name}）`;
        if (c.state !== 'approved') {
          errors.push(err('invalid_state', path, `${who}不是待拨付状态`, `claim #${id} (${e.name}) is not awaiting payment`, { claimId: id, state: c.state }));
          continue;
        }
        if (pending.has(id)) {
          errors.push(err('in_payment_batch', path, `${who}已在拨付批次${pending.get(id)}中等待银行回盘`, `claim #${id} (${e.name}) is already in payment batch ${pending.get(id)}, awaiting the bank's return`, { claimId: id, batchId: pending.get(id) }));
          continue;
        }
        if (!e.bank_account_no) {
          errors.push(err('no_bank_account', path, `${e.name}（${e.uscc}）没有登记银行账户，不能列入拨付批次；请管理员先登记户名、开户行和账号`, `${e.name} (${e.uscc}) has no bank account on file and cannot be put in a batch; the administrator records its account first`, { claimId: id, uscc: e.uscc }));
          continue;
        }
        const listed = await activeCreditEntries(trx, c.enterprise_uscc, today);
        if (listed.length) {
          errors.push(err('credit_blocked', path, `${who}：企业在信用惩戒名单中（${listed.map((x) => x.listName).join('、')}），暂停拨付`, `claim #${id} (${e.name}): the enterprise is on a credit list (${listed.map((x) => x.listName).join(', ')}); payment is suspended`, { claimId: id }));
          continue;
        }
        const award = await claimAwardEntry(trx, id);
        const amountFen = award ? await claimOutstandingFen(trx, id) : 0;
        if (!award || amountFen <= 0) {
          errors.push(err('nothing_to_pay', path, `${who}的奖励已冲销，无可拨付金额`, `claim #${id} (${e.name}) has nothing left to pay`, { claimId: id }));
          continue;
        }
        lines.push({ claimId: id, ledgerEntryId: award.id, amountFen, uscc: e.uscc, name: e.name, account: { accountName: e.bank_account_name!, bankName: e.bank_name!, accountNo: e.bank_account_no } });
      }
      if (errors.length) throw new ValidationError(errors);
      lines.sort((a, b) => a.claimId - b.claimId);
      const batch = await trx.insertInto('payment_batches').values({ title, filters: toJsonb(filters as Record<string, string>), created_by: user.id }).returning(['id', 'created_at']).executeTakeFirstOrThrow();
      await trx
        .insertInto('payment_batch_lines')
        .values(
          lines.map((l, n) => ({
            batch_id: batch.id,
            line_no: n + 1,
            claim_id: l.claimId,
            ledger_entry_id: l.ledgerEntryId,
            amount_fen: l.amountFen,
            enterprise_uscc: l.uscc,
            enterprise_name: l.name,
            bank_account_name: l.account.accountName,
            bank_name: l.account.bankName,
            bank_account_no: l.account.accountNo,
          })),
        )
        .execute();
      const totalFen = lines.reduce((s, l) => s + l.amountFen, 0);
      const actor = actorOf(user, ip);
      await appendAudit(trx, actor, { action: 'paymentBatch.build', entity: 'paymentBatch', entityId: batch.id, details: { title, filters: filters as Record<string, string>, lines: lines.length, amountFen: totalFen, claimIds: lines.map((l) => l.claimId) } });
      for (const l of lines) await appendAudit(trx, actor, { action: 'claim.paymentBatch.add', entity: 'claim', entityId: l.claimId, details: { batchId: batch.id, amountFen: l.amountFen } });
      return { id: batch.id, title, lines: lines.length, amountFen: totalFen };
    });
  } catch (e) {
    // The partial unique index: another build took one of these claims between our read and our write.
    if (isUniqueViolation(e)) throw err('conflict', 'claimIds', '所选申报已被列入另一个拨付批次，请刷新后重试', 'a selected claim was put into another payment batch meanwhile; reload and try again');
    throw e;
  }
}

// ── Reading ───────────────────────────────────────────────────────────────────────────────────────────────

export type BatchStatus = 'open' | 'closed' | 'cancelled';

function assertReader(ctx: PlatformContext, user: Principal) {
  // Batches span measures and enterprises: finance and auditors, who read every payment, see them.
  if (listScope(user, 'payment.read', ctx.access).kind !== 'all') throw err('forbidden', undefined, '只有财政和审计人员可以查看拨付批次', 'only finance and auditors read payment batches', { action: 'payment.read', role: user.role });
}

/** A batch's totals from its lines: what the page shows and what `reconcileBatch` checks against the ledger. */
async function totalsOf(db: Db, batchIds: number[]) {
  if (!batchIds.length) return new Map<number, BatchTotals>();
  const rows = await db
    .selectFrom('payment_batch_lines')
    .select(['batch_id', 'status', sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(amount_fen), 0)`.as('s')])
    .where('batch_id', 'in', batchIds)
    .groupBy(['batch_id', 'status'])
    .execute();
  const out = new Map<number, BatchTotals>();
  for (const id of batchIds) out.set(id, { lines: 0, amountFen: 0, pending: 0, pendingFen: 0, paid: 0, paidFen: 0, failed: 0, failedFen: 0, cancelled: 0, cancelledFen: 0 });
  for (const r of rows) {
    const t = out.get(r.batch_id)!;
    const n = Number(r.n);
    const s = Number(r.s);
    t.lines += n;
    t.amountFen += s;
    t[r.status as PaymentLineStatus] += n;
    t[`${r.status as PaymentLineStatus}Fen`] += s;
  }
  return out;
}

export interface BatchTotals {
  lines: number;
  amountFen: number;
  pending: number;
  pendingFen: number;
  paid: number;
  paidFen: number;
  failed: number;
  failedFen: number;
  cancelled: number;
  cancelledFen: number;
}

type BatchRow = { id: number; title: string; filters: unknown; created_at: Date; exported_at: Date | null; closed_at: Date | null; cancelled_at: Date | null; creator: string | null };

const statusOf = (b: Pick<BatchRow, 'closed_at' | 'cancelled_at'>): BatchStatus => (b.cancelled_at ? 'cancelled' : b.closed_at ? 'closed' : 'open');

function batchView(b: BatchRow, totals: BatchTotals) {
  return { id: b.id, title: b.title, status: statusOf(b), filters: b.filters as BatchFilters, createdAt: b.created_at, createdBy: b.creator, exportedAt: b.exported_at, closedAt: b.closed_at, cancelledAt: b.cancelled_at, totals };
}

const batchSelect = (db: Db) =>
  db
    .selectFrom('payment_batches')
    .leftJoin('users', 'users.id', 'payment_batches.created_by')
    .select(['payment_batches.id', 'title', 'filters', 'payment_batches.created_at', 'exported_at', 'closed_at', 'cancelled_at', 'users.display_name as creator']);

export async function listBatches(ctx: PlatformContext, user: Principal, status?: BatchStatus) {
  assertReader(ctx, user);
  let q = batchSelect(ctx.db);
  if (status === 'open') q = q.where('closed_at', 'is', null).where('cancelled_at', 'is', null);
  if (status === 'closed') q = q.where('closed_at', 'is not', null);
  if (status === 'cancelled') q = q.where('cancelled_at', 'is not', null);
  const rows = await q.orderBy('payment_batches.id', 'desc').execute();
  const totals = await totalsOf(ctx.db, rows.map((r) => r.id));
  return rows.map((r) => batchView(r, totals.get(r.id)!));
}

async function loadBatch(db: Db, id: number, forUpdate = false) {
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
  let q = db.selectFrom('payment_batches').selectAll().where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  const b = await q.executeTakeFirst();
  if (!b) throw err('not_found', undefined, '拨付批次不存在', 'no such payment batch');
  return b;
}

async function linesOf(db: Db, batchId: number) {
  return db
    .selectFrom('payment_batch_lines')
    .innerJoin('claims', 'claims.id', 'payment_batch_lines.claim_id')
    .select([
      'payment_batch_lines.id',
      'line_no',
      'claim_id',
      'ledger_entry_id',
      'amount_fen',
      'payment_batch_lines.enterprise_uscc',
      'enterprise_name',
      'bank_account_name',
      'bank_name',
      'bank_account_no',
      'status',
      'voucher_no',
      'paid_on',
      'failure_reason',
      'payment_id',
      'returned_at',
      'claims.measure_id',
      'claims.area_id',
      'claims.incentive_id',
      'claims.item',
      'claims.state as claim_state',
    ])
    .where('batch_id', '=', batchId)
    .orderBy('line_no')
    .execute();
}

type LineRow = Awaited<ReturnType<typeof linesOf>>[number];

export async function getBatch(ctx: PlatformContext, user: Principal, id: number) {
  assertReader(ctx, user);
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
  const b = await batchSelect(ctx.db).where('payment_batches.id', '=', id).executeTakeFirst();
  if (!b) throw err('not_found', undefined, '拨付批次不存在', 'no such payment batch');
  const lines = await linesOf(ctx.db, id);
  const totals = (await totalsOf(ctx.db, [id])).get(id)!;
  return {
    ...batchView(b, totals),
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      claimId: l.claim_id,
      uscc: l.enterprise_uscc,
      enterpriseName: l.enterprise_name,
      accountName: l.bank_account_name,
      bankName: l.bank_name,
      accountNo: l.bank_account_no,
      measureId: l.measure_id,
      areaId: l.area_id,
      incentive: l.incentive_id,
      title: ctx.engine.policy.incentivesById.get(l.incentive_id)?.title ?? l.incentive_id,
      item: l.item,
      amountFen: Number(l.amount_fen),
      status: l.status,
      voucherNo: l.voucher_no,
      paidOn: l.paid_on,
      failureReason: l.failure_reason,
      returnedAt: l.returned_at,
      claimState: l.claim_state,
    })),
    reconciliation: await reconcileBatch(ctx.db, id),
  };
}

/**
 * Checks a batch against the payments and the ledger: every paid line has its payment row (same claim, award entry,
 * amount, voucher, date), the claim is `paid` and its award's outstanding money was exactly what was paid; no
 * pending or failed line has a payment; the totals of the lines equal the sums over the payments. Each failed
 * check is named; `ok` only when none failed.
 */
export async function reconcileBatch(db: Db, batchId: number) {
  const { rows } = await sql<{ line_no: number; status: string; amount_fen: number | string; payment_id: number | null; p_amount: number | string | null; p_claim: number | null; p_entry: number | null; p_voucher: string | null; voucher_no: string | null; claim_state: string; net: number | string; claim_payment: number | null; ledger_entry_id: number; claim_id: number }>`
    select l.line_no, l.status, l.amount_fen, l.payment_id, l.voucher_no, l.ledger_entry_id, l.claim_id,
           p.amount_fen as p_amount, p.claim_id as p_claim, p.ledger_entry_id as p_entry, p.voucher_no as p_voucher,
           c.state as claim_state,
           (select coalesce(sum(e.amount_fen), 0) from ledger_entries e where e.claim_id = l.claim_id and e.kind in ('award', 'reversal', 'clawback')) as net,
           (select cp.id from payments cp where cp.claim_id = l.claim_id) as claim_payment
      from payment_batch_lines l
      join claims c on c.id = l.claim_id
      left join payments p on p.id = l.payment_id
     where l.batch_id = ${batchId}
     order by l.line_no`.execute(db);
  const problems: string[] = [];
  let paidFen = 0;
  let paymentsFen = 0;
  for (const r of rows) {
    const amount = Number(r.amount_fen);
    if (r.status === 'paid') {
      paidFen += amount;
      paymentsFen += Number(r.p_amount ?? 0);
      if (r.payment_id === null || Number(r.p_claim) !== Number(r.claim_id)) problems.push(`line ${r.line_no}: no payment of its claim`);
      else {
        if (Number(r.p_amount) !== amount) problems.push(`line ${r.line_no}: paid ${r.p_amount} fen, the line says ${amount}`);
        if (Number(r.p_entry) !== Number(r.ledger_entry_id)) problems.push(`line ${r.line_no}: the payment is of another award entry`);
        if (r.p_voucher !== r.voucher_no) problems.push(`line ${r.line_no}: voucher differs from the payment's`);
      }
      if (r.claim_state !== 'paid') problems.push(`line ${r.line_no}: the claim is ${r.claim_state}, not paid`);
      if (Number(r.net) !== amount) problems.push(`line ${r.line_no}: the ledger stands at ${r.net} fen for the claim, ${amount} was paid`);
    } else {
      if (r.payment_id !== null) problems.push(`line ${r.line_no}: ${r.status} but linked to a payment`);
      if (r.status === 'pending' && r.claim_state !== 'approved') problems.push(`line ${r.line_no}: pending but the claim is ${r.claim_state}`);
    }
  }
  return { ok: problems.length === 0, paidFen, paymentsFen, problems };
}

// ── Export and cancel ─────────────────────────────────────────────────────────────────────────────────────

function toBankLine(l: LineRow, ctx: PlatformContext, withReturn: boolean): BankFileLine {
  const title = ctx.engine.policy.incentivesById.get(l.incentive_id)?.title ?? l.incentive_id;
  return {
    lineNo: l.line_no,
    claimId: l.claim_id,
    enterpriseName: l.enterprise_name,
    uscc: l.enterprise_uscc,
    accountName: l.bank_account_name,
    bankName: l.bank_name,
    accountNo: l.bank_account_no,
    amountFen: Number(l.amount_fen),
    memo: `政策奖励 ${title}${l.item ? `（${l.item}）` : ''}`.slice(0, 120),
    ...(withReturn && l.status !== 'pending'
      ? { result: l.status === 'paid' ? ('成功' as const) : l.status === 'failed' ? ('失败' as const) : null, voucherNo: l.voucher_no, failureReason: l.failure_reason, paidOn: l.paid_on }
      : {}),
  };
}

/** The bank file (`kind: 'bank'`) or the return template (`'return'`) of a batch; reading it changes nothing. */
export async function batchWorkbook(ctx: PlatformContext, user: Principal, id: number, kind: 'bank' | 'return') {
  assertReader(ctx, user);
  const b = await loadBatch(ctx.db, id);
  // The bank is sent only lines still to pay; the return template shows every line with what is recorded.
  const lines = (await linesOf(ctx.db, id)).filter((l) => (kind === 'bank' ? l.status === 'pending' || l.status === 'paid' : l.status !== 'cancelled'));
  return { title: b.title, file: await bankWorkbook({ id: b.id, title: b.title }, lines.map((l) => toBankLine(l, ctx, kind === 'return')), { withReturn: kind === 'return' }) };
}

/** Marks the batch as sent to the bank (the first time; later calls change nothing). After it, no cancelling. */
export async function markExported(ctx: PlatformContext, user: Principal, id: number, ip?: string | null) {
  authorize(user, 'payment.record', {}, ctx.access);
  return ctx.db.transaction().execute(async (trx) => {
    const b = await loadBatch(trx, id, true);
    if (b.cancelled_at) throw err('invalid_state', undefined, '该批次已撤销', 'the batch was cancelled');
    if (!b.exported_at) {
      await trx.updateTable('payment_batches').set({ exported_at: new Date(), exported_by: user.id }).where('id', '=', id).execute();
      await appendAudit(trx, actorOf(user, ip), { action: 'paymentBatch.export', entity: 'paymentBatch', entityId: id, details: {} });
    }
    return { id, exported: true };
  });
}

/** Cancels a batch not yet sent to the bank: its claims are free for another batch. */
export async function cancelBatch(ctx: PlatformContext, user: Principal, id: number, ip?: string | null) {
  authorize(user, 'payment.record', {}, ctx.access);
  return ctx.db.transaction().execute(async (trx) => {
    const b = await loadBatch(trx, id, true);
    if (b.cancelled_at) throw err('invalid_state', undefined, '该批次已撤销', 'the batch is already cancelled');
    if (b.exported_at) throw err('invalid_state', undefined, '银行代发文件已导出，不能撤销；请按银行回盘登记成功或失败', 'the bank file was exported: record the bank\'s return instead of cancelling');
    const claims = await trx.updateTable('payment_batch_lines').set({ status: 'cancelled', returned_at: new Date(), returned_by: user.id }).where('batch_id', '=', id).where('status', '=', 'pending').returning('claim_id').execute();
    await trx.updateTable('payment_batches').set({ cancelled_at: new Date() }).where('id', '=', id).execute();
    await appendAudit(trx, actorOf(user, ip), { action: 'paymentBatch.cancel', entity: 'paymentBatch', entityId: id, details: { claimIds: claims.map((c) => c.claim_id) } });
    return { id, status: 'cancelled' as const };
  });
}

// ── The bank's return ─────────────────────────────────────────────────────────────────────────────────────

export interface ReturnRow {
  /** the file's row number (null: entered by hand) */
  row: number | null;
  lineNo: number;
  claimId?: number;
  uscc?: string;
  amountFen?: number;
  result: 'paid' | 'failed';
  voucherNo?: string;
  failureReason?: string;
  paidOn?: string;
}

/** A problem with one row of a return: the row number and column for a file, the field for a form. */
function rowError(row: number | null, column: string | null, field: string, code: string, zh: string, en: string, details: Record<string, unknown> = {}) {
  if (row === null) return err(code, field, zh, en, details);
  return err(code, `rows[${row}]${column ? `.${column}` : ''}`, `第${row}行${column ? `「${column}」` : ''}：${zh}`, `row ${row}${column ? `, column ${column}` : ''}: ${en}`, { row, column, ...details });
}

/**
 * Records the bank's return of a batch: every row checked, then all recorded in one transaction, or nothing.
 * A row that repeats what is already recorded (the same result and voucher or reason) is left as it is, so a return
 * file uploaded twice — one after the other or at the same moment — records it once.
 */
export async function recordReturn(
  ctx: PlatformContext,
  user: Principal,
  id: number,
  rows: ReturnRow[],
  opts: { paidOn?: unknown; ip?: string | null; source: 'file' | 'hand'; fileName?: string; readErrors?: KaifangError[] } = { source: 'hand' },
) {
  authorize(user, 'payment.record', {}, ctx.access);
  const defaultPaidOn = opts.paidOn === undefined || opts.paidOn === null || opts.paidOn === '' ? undefined : opts.paidOn;
  if (defaultPaidOn !== undefined && !isCivilDate(defaultPaidOn)) throw new ValidationError([err('bad_date', 'paidOn', '拨付日期应为 YYYY-MM-DD', 'paidOn must be YYYY-MM-DD')]);
  if (!rows.length && !opts.readErrors?.length) throw new ValidationError([err('empty_file', opts.source === 'file' ? 'file' : 'result', '回盘中没有填写结果的行（“结果”列填“成功”或“失败”）', 'the return has no row with a result (成功 or 失败 in the column 结果)')]);

  const recorded = await ctx.db.transaction().execute(async (trx) => {
    // One return of a batch at a time: a second waits here and then finds the first one's lines recorded.
    const batch = await loadBatch(trx, id, true);
    if (batch.cancelled_at) throw err('invalid_state', undefined, '该批次已撤销', 'the batch was cancelled');
    const lines = new Map((await linesOf(trx, id)).map((l) => [l.line_no, l]));
    // The rows the file itself got wrong are reported with the rest, in row order: one answer lists every problem.
    const errors: KaifangError[] = [...(opts.readErrors ?? [])];
    const seenLine = new Map<number, number | null>();
    const seenVoucher = new Map<string, number | null>();
    const toPay: Array<{ r: ReturnRow; l: LineRow; paidOn: string }> = [];
    const toFail: Array<{ r: ReturnRow; l: LineRow }> = [];
    let unchanged = 0;
    for (const r of rows) {
      const l = lines.get(r.lineNo);
      if (!l) {
        errors.push(rowError(r.row, '序号', 'lineNo', 'unknown_line', `批次${id}没有第${r.lineNo}笔`, `batch ${id} has no line ${r.lineNo}`, { lineNo: r.lineNo }));
        continue;
      }
      if (seenLine.has(r.lineNo)) {
        errors.push(rowError(r.row, '序号', 'lineNo', 'duplicate_in_file', `第${r.lineNo}笔重复出现（第${seenLine.get(r.lineNo)}行）`, `line ${r.lineNo} appears twice (row ${seenLine.get(r.lineNo)})`, { lineNo: r.lineNo }));
        continue;
      }
      seenLine.set(r.lineNo, r.row);
      // The bank's file must be this batch's: the claim, the code and the amount of each row are the line's.
      if (r.claimId !== undefined && r.claimId !== l.claim_id) errors.push(rowError(r.row, '申报编号', 'claimId', 'mismatch', `第${r.lineNo}笔是申报#${l.claim_id}，文件中为#${r.claimId}`, `line ${r.lineNo} is claim #${l.claim_id}, the file says #${r.claimId}`));
      if (r.uscc !== undefined && r.uscc.toUpperCase() !== l.enterprise_uscc) errors.push(rowError(r.row, '统一社会信用代码', 'uscc', 'mismatch', `第${r.lineNo}笔的统一社会信用代码是${l.enterprise_uscc}，文件中为${r.uscc}`, `line ${r.lineNo} is of ${l.enterprise_uscc}, the file says ${r.uscc}`));
      if (r.amountFen !== undefined && r.amountFen !== Number(l.amount_fen)) errors.push(rowError(r.row, '金额（分）', 'amountFen', 'amount_mismatch', `第${r.lineNo}笔应付${yuanText(Number(l.amount_fen))}元（${l.amount_fen}分），文件中为${r.amountFen}分`, `line ${r.lineNo} pays ${l.amount_fen} fen, the file says ${r.amountFen}`));
      if (r.result === 'paid') {
        const voucherNo = (r.voucherNo ?? '').trim();
        const paidOn = r.paidOn ?? (defaultPaidOn as string | undefined);
        if (!voucherNo) errors.push(rowError(r.row, '凭证号', 'voucherNo', 'required', '成功的一笔须填写凭证号', 'a paid line needs its voucher number'));
        else if (voucherNo.length > MAX_VOUCHER) errors.push(rowError(r.row, '凭证号', 'voucherNo', 'too_long', `凭证号不能超过${MAX_VOUCHER}字`, `the voucher number may not exceed ${MAX_VOUCHER} characters`));
        else if (seenVoucher.has(voucherNo)) errors.push(rowError(r.row, '凭证号', 'voucherNo', 'duplicate_in_file', `凭证号${voucherNo}重复（第${seenVoucher.get(voucherNo)}行）`, `voucher ${voucherNo} repeats row ${seenVoucher.get(voucherNo)}`));
        else seenVoucher.set(voucherNo, r.row);
        if (!paidOn || !isCivilDate(paidOn)) errors.push(rowError(r.row, '拨付日期', 'paidOn', 'bad_date', '请填写拨付日期（YYYY-MM-DD）', 'the payment date (YYYY-MM-DD) is required'));
        if (l.status === 'paid' && l.voucher_no === voucherNo) unchanged++;
        else if (l.status !== 'pending') errors.push(rowError(r.row, '结果', 'result', 'already_returned', `第${r.lineNo}笔已登记为${l.status === 'paid' ? `成功（凭证号${l.voucher_no}）` : l.status === 'failed' ? '失败' : '撤销'}，不能再登记为成功`, `line ${r.lineNo} is already recorded as ${l.status}`));
        else if (voucherNo && paidOn && isCivilDate(paidOn)) toPay.push({ r: { ...r, voucherNo }, l, paidOn });
      } else {
        const reason = (r.failureReason ?? '').trim();
        if (!reason) errors.push(rowError(r.row, '失败原因', 'failureReason', 'required', '失败的一笔须填写失败原因（银行退回的原因）', "a failed line needs the bank's reason"));
        else if (reason.length > MAX_REASON) errors.push(rowError(r.row, '失败原因', 'failureReason', 'too_long', `失败原因不能超过${MAX_REASON}字`, `the reason may not exceed ${MAX_REASON} characters`));
        if (l.status === 'failed' && l.failure_reason === reason) unchanged++;
        else if (l.status !== 'pending') errors.push(rowError(r.row, '结果', 'result', 'already_returned', `第${r.lineNo}笔已登记为${l.status === 'paid' ? `成功（凭证号${l.voucher_no}）` : l.status === 'failed' ? '失败' : '撤销'}，不能再登记为失败`, `line ${r.lineNo} is already recorded as ${l.status}`));
        else if (reason && reason.length <= MAX_REASON) toFail.push({ r: { ...r, failureReason: reason }, l });
      }
    }
    // payClaim's rules for each line to be paid, under the claims' row locks taken in id order.
    const payIds = toPay.map((x) => x.l.claim_id).sort((a, b) => a - b);
    if (payIds.length) {
      const claims = new Map((await trx.selectFrom('claims').select(['id', 'state', 'version']).where('id', 'in', payIds).orderBy('id').forUpdate().execute()).map((c) => [c.id, c]));
      const used = new Set((await trx.selectFrom('payments').select('voucher_no').where('voucher_no', 'in', toPay.map((x) => x.r.voucherNo!)).execute()).map((p) => p.voucher_no));
      for (const x of toPay) {
        const c = claims.get(x.l.claim_id)!;
        const { row, lineNo } = x.r;
        if (c.state !== 'approved') {
          errors.push(rowError(row, '结果', 'result', 'invalid_state', `第${lineNo}笔的申报#${c.id}已不是待拨付状态（${c.state === 'paid' ? '已拨付' : c.state}），不能登记为成功`, `line ${lineNo}: claim #${c.id} is no longer awaiting payment (${c.state})`, { claimId: c.id }));
          continue;
        }
        const award = await claimAwardEntry(trx, c.id);
        const outstanding = award ? await claimOutstandingFen(trx, c.id) : 0;
        if (!award || award.id !== x.l.ledger_entry_id || outstanding !== Number(x.l.amount_fen)) {
          errors.push(
            rowError(row, '结果', 'result', 'amount_changed', `第${lineNo}笔建批后申报#${c.id}的应拨金额已变为${yuanText(outstanding)}元（批次中为${yuanText(Number(x.l.amount_fen))}元），不能登记为成功；请核实后登记为失败并重新组批`, `line ${lineNo}: claim #${c.id} now stands at ${outstanding} fen, the batch says ${x.l.amount_fen}; record it as failed and pay it in a new batch`, { claimId: c.id, outstandingFen: outstanding }),
          );
          continue;
        }
        if (used.has(x.r.voucherNo!)) errors.push(rowError(row, '凭证号', 'voucherNo', 'voucher_used', `凭证号${x.r.voucherNo}已用于另一笔拨付`, `voucher ${x.r.voucherNo} is already used by another payment`));
      }
    }
    if (errors.length) {
      const rowOf = (e: KaifangError) => Number((e.details as { row?: number } | undefined)?.row ?? 0);
      errors.sort((a, b) => rowOf(a) - rowOf(b));
      throw new ValidationError(errors.length > 200 ? [...errors.slice(0, 200), err('more_errors', 'file', `另有${errors.length - 200}处错误未列出`, `${errors.length - 200} more problems not listed`)] : errors);
    }

    const actor = actorOf(user, ip(opts));
    const now = new Date();
    for (const x of toPay.sort((a, b) => a.l.claim_id - b.l.claim_id)) {
      const p = await trx
        .insertInto('payments')
        .values({ claim_id: x.l.claim_id, ledger_entry_id: x.l.ledger_entry_id, voucher_no: x.r.voucherNo!, amount_fen: Number(x.l.amount_fen), paid_on: x.paidOn, paid_by: user.id })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx.updateTable('claims').set((eb) => ({ state: 'paid', version: eb('version', '+', 1), updated_at: now })).where('id', '=', x.l.claim_id).execute();
      await trx.updateTable('payment_batch_lines').set({ status: 'paid', voucher_no: x.r.voucherNo!, paid_on: x.paidOn, payment_id: p.id, returned_at: now, returned_by: user.id }).where('id', '=', x.l.id).execute();
      await appendAudit(trx, actor, { action: 'claim.pay', entity: 'claim', entityId: x.l.claim_id, details: { from: 'approved', to: 'paid', voucherNo: x.r.voucherNo!, amountFen: Number(x.l.amount_fen), paidOn: x.paidOn, batchId: id, lineNo: x.l.line_no } });
    }
    for (const x of toFail) {
      await trx.updateTable('payment_batch_lines').set({ status: 'failed', failure_reason: x.r.failureReason!, returned_at: now, returned_by: user.id }).where('id', '=', x.l.id).execute();
      await appendAudit(trx, actor, { action: 'claim.paymentFailed', entity: 'claim', entityId: x.l.claim_id, details: { batchId: id, lineNo: x.l.line_no, amountFen: Number(x.l.amount_fen), reason: x.r.failureReason! } });
    }
    const stillPending = await trx.selectFrom('payment_batch_lines').select(sql<number>`count(*)`.as('n')).where('batch_id', '=', id).where('status', '=', 'pending').executeTakeFirstOrThrow();
    const closing = Number(stillPending.n) === 0 && !batch.closed_at;
    if (closing) await trx.updateTable('payment_batches').set({ closed_at: now }).where('id', '=', id).execute();
    if (toPay.length || toFail.length) {
      await appendAudit(trx, actor, {
        action: 'paymentBatch.return',
        entity: 'paymentBatch',
        entityId: id,
        details: { source: opts.source, fileName: opts.fileName ?? null, paid: toPay.map((x) => x.l.line_no), failed: toFail.map((x) => x.l.line_no), paidFen: toPay.reduce((s, x) => s + Number(x.l.amount_fen), 0), closed: closing },
      });
    }
    return { paid: toPay.length, failed: toFail.length, unchanged, closed: closing || !!batch.closed_at };
  });
  return { batchId: id, ...recorded };
}

const ip = (o: { ip?: string | null }) => o.ip ?? null;

/** One line by hand (a form on the batch page): the same rules as a file's row. */
export async function recordLineByHand(ctx: PlatformContext, user: Principal, id: number, lineNo: number, input: { result?: unknown; voucherNo?: unknown; paidOn?: unknown; reason?: unknown }, ipAddress?: string | null) {
  const errors: KaifangError[] = [];
  if (input.result !== 'paid' && input.result !== 'failed') errors.push(err('bad_result', 'result', '结果应为成功（paid）或失败（failed）', 'result must be paid or failed'));
  if (input.result === 'paid' && !isCivilDate(input.paidOn)) errors.push(err('bad_date', 'paidOn', '拨付日期应为 YYYY-MM-DD', 'paidOn must be YYYY-MM-DD'));
  for (const k of ['voucherNo', 'reason'] as const) if (input[k] !== undefined && input[k] !== null && typeof input[k] !== 'string') errors.push(err('bad_text', k, '应为文字', `${k} must be text`));
  if (errors.length) throw new ValidationError(errors);
  const row: ReturnRow = { row: null, lineNo, result: input.result as 'paid' | 'failed', voucherNo: (input.voucherNo as string | undefined) ?? undefined, failureReason: (input.reason as string | undefined) ?? undefined, paidOn: (input.paidOn as string | undefined) ?? undefined };
  return recordReturn(ctx, user, id, [row], { ip: ipAddress, source: 'hand' });
}

// ── Reading the return file ───────────────────────────────────────────────────────────────────────────────

const badFile = (reason: string) => err('bad_file', 'file', '无法读取该文件：请上传 Excel 工作簿（.xlsx 格式；旧版 .xls 请先另存为 .xlsx）', `cannot read the file as an Excel workbook (.xlsx): ${reason}`);
const noSheet = () => new ValidationError([err('empty_file', 'file', '工作簿中没有工作表', 'the workbook has no worksheet')]);
// Trimmed only: a voucher number or the bank's reason is kept as written (full-width brackets stay full-width).
const clean = (s: string) => s.replace(/^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$/g, '');
const headerKey = (s: string) => clean(s).normalize('NFKC').replace(/[\s*＊]/g, '').replace(/[（(]/g, '(').replace(/[)）]/g, ')').toLowerCase();

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('formula' in v || 'sharedFormula' in v) return cellText((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('text' in v) return String((v as ExcelJS.CellHyperlinkValue).text);
    if ('error' in v) return '';
  }
  return String(v);
}

const RESULT_WORDS: Record<string, 'paid' | 'failed'> = { 成功: 'paid', 已支付: 'paid', 支付成功: 'paid', paid: 'paid', success: 'paid', 失败: 'failed', 支付失败: 'failed', 退回: 'failed', failed: 'failed', failure: 'failed' };
const REQUIRED = ['序号', '申报编号', '金额(分)', '结果', '凭证号', '失败原因'];

/**
 * Reads a return file (the return template, or the bank file with the result columns added) through the shared
 * streaming reader: header row first; rows without a result are left pending; the total row is skipped. The rows
 * that read, and every problem of the others with its row number and column (recordReturn refuses the file then).
 */
export async function readReturnWorkbook(data: Buffer | Uint8Array | ArrayBuffer, read: ImportReadOptions & { maxRows: number }): Promise<{ rows: ReturnRow[]; errors: KaifangError[] }> {
  return readSheet(data, { ...read, sheet: BANK_SHEET, headerRows: 1, notAWorkbook: badFile, noSheet }, async (ws) => {
    let cols: Map<string, number> | undefined;
    const out: ReturnRow[] = [];
    const errors: KaifangError[] = [];
    let dataRows = 0;
    for await (const row of ws.rows) {
      if (!cols) {
        cols = new Map();
        row.eachCell((cell, col) => {
          const k = headerKey(cellText(cell.value));
          if (k && !cols!.has(k)) cols!.set(k, col);
        });
        const missing = REQUIRED.filter((h) => !cols!.has(headerKey(h)));
        if (missing.length) {
          throw new ValidationError(
            missing.map((h) => err('missing_column', `columns.${h}`, `第${row.number}行（表头）缺少“${h.replace('(分)', '（分）')}”列；请使用本批次的回盘模板`, `row ${row.number} (the header) has no column "${h}"; use this batch's return template`, { row: row.number, column: h })),
          );
        }
        continue;
      }
      const text = (h: string) => {
        const c = cols!.get(headerKey(h));
        return c ? clean(cellText(row.getCell(c).value)) : '';
      };
      // codes, numbers, dates and the result: full-width digits and letters read as ASCII
      const get = (h: string) => text(h).normalize('NFKC');
      const first = get('序号');
      if (first === TOTAL_LABEL || first.startsWith(TOTAL_LABEL)) continue;
      const resultText = get('结果');
      if (!first && !resultText && !get('申报编号')) continue; // a blank line
      dataRows++;
      if (dataRows > read.maxRows) throw new ValidationError([err('too_many_rows', 'file', `回盘文件最多${read.maxRows}行`, `a return file holds at most ${read.maxRows} rows`, { limit: read.maxRows, setting: 'KAIFANG_IMPORT_MAX_ROWS' })]);
      if (!resultText) continue; // not returned yet: stays pending
      const r = row.number;
      const rowErrors: KaifangError[] = [];
      const result = RESULT_WORDS[resultText.toLowerCase()];
      if (!result) rowErrors.push(rowError(r, '结果', 'result', 'bad_result', `“${resultText}”不是结果；请填“成功”或“失败”`, `"${resultText}" is not a result; write 成功 (paid) or 失败 (failed)`));
      const lineNo = Number(first);
      if (!/^[0-9]+$/.test(first) || !Number.isSafeInteger(lineNo) || lineNo <= 0) rowErrors.push(rowError(r, '序号', 'lineNo', 'bad_line', `序号“${first}”应为正整数`, `the line number "${first}" must be a positive integer`));
      const claimText = get('申报编号');
      const claimId = claimText ? Number(claimText) : undefined;
      if (claimText && !/^[0-9]+$/.test(claimText)) rowErrors.push(rowError(r, '申报编号', 'claimId', 'bad_id', `申报编号“${claimText}”应为正整数`, `the claim id "${claimText}" must be a positive integer`));
      const fenText = get('金额(分)').replace(/,/g, '');
      const amountFen = fenText ? Number(fenText) : undefined;
      if (!fenText || !/^[0-9]+$/.test(fenText)) rowErrors.push(rowError(r, '金额（分）', 'amountFen', 'bad_amount', `金额（分）“${fenText}”应为整数`, `the amount in fen "${fenText}" must be an integer`));
      const yuanText = get('金额(元)').replace(/,/g, '');
      if (yuanText && fenText && /^[0-9]+$/.test(fenText) && (!/^[0-9]+(\.[0-9]{1,2})?$/.test(yuanText) || Math.round(Number(yuanText) * 100) !== Number(fenText))) {
        rowErrors.push(rowError(r, '金额（元）', 'amountYuan', 'amount_mismatch', `金额（元）${yuanText}与金额（分）${fenText}不一致`, `the amount in yuan ${yuanText} disagrees with the amount in fen ${fenText}`));
      }
      const usccText = get('统一社会信用代码');
      let uscc: string | undefined;
      if (usccText) {
        try {
          uscc = parseUscc(usccText, 'uscc');
        } catch {
          rowErrors.push(rowError(r, '统一社会信用代码', 'uscc', 'bad_uscc', `统一社会信用代码“${usccText}”无效`, `"${usccText}" is not a valid unified social credit code`));
        }
      }
      const paidOnText = get('拨付日期');
      if (paidOnText && !isCivilDate(paidOnText)) rowErrors.push(rowError(r, '拨付日期', 'paidOn', 'bad_date', `拨付日期“${paidOnText}”应为 YYYY-MM-DD`, `the payment date "${paidOnText}" must be YYYY-MM-DD`));
      if (rowErrors.length) {
        errors.push(...rowErrors);
        continue;
      }
      out.push({ row: r, lineNo, claimId, uscc, amountFen, result: result!, voucherNo: text('凭证号') || undefined, failureReason: text('失败原因') || undefined, paidOn: paidOnText || undefined });
    }
    if (!cols) throw new ValidationError([err('empty_file', 'file', '回盘文件是空的', 'the return file is empty')]);
    return { rows: out, errors };
  });
}

/** Reads a return file and records it (all or nothing). */
export async function importReturnFile(ctx: PlatformContext, user: Principal, id: number, data: Buffer, opts: { paidOn?: unknown; fileName?: string; ip?: string | null; read?: ImportReadOptions }) {
  authorize(user, 'payment.record', {}, ctx.access);
  await loadBatch(ctx.db, id);
  const { rows, errors } = await readReturnWorkbook(data, { ...opts.read, maxRows: ctx.config.importMaxRows });
  return recordReturn(ctx, user, id, rows, { paidOn: opts.paidOn, ip: opts.ip, source: 'file', fileName: opts.fileName, readErrors: errors });
}

export { BANK_HEADERS, RETURN_HEADERS };
