/**
 * Each measure's money for a year (预算). Finance sets it; lead departments see their measures' position,
 * finance and auditors all. A decision checks the budget under the budget locks (ledger.ts, decision.ts); setting
 * a budget takes the budget lock exclusively, so a budget can never be lowered below what decisions have committed.
 * When a budget runs out the claim waits in submission order until the budget is raised (workflow.ts).
 */
import { sql } from 'kysely';
import { appendAudit } from '../audit/audit-log.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { authorize, listScope } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import { formatFen } from '../policy/quantities.ts';
import { actorOf, GENERAL_MEASURE_ID, measureIdOf, type PlatformContext } from '../claims/context.ts';
import { budgetPosition, lockBudget } from './ledger.ts';

export interface MeasureRef {
  measure: string;
  title: string;
}

/** The measures that can carry money (those with incentives), and the general provisions when they have any. */
export function budgetMeasures(ctx: PlatformContext): MeasureRef[] {
  const policy = ctx.engine.policy;
  const withIncentives = new Set(policy.incentives.map((i) => measureIdOf(i.measure)));
  const out: MeasureRef[] = policy.measures.filter((m) => withIncentives.has(String(m.measure))).map((m) => ({ measure: String(m.measure), title: m.title }));
  if (withIncentives.has(GENERAL_MEASURE_ID)) out.push({ measure: GENERAL_MEASURE_ID, title: '附则：一事一议' });
  return out;
}

export function measureTitle(ctx: PlatformContext, measureId: string): string {
  return budgetMeasures(ctx).find((m) => m.measure === measureId)?.title ?? ctx.engine.policy.measures.find((m) => String(m.measure) === measureId)?.title ?? measureId;
}

function checkYear(year: unknown, path: string): number {
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 2000 || year > 2100) {
    throw new ValidationError([new KaifangError({ code: 'bad_year', path, zh: '年度应为四位数年份，如2020', en: 'year must be a four-digit year such as 2020' })]);
  }
  return year;
}

export interface BudgetRow {
  measure: string;
  title: string;
  year: number;
  /** null: no budget set (decisions are then not limited by a budget) */
  budgetFen: number | null;
  /** awards net of reversals and clawbacks */
  committedFen: number;
  paidFen: number;
  remainingFen: number | null;
}

export async function listBudgets(ctx: PlatformContext, user: Principal, year: number): Promise<BudgetRow[]> {
  checkYear(year, 'year');
  const scope = listScope(user, 'budget.read', ctx.access);
  if (scope.kind === 'none') throw new KaifangError({ code: 'forbidden', zh: '无权查看预算', en: 'not allowed to read budgets', details: { action: 'budget.read', role: user.role } });
  const policyId = ctx.engine.policy.id;
  const measures = budgetMeasures(ctx).filter((m) => scope.kind !== 'measures' || scope.measureIds.includes(m.measure));
  if (!measures.length) return [];
  const ids = measures.map((m) => m.measure);
  const [budgets, committed, paid] = await Promise.all([
    ctx.db.selectFrom('budgets').select(['measure_id', 'amount_fen']).where('policy_id', '=', policyId).where('year', '=', year).where('measure_id', 'in', ids).execute(),
    ctx.db
      .selectFrom('ledger_entries')
      .select(['measure_id', sql<number>`coalesce(sum(amount_fen), 0)`.as('s')])
      .where('policy_id', '=', policyId)
      .where('year', '=', year)
      .where('kind', '!=', 'cityAward')
      .where('measure_id', 'in', ids)
      .groupBy('measure_id')
      .execute(),
    ctx.db
      .selectFrom('payments')
      .innerJoin('claims', 'claims.id', 'payments.claim_id')
      .select(['claims.measure_id', sql<number>`coalesce(sum(payments.amount_fen), 0)`.as('s')])
      .where('claims.policy_id', '=', policyId)
      .where('claims.year', '=', year)
      .where('claims.measure_id', 'in', ids)
      .groupBy('claims.measure_id')
      .execute(),
  ]);
  const b = new Map(budgets.map((r) => [r.measure_id, r.amount_fen]));
  const c = new Map(committed.map((r) => [r.measure_id, Number(r.s)]));
  const p = new Map(paid.map((r) => [r.measure_id, Number(r.s)]));
  return measures.map((m) => {
    const budgetFen = b.get(m.measure) ?? null;
    const committedFen = c.get(m.measure) ?? 0;
    return { measure: m.measure, title: m.title, year, budgetFen, committedFen, paidFen: p.get(m.measure) ?? 0, remainingFen: budgetFen === null ? null : budgetFen - committedFen };
  });
}

/** The longest reason kept with a budget change. */
export const BUDGET_REASON_MAX = 500;

/**
 * Sets a measure-year's budget. `reason` (why it is set or changed: the budget document, a mid-year adjustment) is
 * kept with the change in the budget history; the web page asks for it, the API takes it optionally.
 */
