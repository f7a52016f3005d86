// Facts on file: the enterprise keeps them, officials in scope read them (audited), the engine evaluates them
// against the ledger — a city award recorded for 就高不重复 lowers what the scan shows.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { createPlatformContext, type PlatformContext } from '../claims/context.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { recordCityAward } from '../ledger/city-awards.ts';
import { entitlementsOnFile, getFactsOnFile, putFactsOnFile } from './facts-on-file.ts';

const engine = Engine.load();
const WAN = 1_000_000;
const RD = { rdExpense: '500万元', rdExpensePriorYear: '300万元', rdSuperDeductionYears: [2019, 2020] };

describeDatabases('facts on file', (t) => {
  let ctx: PlatformContext;
  let w: World;
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine, { today: () => '2021-03-01' });
    w = await createWorld(t.db);
  });

  it('keeps what the enterprise files, without empty values or its registered industry class', async () => {
    const saved = await putFactsOnFile(ctx, w.users.cable, w.enterprises.cable, 2020, { ...RD, taxableIncome: null, industryClass: 'other' });
    expect(saved.facts).toEqual(RD);
    expect((await getFactsOnFile(ctx, w.users.cable, w.enterprises.cable, 2020)).facts).toEqual(RD);
    expect((await getFactsOnFile(ctx, w.users.cable, w.enterprises.cable, 2019)).facts).toEqual({});
  });

  it('validates like kaifang calc, reports every bad fact, and stores nothing', async () => {
    const err = (await putFactsOnFile(ctx, w.users.cable, w.enterprises.cable, 2020, { rdExpense: -5, colour: 'red' }).catch((e) => e)) as ValidationError;
    expect(err.errors.map((e) => [e.path, e.code])).toEqual([['facts.rdExpense', 'negative'], ['facts.colour', 'unknown_fact']]);
    expect((await getFactsOnFile(ctx, w.users.cable, w.enterprises.cable, 2020)).facts).toEqual(RD);
    await expect(putFactsOnFile(ctx, w.users.cable, w.enterprises.cable, 1990, {})).rejects.toMatchObject({ code: 'bad_year' });
  });

  it('only the enterprise writes; officials in scope read, and their read is audited', async () => {
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: KaifangError) => e.code);
    expect(await code(putFactsOnFile(ctx, w.users.shengzeReviewer, w.enterprises.cable, 2020, {}))).toBe('forbidden');
    expect(await code(putFactsOnFile(ctx, w.users.textile, w.enterprises.cable, 2020, {}))).toBe('not_found');
    expect(await code(getFactsOnFile(ctx, w.users.songlingReviewer, w.enterprises.cable, 2020))).toBe('not_found');
    expect(await code(getFactsOnFile(ctx, w.users.cable, 'not-a-code', 2020))).toBe('not_found');
    await getFactsOnFile(ctx, w.users.shengzeReviewer, w.enterprises.cable, 2020, '10.0.0.9');
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'enterprise.facts.read').execute();
    expect(audit).toMatchObject([{ entity_id: w.enterprises.cable, actor_user_id: w.users.shengzeReviewer.id, ip: '10.0.0.9' }]);
  });

  it('evaluates the facts on file against the ledger: a city award is set off (就高不重复)', async () => {
    const before = await entitlementsOnFile(ctx, w.users.cable, w.enterprises.cable, undefined);
    expect(before.year).toBe(2020); // the latest year on file
    expect(before.entitlements).toEqual([expect.objectContaining({ incentive: 'rd-expense-growth', status: 'eligible', amountFen: 12 * WAN })]);
    await recordCityAward(ctx, w.users.scienceReviewer, { uscc: w.enterprises.cable, incentive: 'rd-expense-growth', year: 2020, amountFen: 5 * WAN, reference: '苏科〔2020〕8号' });
    const after = await entitlementsOnFile(ctx, w.users.cable, w.enterprises.cable, 2020);
    expect(after.entitlements[0].amountFen).toBe(7 * WAN);
    expect(after.totalFen).toBe(7 * WAN);
    const other = await entitlementsOnFile(ctx, w.users.textile, w.enterprises.textile, 2020);
    expect(other.entitlements).toEqual([]);
  });
});
