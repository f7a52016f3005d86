/**
 * 拨付: finance records the payment of an approved claim with its voucher number. Credit is checked again
 * first; one payment per claim and per award (unique constraints), so nothing is ever paid twice.
 */
import { sql } from 'kysely';
import { KaifangError, ValidationError } from '../errors.ts';
import { appendAudit } from '../audit/audit-log.ts';
import { authorize, listScope } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import { isCivilDate } from '../civil-date.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { assertNotCreditBlocked } from '../credit/credit.ts';
import { actorOf, type PlatformContext } from './context.ts';
import { invalidState, loadClaim } from './claims.ts';
import { claimAwardEntry, claimOutstandingFen } from '../ledger/ledger.ts';

export async function payClaim(ctx: PlatformContext, user: Principal, id: number, input: { voucherNo: unknown; paidOn: unknown }, ip?: string | null) {
  const errors: KaifangError[] = [];
  const voucherNo = typeof input.voucherNo === 'string' ? input.voucherNo.trim() : '';
  if (!voucherNo) errors.push(new KaifangError({ code: 'required', path: 'voucherNo', zh: '请填写记账凭证号', en: 'voucherNo is required' }));
  if (!isCivilDate(input.paidOn)) errors.push(new KaifangError({ code: 'bad_date', path: 'paidOn', zh: '拨付日期应为 YYYY-MM-DD', en: 'paidOn must be YYYY-MM-DD' }));
  if (errors.length) throw new ValidationError(errors);
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const c = await loadClaim(ctx, trx, user, id, 'payment.record', true);
      if (c.state !== 'approved') throw invalidState(c.state, '只有公示期满、待拨付的申报可以拨付', 'only approved claims can be paid');
      // A claim in a payment batch sent to the bank is paid by the bank's return, never also by hand (read under the
      // claim's row lock, which building a batch and recording its return take too: payment-batches.ts).
      const inBatch = await trx.selectFrom('payment_batch_lines').select('batch_id').where('claim_id', '=', id).where('status', '=', 'pending').executeTakeFirst();
      if (inBatch) {
        throw new KaifangError({
          code: 'in_payment_batch',
          zh: `该申报已在拨付批次${inBatch.batch_id}中，等待银行回盘；请在批次中登记结果，不能另行拨付`,
          en: `the claim is in payment batch ${inBatch.batch_id}, awaiting the bank's return; record the result there instead`,
          details: { batchId: inBatch.batch_id },
        });
      }
      await assertNotCreditBlocked(trx, c.enterprise_uscc, input.paidOn as string, 'pay');
      // What is paid is what stands of the award (net of any reversal), read under the claim's row lock that every
      // correction also takes: the one definition of outstanding money (ledger.ts).
      const award = await claimAwardEntry(trx, id);
      const amount = award ? await claimOutstandingFen(trx, id) : 0;
      if (amount <= 0) throw invalidState(c.state, '该奖励已冲销，无可拨付金额', 'nothing left to pay');
      await trx.insertInto('payments').values({ claim_id: id, ledger_entry_id: award!.id, voucher_no: voucherNo, amount_fen: amount, paid_on: input.paidOn as string, paid_by: user.id }).execute();
      await trx.updateTable('claims').set({ state: 'paid', version: c.version + 1, updated_at: new Date() }).where('id', '=', id).execute();
      await appendAudit(trx, actorOf(user, ip), { action: 'claim.pay', entity: 'claim', entityId: id, details: { from: 'approved', to: 'paid', voucherNo, amountFen: amount, paidOn: input.paidOn as string } });
      return { id, state: 'paid' as const, amountFen: amount, voucherNo };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new KaifangError({ code: 'conflict', path: 'voucherNo', zh: '该凭证号已使用，或该申报已拨付', en: 'voucher number already used, or the claim is already paid' });
    throw e;
  }
}