export async function setBudget(ctx: PlatformContext, user: Principal, measure: string, year: number, amountFen: unknown, ip?: string | null, reason?: unknown): Promise<BudgetRow> {
  const policyId = ctx.engine.policy.id;
  const errors: KaifangError[] = [];
  const why = typeof reason === 'string' ? reason.trim() : '';
  if (reason !== undefined && reason !== null && typeof reason !== 'string') errors.push(new KaifangError({ code: 'bad_reason', path: 'reason', zh: '调整原因应为文字', en: 'reason must be text' }));
  else if (why.length > BUDGET_REASON_MAX) errors.push(new KaifangError({ code: 'too_long', path: 'reason', zh: `调整原因不能超过${BUDGET_REASON_MAX}字`, en: `reason may not exceed ${BUDGET_REASON_MAX} characters` }));
  const ref = budgetMeasures(ctx).find((m) => m.measure === measure);
  if (!ref) errors.push(new KaifangError({ code: 'unknown_measure', path: 'measure', zh: `措施“${measure}”不存在或没有奖励项目`, en: `measure "${measure}" does not exist or has no incentives` }));
  try {
    checkYear(year, 'year');
  } catch (e) {
    errors.push(...(e as ValidationError).errors);
  }
  if (typeof amountFen !== 'number' || !Number.isSafeInteger(amountFen) || amountFen < 0) errors.push(new KaifangError({ code: 'bad_amount', path: 'amountFen', zh: '预算金额应为不小于0的整数（分）', en: 'amountFen must be a non-negative integer (fen)' }));
  if (errors.length) throw new ValidationError(errors);
  authorize(user, 'budget.manage', { measureId: measure, policyId }, ctx.access);
  return ctx.db.transaction().execute(async (trx) => {
    // Exclusive on the measure-year's budget lock (ledger.ts): waits for its decisions in flight, holds off new ones.
    await lockBudget(trx, { policyId, measureId: measure, year });
    const position = await budgetPosition(trx, policyId, measure, year);
    if ((amountFen as number) < position.committedFen) {
      throw new ValidationError([
        new KaifangError({
          code: 'budget_below_committed',
          path: 'amountFen',
          zh: `预算不能低于已承诺的${formatFen(position.committedFen)}（措施${measure} ${year}年度）`,
          en: `the budget cannot be below the ${position.committedFen} fen already committed under measure ${measure} in ${year}`,
        }),
      ]);
    }
    await trx
      .insertInto('budgets')
      .values({ policy_id: policyId, measure_id: measure, year, amount_fen: amountFen as number, set_by: user.id })
      .onConflict((oc) => oc.columns(['policy_id', 'measure_id', 'year']).doUpdateSet({ amount_fen: amountFen as number, set_by: user.id, set_at: new Date() }))
      .execute();
    // The history of the measure-year's budget: from → to, who, when, why (shown on the budgets page).
    await trx
      .insertInto('budget_changes')
      .values({ policy_id: policyId, measure_id: measure, year, from_fen: position.budgetFen, to_fen: amountFen as number, reason: why || null, changed_by: user.id })
      .execute();
    await appendAudit(trx, actorOf(user, ip), { action: 'budget.set', entity: 'budget', entityId: `${measure}/${year}`, details: { measure, year, amountFen: amountFen as number, previousFen: position.budgetFen, reason: why || null } });
    const paid = await trx
      .selectFrom('payments')
      .innerJoin('claims', 'claims.id', 'payments.claim_id')
      .select(sql<number>`coalesce(sum(payments.amount_fen), 0)`.as('s'))
      .where('claims.policy_id', '=', policyId)
      .where('claims.year', '=', year)
      .where('claims.measure_id', '=', measure)
      .executeTakeFirstOrThrow();
    return { measure, title: ref!.title, year, budgetFen: amountFen as number, committedFen: position.committedFen, paidFen: Number(paid.s), remainingFen: (amountFen as number) - position.committedFen };
  });
}

export interface BudgetChange {
  id: number;
  measure: string;
  title: string;
  year: number;
  /** null: no budget before this change */
  fromFen: number | null;
  toFen: number;
  reason: string | null;
  changedBy: string | null;
  changedAt: Date;
}

/** The history of a year's budgets, newest first, in the caller's scope (lead departments: their measures). */
export async function listBudgetChanges(ctx: PlatformContext, user: Principal, year: number, measure?: string): Promise<BudgetChange[]> {
  checkYear(year, 'year');
  const scope = listScope(user, 'budget.read', ctx.access);
  if (scope.kind === 'none') throw new KaifangError({ code: 'forbidden', zh: '无权查看预算', en: 'not allowed to read budgets', details: { action: 'budget.read', role: user.role } });
  let q = ctx.db
    .selectFrom('budget_changes')
    .leftJoin('users', 'users.id', 'budget_changes.changed_by')
    .select(['budget_changes.id', 'measure_id', 'year', 'from_fen', 'to_fen', 'reason', 'changed_at', 'users.display_name'])
    .where('policy_id', '=', ctx.engine.policy.id)
    .where('year', '=', year);
  if (measure) q = q.where('measure_id', '=', measure);
  if (scope.kind === 'measures') q = scope.measureIds.length ? q.where('measure_id', 'in', scope.measureIds) : q.where('budget_changes.id', '<', 0);
  const rows = await q.orderBy('budget_changes.id', 'desc').execute();
  return rows.map((r) => ({
    id: r.id,
    measure: r.measure_id,
    title: measureTitle(ctx, r.measure_id),
    year: r.year,
    fromFen: r.from_fen === null ? null : Number(r.from_fen),
    toFen: Number(r.to_fen),
    reason: r.reason,
    changedBy: r.display_name,
    changedAt: r.changed_at,
  }));
}
