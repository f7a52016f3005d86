// The payment list: paged in the database for the API, and whole for a payment batch — a batch is never cut
// short, however many claims wait (it once stopped silently at 1,000).
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { toJsonb } from '../db/schema.ts';
import { Engine } from '../engine/index.ts';
import { createPlatformContext, type PlatformContext } from './context.ts';
import { createWorld, type World } from './fixture.ts';
import { listPayments, pagePayments } from './payments.ts';

const engine = Engine.load();
const MANY = 1_005;

describeDatabases('payment list', (t) => {
  let ctx: PlatformContext;
  let w: World;
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine, { today: () => '2021-03-01' });
    w = await createWorld(t.db);
    // Approved claims of measure 16 straight into the table (the workflow itself is tested elsewhere), in bulk.
    for (let i = 0; i < MANY; i += 500) {
      await t.db
        .insertInto('claims')
        .values(
          Array.from({ length: Math.min(500, MANY - i) }, (_, k) => ({
            enterprise_uscc: w.enterprises.cable,
            area_id: 'shengze',
            policy_id: engine.policy.id,
            measure_id: '16',
            incentive_id: 'equipment-investment',
            item: `批量项目${i + k}`,
            year: 2020,
            facts: toJsonb({ equipmentInvestment: 25_000_000_00 }),
            state: 'approved' as const,
          })),
        )
        .execute();
    }
  });

  it('gives a payment batch every awaiting claim, past a thousand', async () => {
    const all = await listPayments(ctx, w.users.finance, 'awaiting');
    expect(all).toHaveLength(MANY);
    expect(new Set(all.map((r) => r.claimId)).size).toBe(MANY);
  });

  it('pages in the database, with the total, in claim order', async () => {
    const first = await pagePayments(ctx, w.users.finance, 'awaiting', 1, 500);
    const last = await pagePayments(ctx, w.users.finance, 'awaiting', 3, 500);
    expect(first).toMatchObject({ total: MANY, page: 1, pageSize: 500 });
    expect(first.items).toHaveLength(500);
    expect(last.items).toHaveLength(MANY - 1000);
    expect(last.items[0].claimId).toBeGreaterThan(first.items[499].claimId);
    // scope: the lead department of measure 16 sees them, another department none, the enterprise its own
    expect((await pagePayments(ctx, w.users.industryReviewer, 'awaiting', 1, 10)).total).toBe(MANY);
    expect((await pagePayments(ctx, w.users.scienceReviewer, 'awaiting', 1, 10)).total).toBe(0);
    expect((await pagePayments(ctx, w.users.textile, 'awaiting', 1, 10)).total).toBe(0);
    await expect(pagePayments(ctx, w.users.shengzeReviewer, 'awaiting', 1, 10)).rejects.toMatchObject({ code: 'forbidden' });
  });
});
