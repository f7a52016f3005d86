/**
 * An enterprise's statement: its ledger entries (awards, reversals, clawbacks, city awards) and the payments
 * made on its claims, in the order they happened. The enterprise sees its own; a lead department the entries of
 * the measures it leads; finance and auditors all. Payments are listed beside the entries (kind `payment`) but
 * are not ledger entries: the net award is the sum of the entries, and the paid amount is the sum of payments.
 */
import type { Enterprise, LedgerKind } from '../db/schema.ts';
import { KaifangError } from '../errors.ts';
import { listScope } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import { getVisibleEnterprise } from '../enterprises/directory.ts';
import type { PlatformContext } from '../claims/context.ts';

export interface StatementLine {
  /** unique within the statement: L<ledger entry id> or P<payment id> */
  key: string;
  id: number;
  kind: LedgerKind | 'payment';
  incentive: string;
  incentiveTitle: string;
  measureId: string;
  item: string;
  year: number;
  amountFen: number;
  claimId: number | null;
  reference: string | null;
  note: string | null;
  voucherNo?: string;
  paidOn?: string;
  createdAt: Date;
}

export interface Statement {
  uscc: string;
  name: string;
  items: StatementLine[];
  totals: { awardedFen: number; cityAwardFen: number; paidFen: number };
}

export async function enterpriseStatement(ctx: PlatformContext, user: Principal, uscc: string): Promise<Statement> {
  return statementOf(ctx, user, await getVisibleEnterprise(ctx, user, uscc));
}

/** The statement of an enterprise the caller may already see (the case view has its row), in the caller's scope. */
export async function statementOf(ctx: PlatformContext, user: Principal, enterprise: Pick<Enterprise, 'uscc' | 'name'>): Promise<Statement> {
  const scope = listScope(user, 'ledger.read', ctx.access);
  if (scope.kind === 'none') throw new KaifangError({ code: 'forbidden', zh: '无权查看奖励台账', en: 'not allowed to read the award ledger', details: { action: 'ledger.read', role: user.role } });
  const measures = scope.kind === 'measures' ? scope.measureIds : null;
  if (measures && !measures.length) return { uscc: enterprise.uscc, name: enterprise.name, items: [], totals: { awardedFen: 0, cityAwardFen: 0, paidFen: 0 } };
  let entries = ctx.db.selectFrom('ledger_entries').selectAll().where('enterprise_uscc', '=', enterprise.uscc);
  let payments = ctx.db
    .selectFrom('payments')
    .innerJoin('claims', 'claims.id', 'payments.claim_id')
    .select(['payments.id', 'payments.claim_id', 'payments.voucher_no', 'payments.amount_fen', 'payments.paid_on', 'payments.recorded_at', 'claims.incentive_id', 'claims.measure_id', 'claims.item', 'claims.year'])
    .where('claims.enterprise_uscc', '=', enterprise.uscc);
  if (measures) {
    entries = entries.where('measure_id', 'in', measures);
    payments = payments.where('claims.measure_id', 'in', measures);
  }
  const [e, p] = await Promise.all([entries.orderBy('id').execute(), payments.orderBy('payments.id').execute()]);
  const title = (id: string) => ctx.engine.policy.incentivesById.get(id)?.title ?? id;
  const items: StatementLine[] = [
    ...e.map((r) => ({
      key: `L${r.id}`,
      id: r.id,
      kind: r.kind,
      incentive: r.incentive_id,
      incentiveTitle: title(r.incentive_id),
      measureId: r.measure_id,
      item: r.item,
      year: r.year,
      amountFen: r.amount_fen,
      claimId: r.claim_id,
      reference: r.reference,
      note: r.note,
      createdAt: r.created_at,
    })),
    ...p.map((r) => ({
      key: `P${r.id}`,
      id: r.id,
      kind: 'payment' as const,
      incentive: r.incentive_id,
      incentiveTitle: title(r.incentive_id),
      measureId: r.measure_id,
      item: r.item,
      year: r.year,
      amountFen: r.amount_fen,
      claimId: r.claim_id,
      reference: r.voucher_no,
      note: null,
      voucherNo: r.voucher_no,
      paidOn: r.paid_on,
      createdAt: r.recorded_at,
    })),
  ].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.key.localeCompare(b.key));
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  return {
    uscc: enterprise.uscc,
    name: enterprise.name,
    items,
    totals: {
      awardedFen: sum(e.filter((r) => r.kind !== 'cityAward').map((r) => r.amount_fen)),
      cityAwardFen: sum(e.filter((r) => r.kind === 'cityAward').map((r) => r.amount_fen)),
      paidFen: sum(p.map((r) => r.amount_fen)),
    },
  };
}
