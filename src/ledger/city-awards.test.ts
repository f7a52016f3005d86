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
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { correctCityAward, importCityAwards, listCityAwards, recordCityAward } from './city-awards.ts';
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

  // ── Correcting and ending (a negative cityAward entry naming the award; migration 0018) ─────────────────────

  it('a correction lowers the city award for later decisions; the decision that set it off stays as decided', async () => {
    const [award] = (await listCityAwards(ctx, w.users.industryReviewer, { q: w.enterprises.cable })).items.filter((a) => a.item === '城市项目');
    expect(award).toMatchObject({ amountFen: 100 * WAN, netFen: 100 * WAN, setOffFen: 100 * WAN, ended: false });
    const decisionsBefore = await t.db.selectFrom('decisions').select(['id', 'amount_fen']).execute();

    const fixed = await correctCityAward(ctx, w.users.industryReviewer, award.id, { amountFen: 40 * WAN, reason: '市级奖励核减为40万元', reference: '苏工信〔2020〕5号' });
    expect(fixed).toMatchObject({ amountFen: -60 * WAN, netFen: 40 * WAN, ended: false, setOffFen: 100 * WAN });
    const [after] = (await listCityAwards(ctx, w.users.industryReviewer, { q: w.enterprises.cable })).items.filter((a) => a.item === '城市项目');
    expect(after).toMatchObject({ netFen: 40 * WAN, corrections: [expect.objectContaining({ amountFen: -60 * WAN, reason: '市级奖励核减为40万元' })] });
    // nothing about the decision moved: same rows, same amounts
    expect(await t.db.selectFrom('decisions').select(['id', 'amount_fen']).execute()).toEqual(decisionsBefore);
    const audit = await t.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'ledger.cityAward.correct').execute();
    expect(audit).toEqual([expect.objectContaining({ details: expect.objectContaining({ fromFen: 100 * WAN, toFen: 40 * WAN, setOffByDecisionsFen: 100 * WAN }) })]);
  });

  it('a later decision sees the reduced city award', async () => {
    const rec = await recordCityAward(ctx, w.users.industryReviewer, { uscc: w.enterprises.cable, incentive: 'equipment-investment', item: '二期项目', year: 2020, amountFen: 100 * WAN, reference: '苏工信〔2020〕7号' });
    await correctCityAward(ctx, w.users.industryReviewer, rec.id, { amountFen: 30 * WAN, reason: '核减' });
    const c = await createClaim(ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, item: '二期项目', facts: { equipmentInvestment: '2500万元' } });
    await submitClaim(ctx, w.users.cable, c.id);
    await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
    const d = await reviewClaim(ctx, w.users.industryReviewer, c.id, { action: 'pass' });
    expect(d.decision!.amountFen).toBe(270 * WAN); // 300万 less the city's 30万 as corrected
  });

  it('ends an award (corrected to 0) once; upwards or below zero is refused and nothing is written', async () => {
    const rec = await recordCityAward(ctx, w.users.industryReviewer, { uscc: w.enterprises.textile, incentive: 'equipment-investment', item: '织机项目', year: 2020, amountFen: 50 * WAN, reference: '苏工信〔2020〕8号' });
    const entries = async () => Number((await sql<{ n: string }>`select count(*) as n from ledger_entries`.execute(t.db)).rows[0].n);
    const n = await entries();
    const bad = (await correctCityAward(ctx, w.users.industryReviewer, rec.id, { amountFen: -1, reason: ' ' }).catch((e) => e)) as ValidationError;
    expect(bad.errors.map((e) => [e.path, e.code])).toEqual([['amountFen', 'bad_amount'], ['reason', 'required']]);
    await expect(correctCityAward(ctx, w.users.industryReviewer, rec.id, { amountFen: 50 * WAN, reason: 'r' })).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'amountFen', code: 'not_lower' })] });
    // another department: the award is not theirs (404, ids cannot be probed); finance reads it but may not correct (403)
    await expect(correctCityAward(ctx, w.users.scienceReviewer, rec.id, { amountFen: 0, reason: 'r' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(correctCityAward(ctx, w.users.finance, rec.id, { amountFen: 0, reason: 'r' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(await entries()).toBe(n);
    expect(await correctCityAward(ctx, w.users.industryReviewer, rec.id, { amountFen: 0, reason: '市级撤销奖励' })).toMatchObject({ ended: true, netFen: 0 });
    await expect(correctCityAward(ctx, w.users.industryReviewer, rec.id, { amountFen: 0, reason: 'again' })).rejects.toMatchObject({ code: 'invalid_state' });
    expect((await listCityAwards(ctx, w.users.industryReviewer, { status: 'ended' })).items.map((a) => a.id)).toContain(rec.id);
    expect((await listCityAwards(ctx, w.users.industryReviewer, { status: 'standing' })).items.map((a) => a.id)).not.toContain(rec.id);
  });

  it('the ledger itself refuses a city correction below zero, of another award, or without naming one', async () => {
    const rec = await recordCityAward(ctx, w.users.industryReviewer, { uscc: w.enterprises.textile, incentive: 'equipment-investment', item: '守卫项目', year: 2020, amountFen: 10 * WAN, reference: 'g' });
    const row = { enterprise_uscc: w.enterprises.textile, policy_id: engine.policy.id, measure_id: '16', incentive_id: 'equipment-investment', item: '守卫项目', year: 2020, kind: 'cityAward' as const };
    await expect(t.db.insertInto('ledger_entries').values({ ...row, amount_fen: -11 * WAN, reverses_entry_id: rec.id }).execute()).rejects.toThrow(/below zero/);
    await expect(t.db.insertInto('ledger_entries').values({ ...row, amount_fen: -1 }).execute()).rejects.toThrow(/ledger_entries_sign/);
    await expect(t.db.insertInto('ledger_entries').values({ ...row, item: '别的项目', amount_fen: -1, reverses_entry_id: rec.id }).execute()).rejects.toThrow(/same enterprise/);
    await expect(t.db.insertInto('ledger_entries').values({ ...row, amount_fen: 5, reverses_entry_id: rec.id }).execute()).rejects.toThrow(/ledger_entries_sign/);
  });

  // ── Excel import ───────────────────────────────────────────────────────────────────────────────────────────

  const HEAD = ['统一社会信用代码', '企业名称', '奖励项目', '申报对象', '年度', '金额（元）', '文件号'];
  async function xlsx(rows: unknown[][]): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('市级奖励');
    ws.addRow(HEAD);
    for (const r of rows) ws.addRow(r);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  it('imports a list all or nothing: every bad row named by number and column, then the fixed file', async () => {
    const count = async () => Number((await sql<{ n: string }>`select count(*) as n from ledger_entries where kind = 'cityAward'`.execute(t.db)).rows[0].n);
    const before = await count();
    const title = engine.policy.incentivesById.get('equipment-investment')!.title;
    const good = [w.enterprises.other, '', title, '导入项目A', 2020, 1234567.89, '苏工信〔2020〕21号'];
    const badRows = [
      good,
      [w.enterprises.other.slice(0, 17) + (w.enterprises.other.endsWith('0') ? '1' : '0'), '', 'equipment-investment', '导入项目B', 2020, '80万元', '苏工信〔2020〕22号'],
      [w.enterprises.other, '', '不存在的项目', '', 2020, '1.234', ''],
      [w.enterprises.other, '', 'equipment-investment', '导入项目A', 2020, 1234567.89, '苏工信〔2020〕21号'],
    ];
    const err = (await importCityAwards(ctx, w.users.industryReviewer, await xlsx(badRows)).catch((e) => e)) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.errors.map((e) => [e.path, e.code])).toEqual([
      ['rows[3].uscc', 'invalid_uscc'],
      ['rows[4].amount', 'bad_amount'],
      ['rows[4].incentive', 'unknown_incentive'],
      ['rows[4].reference', 'required'],
      ['rows[5]', 'duplicate_in_file'],
    ]);
    expect(err.errors[0].messageZh).toMatch(/^第3行「统一社会信用代码」/);
    expect(await count()).toBe(before);
    // another department's incentive is a row error too
    const science = (await importCityAwards(ctx, w.users.scienceReviewer, await xlsx([good])).catch((e) => e)) as ValidationError;
    expect(science.errors?.[0] ?? science).toMatchObject({ path: 'rows[2].incentive', code: 'not_lead_department' });

    const done = await importCityAwards(ctx, w.users.industryReviewer, await xlsx([good, [w.enterprises.other, '', 'equipment-investment', '导入项目B', 2020, '80万元', '苏工信〔2020〕22号']]), { fileName: 'city.xlsx' });
    expect(done.created.map((c) => [c.item, c.amountFen])).toEqual([['导入项目A', 123456789], ['导入项目B', 80 * WAN]]);
    expect(await count()).toBe(before + 2);
    // the same file again: each row already recorded, nothing written
    const again = (await importCityAwards(ctx, w.users.industryReviewer, await xlsx([good])).catch((e) => e)) as ValidationError;
    expect(again.errors[0]).toMatchObject({ path: 'rows[2].reference', code: 'already_recorded' });
    expect(await count()).toBe(before + 2);
  });
});
