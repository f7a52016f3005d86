// The overview: counts and money per measure, area and month, each caller's scope only.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { createPlatformContext, type PlatformContext } from '../claims/context.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { createClaim } from '../claims/claims.ts';
import { correctAward, reviewClaim, submitClaim } from '../claims/workflow.ts';
import { closePublicityBatch, createPublicityBatch } from '../claims/publicity.ts';
import { payClaim } from '../claims/payments.ts';
import { setBudget } from '../ledger/budgets.ts';
import { statsOverview } from './overview.ts';

const engine = Engine.load();
const WAN = 1_000_000;

describeDatabases('stats overview', (t) => {
  let ctx: PlatformContext;
  let w: World;
  let today = '2021-03-01';
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine, { today: () => today });
    w = await createWorld(t.db);
    const claim = async (user: World['users']['cable'], item: string, amount: string) => {
      const c = await createClaim(ctx, user, { incentive: 'equipment-investment', year: 2020, item, facts: { equipmentInvestment: amount } });
      await submitClaim(ctx, user, c.id);
      return c.id;
    };
    const decide = async (id: number, area: World['users']['shengzeReviewer']) => {
      await reviewClaim(ctx, area, id, { action: 'pass' });
      await reviewClaim(ctx, w.users.industryReviewer, id, { action: 'pass' });
    };
    const paid = await claim(w.users.cable, '已拨付', '2500万元'); // 300万, paid
    const reversed = await claim(w.users.textile, '已冲销', '2000万元'); // 120万, reversed before payment
    await claim(w.users.equipment, '待初审', '2000万元'); // submitted only, 松陵
    await createClaim(ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, item: '草稿', facts: {} }); // a draft is no claim yet
    await decide(paid, w.users.shengzeReviewer);
    await decide(reversed, w.users.shengzeReviewer);
    await correctAward(ctx, w.users.industryReviewer, reversed, { kind: 'reversal', reason: '重复申报' });
    const b = await createPublicityBatch(ctx, w.users.industryReviewer, { title: '公示', claimIds: [paid], startsOn: '2021-03-01' });
    today = '2021-03-09';
    await closePublicityBatch(ctx, w.users.industryReviewer, b.id);
    await payClaim(ctx, w.users.finance, paid, { voucherNo: 'V-1', paidOn: '2021-04-02' });
    await setBudget(ctx, w.users.finance, '16', 2020, 2000 * WAN);
  });

  it('per measure, area and month, net of reversals, against the budget', async () => {
    const o = await statsOverview(ctx, w.users.finance, 2020);
    expect(o.byMeasure.find((m) => m.measure === '16')).toMatchObject({ claims: 3, approved: 1, approvedFen: 300 * WAN, paidFen: 300 * WAN, budgetFen: 2000 * WAN });
    expect(o.byArea.find((a) => a.areaId === 'shengze')).toMatchObject({ claims: 2, approved: 1, approvedFen: 300 * WAN, paidFen: 300 * WAN });
    expect(o.byArea.find((a) => a.areaId === 'songling')).toMatchObject({ claims: 1, approved: 0, approvedFen: 0 });
    const month = Object.fromEntries(o.byMonth.map((m) => [m.month, m]));
    expect(Object.keys(month).every((m) => /^\d{4}-\d{2}$/.test(m))).toBe(true);
    expect(month['2021-04']).toMatchObject({ paidFen: 300 * WAN, claims: 0 });
    expect(o.byMonth.reduce((s, m) => s + m.claims, 0)).toBe(3);
    expect(o.byMonth.reduce((s, m) => s + m.approvedFen, 0)).toBe(300 * WAN); // 300 + 120 − 120
    expect(o.totals).toMatchObject({ claims: 3, approved: 1, approvedFen: 300 * WAN, paidFen: 300 * WAN, budgetFen: 2000 * WAN });
    expect((await statsOverview(ctx, w.users.finance, 2021)).totals.claims).toBe(0);
  });

  it("each caller sees its scope; enterprises and the administrator see none", async () => {
    const area = await statsOverview(ctx, w.users.songlingReviewer, 2020);
    expect(area.byArea.map((a) => a.areaId)).toEqual(['songling']);
    expect(area.totals).toMatchObject({ claims: 1, approvedFen: 0 });
    const science = await statsOverview(ctx, w.users.scienceReviewer, 2020);
    expect(science.byMeasure.some((m) => m.measure === '16')).toBe(false);
    expect(science.totals.claims).toBe(0);
    for (const u of [w.users.cable, w.users.admin]) await expect(statsOverview(ctx, u, 2020)).rejects.toMatchObject({ code: 'forbidden' });
  });

  // Runs last: it adds a decision under a measure without a budget.
  it('the share of the budget counts only the measures that have a budget; measures are labelled by number, the general provisions apart', async () => {
    const v = await createClaim(ctx, w.users.cable, { incentive: 'innovation-voucher', year: 2020, amountClaimedFen: 30 * WAN, facts: { purchasesSciTechServices: true } });
    await submitClaim(ctx, w.users.cable, v.id);
    await reviewClaim(ctx, w.users.shengzeReviewer, v.id, { action: 'pass' });
    await reviewClaim(ctx, w.users.scienceReviewer, v.id, { action: 'pass' }); // measure 7: no budget set
    const o = await statsOverview(ctx, w.users.finance, 2020);
    expect(o.byMeasure.find((m) => m.measure === '7')).toMatchObject({ approvedFen: 30 * WAN, budgetFen: null });
    expect(o.totals).toMatchObject({ approvedFen: 330 * WAN, budgetFen: 2000 * WAN, budgetedApprovedFen: 300 * WAN, budgetedPaidFen: 300 * WAN });
    expect(o.byMeasure.find((m) => m.measure === '16')!.measureNo).toBe(16);
    expect(o.byMeasure.find((m) => m.measure === 'general')).toMatchObject({ measureNo: null, title: '附则：一事一议' });
  });
});
