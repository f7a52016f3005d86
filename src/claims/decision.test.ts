// The decision's two ways (decision.ts): without a transaction — read, compute, one statement that writes only if
// nothing moved — and, when something did or the answer is a refusal, again under the locks.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { setBudget } from '../ledger/budgets.ts';
import { createPlatformContext, type PlatformContext } from './context.ts';
import { createClaim } from './claims.ts';
import { decideClaim } from './decision.ts';
import { createWorld, type World } from './fixture.ts';
import { readClaimForReview, reviewClaim, submitClaim, withdrawClaim } from './workflow.ts';

const engine = Engine.load();
const WAN = 1_000_000;

describeDatabases('decision', (t) => {
  let ctx: PlatformContext;
  let w: World;
  let project = 0;
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine, { today: () => '2021-03-01' });
    w = await createWorld(t.db);
  });

  /** A claim of measure 16 (equipment investment) waiting for the lead department. */
  const awaiting = async (amount: string, item = `项目${++project}`) => {
    const c = await createClaim(ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, item, facts: { equipmentInvestment: amount } });
    await submitClaim(ctx, w.users.cable, c.id);
    await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
    return c.id;
  };
  const read = async (id: number) => (await readClaimForReview(t.db, id, false))!;
  const decideRead = (r: Awaited<ReturnType<typeof read>>) => decideClaim(ctx, t.db, w.users.industryReviewer, r, 'departmentReview', {}, '10.0.0.1', false);
  const written = async (id: number) => ({
    decisions: (await t.db.selectFrom('decisions').select('amount_fen').where('claim_id', '=', id).execute()).map((d) => d.amount_fen),
    ledger: (await t.db.selectFrom('ledger_entries').select('amount_fen').where('claim_id', '=', id).execute()).map((e) => e.amount_fen),
    reviews: (await t.db.selectFrom('reviews').select('stage').where('claim_id', '=', id).execute()).map((r) => r.stage),
    audit: (await t.db.selectFrom('audit_log').select(['action', 'details']).where('entity', '=', 'claim').where('entity_id', '=', String(id)).where('action', 'like', '%.decide').execute()),
    state: (await t.db.selectFrom('claims').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state,
  });

  it('writes the review, decision, award, new state and audit record in one statement when nothing moved', async () => {
    const id = await awaiting('2500万元');
    const d = await decideRead(await read(id));
    expect(d).toMatchObject({ amountFen: 300 * WAN });
    const after = await written(id);
    expect(after).toMatchObject({ decisions: [300 * WAN], ledger: [300 * WAN], reviews: ['firstReview', 'departmentReview'], state: 'publicity' });
    expect(after.audit).toEqual([{ action: 'claim.departmentReview.decide', details: expect.objectContaining({ decisionId: d!.id, ledgerEntryId: d!.ledgerEntryId, amountFen: 300 * WAN, from: 'departmentReview', to: 'publicity' }) }]);
  });

  it('writes nothing when the ledger moved after the read, and the decision under the locks sees the move', async () => {
    const item = `共享项目${++project}`;
    const first = await awaiting('8000万元', item);
    // the project's whole year grew to 9000万 (m16-equipment-investment-whole-year): 1080万 less the 960万 the first
    // claim is awarded is 120万, and the 1000万 project cap leaves 40万 of it
    const second = await awaiting('9000万元', item);
    const stale = await read(second);
    await reviewClaim(ctx, w.users.industryReviewer, first, { action: 'pass' }); // 960万
    expect(await decideRead(stale)).toBeUndefined();
    expect(await written(second)).toMatchObject({ decisions: [], ledger: [], reviews: ['firstReview'], audit: [], state: 'departmentReview' });
    const d = await reviewClaim(ctx, w.users.industryReviewer, second, { action: 'pass' });
    expect(d.decision!.amountFen).toBe(40 * WAN);
  });

  it('writes nothing when the claim changed after the read', async () => {
    const id = await awaiting('2500万元');
    const stale = await read(id);
    await withdrawClaim(ctx, w.users.cable, id, '重新核对');
    expect(await decideRead(stale)).toBeUndefined();
    expect(await written(id)).toMatchObject({ decisions: [], ledger: [], state: 'withdrawn' });
  });

  it('writes nothing when a budget was set after the read; a refusal is given only under the locks', async () => {
    const id = await awaiting('2500万元');
    const stale = await read(id);
    expect(stale.position!.budgetFen).toBeNull();
    const committed = Number((await t.db.selectFrom('ledger_entries').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('measure_id', '=', '16').where('year', '=', 2020).executeTakeFirstOrThrow()).s);
    await setBudget(ctx, w.users.finance, '16', 2020, committed + 100 * WAN);
    expect(await decideRead(stale)).toBeUndefined();
    // read again: the budget is known, but it cannot take 300万 — without the locks nothing is written, and no error
    expect(await decideRead(await read(id))).toBeUndefined();
    expect(await written(id)).toMatchObject({ decisions: [], ledger: [], state: 'departmentReview' });
    await expect(reviewClaim(ctx, w.users.industryReviewer, id, { action: 'pass' })).rejects.toMatchObject({ code: 'budget_exhausted' });
    await setBudget(ctx, w.users.finance, '16', 2020, committed + 300 * WAN);
    expect((await reviewClaim(ctx, w.users.industryReviewer, id, { action: 'pass' })).decision!.amountFen).toBe(300 * WAN);
  });
});
