// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { cumulativeByMonth, toWan, totals } from './overview';

describe('overview shaping', () => {
  it('fen to 万元 for chart axes', () => {
    expect(toWan(300_000_000)).toBe(300);
    expect(toWan(599_940_000)).toBe(599.94);
    expect(toWan(null)).toBe(0);
  });
  it('totals and budget execution', () => {
    const t = totals([
      { claims: 3, approved: 2, approvedFen: 300, paidFen: 100, budgetFen: 1000 },
      { claims: 1, approved: 0, approvedFen: 0, paidFen: 0, budgetFen: null },
    ]);
    expect(t).toEqual({ claims: 4, approved: 2, approvedFen: 300, paidFen: 100, budgetFen: 1000, budgetedApprovedFen: 300, budgetedPaidFen: 100, execution: 0.1 });
    expect(totals([{ claims: 1, approved: 1, approvedFen: 5, paidFen: 5 }]).execution).toBeNull();
  });
  it('the share of the budget counts only measures that have a budget', () => {
    const t = totals([
      { claims: 2, approved: 2, approvedFen: 300, paidFen: 100, budgetFen: 1000 },
      { claims: 5, approved: 5, approvedFen: 1380, paidFen: 900, budgetFen: null }, // no budget: not part of the share
      { claims: 1, approved: 1, approvedFen: 50, paidFen: 50 },
    ]);
    expect(t).toMatchObject({ approvedFen: 1730, paidFen: 1050, budgetFen: 1000, budgetedApprovedFen: 300, budgetedPaidFen: 100, execution: 0.1 });
  });
  it('running sums by month, in month order', () => {
    expect(
      cumulativeByMonth([
        { month: '2020-09', claims: 1, approved: 1, approvedFen: 50, paidFen: 0 },
        { month: '2020-08', claims: 2, approved: 1, approvedFen: 100, paidFen: 100 },
      ]),
    ).toEqual([
      { month: '2020-08', claims: 2, approved: 1, cumApprovedFen: 100, cumPaidFen: 100 },
      { month: '2020-09', claims: 1, approved: 1, cumApprovedFen: 150, cumPaidFen: 100 },
    ]);
  });
});
