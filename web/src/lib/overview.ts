/** Pure shaping of GET /api/stats/overview for the charts: money in 万元 for the axes, cumulative sums by month. */
import type { Overview, OverviewRow } from '../api/types';

export const toWan = (fen: number | null | undefined): number => (fen ? Math.round(fen / 100) / 10_000 : 0);

export interface Totals {
  claims: number;
  approved: number;
  approvedFen: number;
  paidFen: number;
  budgetFen: number;
  /** approved and paid under the measures that have a budget: what a share of the budget is taken of */
  budgetedApprovedFen: number;
  budgetedPaidFen: number;
  /** paid under budgeted measures ÷ budget, 0..1 (null without a budget) */
  execution: number | null;
}

export function totals(rows: OverviewRow[]): Totals {
  // A measure without a budget is limited by its caps alone: its money is no part of any budget's use.
  const t = rows.reduce<Omit<Totals, 'execution'>>(
    (a, r) => {
      const budgeted = r.budgetFen !== null && r.budgetFen !== undefined;
      return {
        claims: a.claims + (r.claims ?? 0),
        approved: a.approved + (r.approved ?? 0),
        approvedFen: a.approvedFen + (r.approvedFen ?? 0),
        paidFen: a.paidFen + (r.paidFen ?? 0),
        budgetFen: a.budgetFen + (r.budgetFen ?? 0),
        budgetedApprovedFen: a.budgetedApprovedFen + (budgeted ? (r.approvedFen ?? 0) : 0),
        budgetedPaidFen: a.budgetedPaidFen + (budgeted ? (r.paidFen ?? 0) : 0),
      };
    },
    { claims: 0, approved: 0, approvedFen: 0, paidFen: 0, budgetFen: 0, budgetedApprovedFen: 0, budgetedPaidFen: 0 },
  );
  return { ...t, execution: t.budgetFen > 0 ? t.budgetedPaidFen / t.budgetFen : null };
}

/** Months in order with running totals of approved and paid money. */
export function cumulativeByMonth(rows: Overview['byMonth']): Array<{ month: string; claims: number; approved: number; cumApprovedFen: number; cumPaidFen: number }> {
  let a = 0;
  let p = 0;
  return [...rows]
    .sort((x, y) => (x.month < y.month ? -1 : x.month > y.month ? 1 : 0))
    .map((r) => {
      a += r.approvedFen ?? 0;
      p += r.paidFen ?? 0;
      return { month: r.month, claims: r.claims ?? 0, approved: r.approved ?? 0, cumApprovedFen: a, cumPaidFen: p };
    });
}