/** The payment list of a caller's scope, as a query: approved claims awaiting payment, or payments made. */
function paymentsQuery(ctx: PlatformContext, user: Principal, status: 'awaiting' | 'paid') {
  // The role's scope is the filter below; a role without the permission at all is refused. (Authorizing against an
  // empty resource refused the department reviewers, whose scope is their measures.)
  const scope = listScope(user, 'payment.read', ctx.access);
  if (scope.kind === 'none') authorize(user, 'payment.read');
  let q = ctx.db
    .selectFrom('claims')
    .innerJoin('enterprises', 'enterprises.uscc', 'claims.enterprise_uscc')
    .leftJoin('payments', 'payments.claim_id', 'claims.id')
    .where('claims.state', '=', status === 'awaiting' ? 'approved' : 'paid');
  if (scope.kind === 'enterprise') q = q.where('claims.enterprise_uscc', '=', scope.enterpriseUscc);
  if (scope.kind === 'measures') q = scope.measureIds.length ? q.where('claims.measure_id', 'in', scope.measureIds) : q.where('claims.id', '<', 0);
  return q;
}

/** The list's columns and order on top of its scoped query. */
function paymentRows(q: ReturnType<typeof paymentsQuery>) {
  return q
    .select(['claims.id', 'claims.enterprise_uscc', 'enterprises.name', 'claims.area_id', 'claims.measure_id', 'claims.incentive_id', 'claims.item', 'claims.year', 'claims.state', 'payments.voucher_no', 'payments.paid_on', 'payments.amount_fen as paid_fen'])
    .select((eb) => eb.selectFrom('ledger_entries').select((e2) => e2.fn.sum<number>('amount_fen').as('s')).whereRef('ledger_entries.claim_id', '=', 'claims.id').as('net_fen'))
    // A payment batch awaiting the bank's return, and the bank's reason when the last transfer failed.
    .select(sql<number | null>`(select l.batch_id from payment_batch_lines l where l.claim_id = claims.id and l.status = 'pending' limit 1)`.as('in_batch'))
    .select(sql<string | null>`(select l.failure_reason from payment_batch_lines l where l.claim_id = claims.id and l.status = 'failed' order by l.id desc limit 1)`.as('failure_reason'))
    .select(sql<number | null>`(select l.batch_id from payment_batch_lines l where l.claim_id = claims.id and l.status = 'failed' order by l.id desc limit 1)`.as('failure_batch'))
    .orderBy('claims.id');
}

type PaymentRow = Awaited<ReturnType<ReturnType<typeof paymentRows>['execute']>>[number];

function paymentView(ctx: PlatformContext, status: 'awaiting' | 'paid', r: PaymentRow) {
  return {
    claimId: r.id,
    uscc: r.enterprise_uscc,
    enterpriseName: r.name,
    areaId: r.area_id,
    measureId: r.measure_id,
    incentive: r.incentive_id,
    title: ctx.engine.policy.incentivesById.get(r.incentive_id)?.title ?? r.incentive_id,
    item: r.item,
    year: r.year,
    amountFen: status === 'paid' ? Number(r.paid_fen) : Number(r.net_fen ?? 0),
    voucherNo: r.voucher_no,
    paidOn: r.paid_on,
    inBatch: r.in_batch === null ? null : Number(r.in_batch),
    lastFailure: status === 'awaiting' && r.failure_reason ? { batchId: Number(r.failure_batch), reason: r.failure_reason } : null,
  };
}

/** The whole payment list of the caller's scope, in claim order: what a payment batch (Excel) must contain, every row. */
export async function listPayments(ctx: PlatformContext, user: Principal, status: 'awaiting' | 'paid') {
  return (await paymentRows(paymentsQuery(ctx, user, status)).execute()).map((r) => paymentView(ctx, status, r));
}

/** One page of the payment list, paged in the database, with the total. */
export async function pagePayments(ctx: PlatformContext, user: Principal, status: 'awaiting' | 'paid', page: number, pageSize: number) {
  const q = paymentsQuery(ctx, user, status);
  const [rows, total] = await Promise.all([
    paymentRows(q).limit(pageSize).offset((page - 1) * pageSize).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map((r) => paymentView(ctx, status, r)), total: Number(total.n), page, pageSize };
}
