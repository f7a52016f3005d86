// City awards for 就高不重复: validated in full, recorded only by the measure's lead department, as a ledger
// entry that the next decision sets off against the district award.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { createPlatformContext, type PlatformContext } from '../claims/context.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { createClaim } from '../claims/claims.ts';
import { reviewClaim, submitClaim } from '../claims/workflow.ts';
import { recordCityAward } from './city-awards.ts';
import { generateUscc, seededRandom } from '../enterprises/uscc.ts';

const engine = Engine.load();
const WAN = 1_000_000;

describeDatabases('city awards', (t) => {
  let ctx: PlatformContext;
  let w: World;
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine, { today: () => '2021-03-01' });
    w = await createWorld(t.db);
  });

  it('reports every bad field at once and stores nothing', async () => {
    const err = (await recordCityAward(ctx, w.users.industryReviewer, { uscc: '91320509X', incentive: 'nope', year: 20, amountFen: 0, reference: ' ' }).catch((e) => e)) as ValidationError;
    expect(err.errors.map((e) => [e.path, e.code])).toEqual([
      ['uscc', 'invalid_uscc'],
      ['incentive', 'unknown_incentive'],
      ['year', 'bad_year'],
      ['amountFen', 'bad_amount'],
      ['reference', 'required'],
    ]);
    const unknown = (await recordCityAward(ctx, w.users.industryReviewer, { uscc: generateUscc({ random: seededRandom(5) }), incentive: 'equipment-investment', year: 2020, amountFen: 1, reference: 'r' }).catch((e) => e)) as KaifangError;
    expect(unknown).toMatchObject({ code: 'unknown_enterprise', path: 'uscc' });
    expect(await t.db.selectFrom('ledger_entries').selectAll().execute()).toEqual([]);
  });

  it('refuses an incentive the overlap rule does not cover', async () => {
    const inc = engine.policy.incentivesById.get('equipment-investment')!;
    const policy = { ...engine.policy, incentivesById: new Map([[inc.id, { ...inc, highestNotBoth: false }]]) };
    const narrowed = { ...ctx, engine: { ...engine, policy } } as unknown as PlatformContext;
    const err = await recordCityAward(narrowed, w.users.industryReviewer, { uscc: w.enterprises.cable, incentive: inc.id, year: 2020, amountFen: WAN, reference: 'r' }).catch((e) => e);
    expect(err.errors[0]).toMatchObject({ path: 'incentive', code: 'not_highest_not_both' });
  });

  it('only the lead department of the measure records one', async () => {
    const input = { uscc: w.enterprises.cable, incentive: 'equipment-investment', item: '城市项目', year: 2020, amountFen: 100 * WAN, reference: '苏工信〔2020〕3号' };
    for (const u of [w.users.scienceReviewer, w.users.finance, w.users.admin, w.users.cable, w.users.shengzeReviewer]) {
      await expect(recordCityAward(ctx, u, input)).rejects.toMatchObject({ code: 'forbidden' });
    }
    const rec = await recordCityAward(ctx, w.users.industryReviewer, input);
    expect(rec).toMatchObject({ measureId: '16', amountFen: 100 * WAN, item: '城市项目' });
    const row = await t.db.selectFrom('ledger_entries').selectAll().where('id', '=', rec.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: 'cityAward', amount_fen: 100 * WAN, reference: '苏工信〔2020〕3号', claim_id: null });
  });

  it('the next decision for the same project gets the district award less the city award', async () => {
    const c = await createClaim(ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, item: '城市项目', facts: { equipmentInvestment: '2500万元' } });
    await submitClaim(ctx, w.users.cable, c.id);
    await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
    const d = await reviewClaim(ctx, w.users.industryReviewer, c.id, { action: 'pass' });
    expect(d.decision!.amountFen).toBe(200 * WAN); // 2500万 × 12% = 300万, less the city's 100万
  });
});
