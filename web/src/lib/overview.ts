/** Pure shaping of GET /api/stats/overview for the charts: money in 万元 for the axes, cumulative sums by month. */
import type { Overview, OverviewRow } from '../api/types';

export const toWan = (fen: number | null | undefined): number => (fen ? Math.round(fen / 100) / 10_000 : 0);

export interface Totals {
  claims: number;
  approved: number;
  approvedFen: number;
  paidFen: number;
  budgetFen: number;
  /** paid ÷ budget, 0..1 (null without a budget) */
  execution: number | null;
}

export function totals(rows: OverviewRow[]): Totals {
  const t = rows.reduce<Omit<Totals, 'execution'>>(
    (a, r) => ({ claims: a.claims + (r.claims ?? 0), approved: a.approved + (r.approved ?? 0), approvedFen: a.approvedFen + (r.approvedFen ?? 0), paidFen: a.paidFen + (r.paidFen ?? 0), budgetFen: a.budgetFen + (r.budgetFen ?? 0) }),
    { claims: 0, approved: 0, approvedFen: 0, paidFen: 0, budgetFen: 0 },
  );
  return { ...t, execution: t.budgetFen > 0 ? t.paidFen / t.budgetFen : null };
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
