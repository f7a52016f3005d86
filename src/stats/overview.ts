/**
 * The overview for leadership and supervisors (督查): per measure, per area and per month, how many claims came
 * in, how many were approved and for how much, what was paid, against each measure's budget. Scoped like the
 * claims themselves: an area sees its area, a lead department its measures, finance and auditors everything.
 *
 * Definitions (one year = the policy year the claims are for):
 *   claims      claims submitted (a draft that was never submitted is not a claim yet)
 *   approved    claims decided for money and not since rejected (公示, approved, paid)
 *   approvedFen the net award: awards less reversals and clawbacks (city awards are not district money)
 *   paidFen     payments recorded
 *   byMonth     claims by month of submission, approvals and awards by month of decision, payments by pay date
 */
import { sql, type RawBuilder } from 'kysely';
import { KaifangError, ValidationError } from '../errors.ts';
import { listScope } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import { listAreas } from '../enterprises/areas.ts';
import { budgetMeasures } from '../ledger/budgets.ts';
import type { PlatformContext } from '../claims/context.ts';

export interface OverviewRow {
  claims: number;
  approved: number;
  approvedFen: number;
  paidFen: number;
}

export interface Overview {
  year: number;
  /**
   * budgetFen: the budgets set (null: none); budgetedApprovedFen / budgetedPaidFen: what was approved and paid under
   * the measures that have a budget — the only money a share of the budget can be taken of (a measure without one
   * is limited by its caps alone, and its money would overstate the budget used).
   */
  totals: OverviewRow & { budgetFen: number | null; budgetedApprovedFen: number; budgetedPaidFen: number };
  /** measureNo: the measure's number, null for the general provisions (附则：一事一议), whose measure id is 'general' */
  byMeasure: Array<OverviewRow & { measure: string; measureNo: number | null; title: string; budgetFen: number | null }>;
  byArea: Array<OverviewRow & { areaId: string; name: string }>;
  byMonth: Array<OverviewRow & { month: string }>;
}

const DECIDED = ['publicity', 'approved', 'paid'];

