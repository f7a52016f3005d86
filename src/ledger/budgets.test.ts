// Budgets: finance sets them (never below what is committed), lead departments see their measures' position.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { createPlatformContext, type PlatformContext } from '../claims/context.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { createClaim } from '../claims/claims.ts';
import { reviewClaim, submitClaim } from '../claims/workflow.ts';
import { BUDGET_REASON_MAX, budgetMeasures, listBudgetChanges, listBudgets, setBudget } from './budgets.ts';

const engine = Engine.load();
const WAN = 1_000_000;

describeDatabases('budgets', (t) => {
  let ctx: PlatformContext;
  let w: World;
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine, { today: () => '2021-03-01' });
    w = await createWorld(t.db);
  });

  it('lists every measure that carries money, scoped to the lead department', async () => {
    const all = await listBudgets(ctx, w.users.finance, 2020);
    expect(all.map((b) => b.measure)).toEqual(budgetMeasures(ctx).map((m) => m.measure));
    expect(all.every((b) => b.budgetFen === null && b.committedFen === 0)).toBe(true);
    const industry = await listBudgets(ctx, w.users.industryReviewer, 2020);
    expect(industry.map((b) => b.measure)).toContain('16');
    expect(industry.every((b) => ctx.access.leadUnitsOf(b.measure).includes('industry-it-bureau'))).toBe(true);
    for (const u of [w.users.cable, w.users.shengzeReviewer, w.users.admin]) await expect(listBudgets(ctx, u, 2020)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('finance sets a budget; it cannot go below what decisions committed', async () => {
    await expect(setBudget(ctx, w.users.industryReviewer, '16', 2020, 1000 * WAN)).rejects.toMatchObject({ code: 'forbidden' });
    expect(await setBudget(ctx, w.users.finance, '16', 2020, 1000 * WAN)).toMatchObject({ budgetFen: 1000 * WAN, committedFen: 0, remainingFen: 1000 * WAN });
    const c = await createClaim(ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, item: '预算项目', facts: { equipmentInvestment: '2500万元' } });
    await submitClaim(ctx, w.users.cable, c.id);
    await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
    await reviewClaim(ctx, w.users.industryReviewer, c.id, { action: 'pass' });
    const low = await setBudget(ctx, w.users.finance, '16', 2020, 300 * WAN - 1).catch((e) => e);
    expect(low.errors[0]).toMatchObject({ path: 'amountFen', code: 'budget_below_committed' });
    expect(await setBudget(ctx, w.users.finance, '16', 2020, 300 * WAN)).toMatchObject({ remainingFen: 0 });
    const row = (await listBudgets(ctx, w.users.auditor, 2020)).find((b) => b.measure === '16');
    expect(row).toMatchObject({ budgetFen: 300 * WAN, committedFen: 300 * WAN, paidFen: 0, remainingFen: 0 });
  });

  it('names bad input', async () => {
    const err = await setBudget(ctx, w.users.finance, '99', 1999, -1).catch((e) => e);
    expect(err.errors.map((e: { path: string }) => e.path)).toEqual(['measure', 'year', 'amountFen']);
  });

  it('keeps the history of every change: from → to, who, when, why; a refused change leaves none', async () => {
    await setBudget(ctx, w.users.finance, '7', 2020, 500 * WAN, null, '区财政局2020年预算批复');
    await setBudget(ctx, w.users.finance, '7', 2020, 800 * WAN, null, '  年中追加  ');
    await setBudget(ctx, w.users.finance, '16', 2020, 299 * WAN, null, '低于已承诺').catch(() => undefined); // refused: below committed
    const changes = await listBudgetChanges(ctx, w.users.finance, 2020);
    expect(changes.filter((c) => c.measure === '7').map((c) => [c.fromFen, c.toFen, c.reason, c.changedBy])).toEqual([
      [500 * WAN, 800 * WAN, '年中追加', '区财政局'],
      [null, 500 * WAN, '区财政局2020年预算批复', '区财政局'],
    ]);
    // measure 16: 1000万 then 300万 (the earlier test); the refused 299万 is not in the history
    expect(changes.filter((c) => c.measure === '16').map((c) => [c.fromFen, c.toFen])).toEqual([
      [1000 * WAN, 300 * WAN],
      [null, 1000 * WAN],
    ]);
    expect((await listBudgetChanges(ctx, w.users.finance, 2020, '7')).every((c) => c.measure === '7')).toBe(true);
    expect(await listBudgetChanges(ctx, w.users.finance, 2021)).toEqual([]);
    // a lead department sees its measures' changes only; an area reviewer none
    const industry = await listBudgetChanges(ctx, w.users.industryReviewer, 2020);
    expect(industry.every((c) => ctx.access.leadUnitsOf(c.measure).includes('industry-it-bureau'))).toBe(true);
    await expect(listBudgetChanges(ctx, w.users.shengzeReviewer, 2020)).rejects.toMatchObject({ code: 'forbidden' });
    const long = await setBudget(ctx, w.users.finance, '7', 2020, 900 * WAN, null, '理'.repeat(BUDGET_REASON_MAX + 1)).catch((e) => e);
    expect(long.errors[0]).toMatchObject({ path: 'reason', code: 'too_long' });
    expect((await listBudgets(ctx, w.users.finance, 2020)).find((b) => b.measure === '7')?.budgetFen).toBe(800 * WAN);
  });
});