/** `recount`: count from the claims, ledger and payments instead of overview_sums (tests; a check of the sums). */
export async function statsOverview(ctx: PlatformContext, user: Principal, year: number, options: { recount?: boolean } = {}): Promise<Overview> {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) {
    throw new ValidationError([new KaifangError({ code: 'bad_year', path: 'year', zh: '年度应为四位数年份，如2020', en: 'year must be a four-digit year such as 2020' })]);
  }
  const scope = listScope(user, 'claim.read', ctx.access);
  if (user.role === 'enterprise' || scope.kind === 'none' || scope.kind === 'enterprise') {
    throw new KaifangError({ code: 'forbidden', zh: '无权查看统计总览', en: 'not allowed to read the overview', details: { role: user.role } });
  }
  const policyId = ctx.engine.policy.id;
  const inScope: RawBuilder<boolean> =
    scope.kind === 'area'
      ? sql<boolean>`c.area_id = ${scope.areaId}`
      : scope.kind === 'measures'
        ? scope.measureIds.length
          ? sql<boolean>`c.measure_id in (${sql.join(scope.measureIds)})`
          : sql<boolean>`false`
        : sql<boolean>`true`;
  type Grouped = { k: string; claims: number; approved: number; approved_fen: number; paid_fen: number };
  type Month = { month: string; claims: number; approved: number; approved_fen: number; paid_fen: number };
  let grouped: (key: 'measure_id' | 'area_id') => Promise<Grouped[]>;
  let monthly: () => Promise<Month[]>;
  if (options.recount) {
    // The definitions above, counted from the claims, the ledger and the payments themselves: what overview_sums
    // must always equal (the tests hold the two side by side). Its cost grows with the year's claims.
    const claimsOf = sql`claims c where c.policy_id = ${policyId} and c.year = ${year} and ${inScope}`;
    const decided = sql.join(DECIDED);
    grouped = async (key) =>
      (
        await sql<Grouped>`
          select ${sql.ref(`c.${key}`)} as k,
                 count(*) filter (where c.submitted_at is not null) as claims,
                 count(*) filter (where c.state in (${decided})) as approved,
                 coalesce(sum((select sum(e.amount_fen) from ledger_entries e where e.claim_id = c.id and e.kind <> 'cityAward')), 0) as approved_fen,
                 coalesce(sum((select sum(p.amount_fen) from payments p where p.claim_id = c.id)), 0) as paid_fen
            from ${claimsOf}
           group by 1`.execute(ctx.db)
      ).rows;
    monthly = async () =>
      (
        await sql<Month>`
          select month, sum(claims) as claims, sum(approved) as approved, sum(approved_fen) as approved_fen, sum(paid_fen) as paid_fen from (
            select to_char(c.submitted_at, 'YYYY-MM') as month, 1 as claims, 0 as approved, 0 as approved_fen, 0 as paid_fen
              from ${claimsOf} and c.submitted_at is not null
            union all
            select to_char(e.created_at, 'YYYY-MM'), 0, case when e.kind = 'award' and c.state in (${decided}) then 1 else 0 end, e.amount_fen, 0
              from ledger_entries e join claims c on c.id = e.claim_id where c.policy_id = ${policyId} and c.year = ${year} and ${inScope} and e.kind <> 'cityAward'
            union all
            select to_char(p.paid_on, 'YYYY-MM'), 0, 0, 0, p.amount_fen
              from payments p join claims c on c.id = p.claim_id where c.policy_id = ${policyId} and c.year = ${year} and ${inScope}
          ) m group by month order by month`.execute(ctx.db)
      ).rows;
  } else {
    // overview_sums (migration 0017): the same figures, kept by triggers in the transaction of each submission,
    // decision, correction and payment. A policy-year has at most measures × areas × months × 4 slots rows, however
    // many claims it holds. `decided` is kept apart from the months (month ''): byMonth counts approvals by the
    // month of their award instead. A month is listed when something happened in it, as the recount lists it.
    const sums = sql`overview_sums c where c.policy_id = ${policyId} and c.year = ${year} and ${inScope}`;
    grouped = async (key) =>
      (
        await sql<Grouped>`
          select ${sql.ref(`c.${key}`)} as k, sum(c.submitted) as claims, sum(c.decided) as approved, sum(c.approved_fen) as approved_fen, sum(c.paid_fen) as paid_fen
            from ${sums}
           group by 1`.execute(ctx.db)
      ).rows;
    monthly = async () =>
      (
        await sql<Month>`
          select c.month, sum(c.submitted) as claims, sum(c.approvals) as approved, sum(c.approved_fen) as approved_fen, sum(c.paid_fen) as paid_fen
            from ${sums} and c.month <> ''
           group by c.month
          having sum(c.submitted) + sum(c.entries) + sum(c.payments) > 0
           order by c.month`.execute(ctx.db)
      ).rows;
  }

  const [measureRows, areaRows, budgets, months] = await Promise.all([
    grouped('measure_id'),
    grouped('area_id'),
    ctx.db.selectFrom('budgets').select(['measure_id', 'amount_fen']).where('policy_id', '=', policyId).where('year', '=', year).execute(),
    monthly(),
  ]);
  const row = (r?: Grouped): OverviewRow => ({ claims: Number(r?.claims ?? 0), approved: Number(r?.approved ?? 0), approvedFen: Number(r?.approved_fen ?? 0), paidFen: Number(r?.paid_fen ?? 0) });
  const budgetOf = new Map(budgets.map((b) => [b.measure_id, b.amount_fen]));
  const byMeasureKey = new Map(measureRows.map((r) => [r.k, r]));
  const byAreaKey = new Map(areaRows.map((r) => [r.k, r]));

  const measures = budgetMeasures(ctx).filter((m) => scope.kind !== 'measures' || scope.measureIds.includes(m.measure));
  const byMeasure = measures.map((m) => ({ measure: m.measure, measureNo: /^\d+$/.test(m.measure) ? Number(m.measure) : null, title: m.title, ...row(byMeasureKey.get(m.measure)), budgetFen: budgetOf.get(m.measure) ?? null }));
  const areas = listAreas().filter((a) => scope.kind !== 'area' || a.id === scope.areaId);
  const byArea = areas.map((a) => ({ areaId: a.id, name: a.nameZh, ...row(byAreaKey.get(a.id)) }));
  const byMonth = months.map((m) => ({ month: m.month, claims: Number(m.claims), approved: Number(m.approved), approvedFen: Number(m.approved_fen), paidFen: Number(m.paid_fen) }));
  const sum = (k: keyof OverviewRow) => byMeasure.reduce((s, r) => s + r[k], 0);
  const budgeted = byMeasure.filter((m) => m.budgetFen !== null);
  return {
    year,
    totals: {
      claims: sum('claims'),
      approved: sum('approved'),
      approvedFen: sum('approvedFen'),
      paidFen: sum('paidFen'),
      budgetFen: budgeted.length ? budgeted.reduce((s, m) => s + m.budgetFen!, 0) : null,
      budgetedApprovedFen: budgeted.reduce((s, m) => s + m.approvedFen, 0),
      budgetedPaidFen: budgeted.reduce((s, m) => s + m.paidFen, 0),
    },
    byMeasure,
    byArea,
    byMonth,
  };
}
