// The claim workflow on both databases: the whole life of a claim, every role's limits, the credit veto,
// budgets, corrections — and the proof that money is safe: parallel approvals never pass a cap.
import { describe, expect, it, beforeAll } from 'vitest';
import { sql } from 'kysely';
import { describeDatabases } from '../db/test-databases.ts';
import { openDatabase } from '../db/open.ts';
import { Engine } from '../engine/index.ts';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { sealAuditChain, verifyAuditChain } from '../audit/audit-log.ts';
import { KaifangError } from '../errors.ts';
import { createPlatformContext, type PlatformContext } from './context.ts';
import { createWorld, type World } from './fixture.ts';
import { createClaim, getClaimDetail, listClaims, queueCounts } from './claims.ts';
import { correctAward, reviewClaim, submitClaim, withdrawClaim } from './workflow.ts';
import { closePublicityBatch, createPublicityBatch, recordObjection, resolveObjection } from './publicity.ts';
import { payClaim } from './payments.ts';
import { addCreditEntry } from '../credit/credit.ts';

const engine = Engine.load();
const WAN = 1_000_000;
let today = '2021-03-01';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KaifangError) return e.code;
    throw e;
  }
  return 'ok';
}

describeDatabases('claim workflow', (t) => {
  let ctx: PlatformContext;
  let w: World;
  beforeAll(async () => {
    today = '2021-03-01'; // each database's suite starts on the same day
    ctx = createPlatformContext(t.db, engine, { today: () => today });
    w = await createWorld(t.db);
  });

  const equipmentClaim = (amount = '2500万元', item = '光纤预制棒扩产项目') =>
    createClaim(ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, item, facts: { equipmentInvestment: amount } });

  it('carries a claim from submission to payment, with the engine deciding the amount', async () => {
    const c = await equipmentClaim();
    expect(c.state).toBe('draft');
    await submitClaim(ctx, w.users.cable, c.id);
    expect((await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' })).state).toBe('departmentReview');
    const decided = await reviewClaim(ctx, w.users.industryReviewer, c.id, { action: 'pass' });
    expect(decided).toMatchObject({ state: 'publicity', decision: { amountFen: 300 * WAN } }); // 2500万 × 12%, leading industry
    const batch = await createPublicityBatch(ctx, w.users.industryReviewer, { title: '2020年度设备投入奖补公示', claimIds: [c.id], startsOn: '2021-03-01' });
    expect(batch.endsOn).toBe('2021-03-07'); // 7 calendar days, the first day included
    expect(await codeOf(closePublicityBatch(ctx, w.users.industryReviewer, batch.id))).toBe('invalid_state'); // still running
    today = '2021-03-08';
    await closePublicityBatch(ctx, w.users.industryReviewer, batch.id);
    expect(await codeOf(payClaim(ctx, w.users.industryReviewer, c.id, { voucherNo: 'X', paidOn: '2021-03-10' }))).toBe('forbidden');
    const paid = await payClaim(ctx, w.users.finance, c.id, { voucherNo: '记-2021-0310-001', paidOn: '2021-03-10' });
    expect(paid).toMatchObject({ state: 'paid', amountFen: 300 * WAN });
    // Paying twice is impossible, with the same or another voucher.
    expect(await codeOf(payClaim(ctx, w.users.finance, c.id, { voucherNo: '记-2021-0310-002', paidOn: '2021-03-10' }))).toBe('invalid_state');
    const detail = await getClaimDetail(ctx, w.users.cable, c.id);
    expect(detail.claim.state).toBe('paid');
    expect(detail.decision).toMatchObject({ amountFen: 300 * WAN, policyVersion: engine.policy.version });
    expect(detail.reviews.map((r) => [r.stage, r.action])).toEqual([['firstReview', 'pass'], ['departmentReview', 'pass']]);
    expect(detail.payment).toMatchObject({ voucherNo: '记-2021-0310-001', amountFen: 300 * WAN });
    await sealAuditChain(t.db);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, pending: { count: 0 } });
  });

  it('a second claim for the same project gets only what is left under the per-project cap', async () => {
    // equipmentInvestment is the project's whole year (m16-equipment-investment-whole-year): 9000万 × 12% = 1080万, less
    // the 300万 already awarded for the project-year = 780万; the 1000万 per-project cap, 300万 used, leaves 700万
    const c = await equipmentClaim('9000万元');
    await submitClaim(ctx, w.users.cable, c.id);
    await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
    const d = await reviewClaim(ctx, w.users.industryReviewer, c.id, { action: 'pass' });
    expect(d.decision!.amountFen).toBe(700 * WAN);
  });

  it('returns for correction with what to fix; the enterprise corrects and resubmits', async () => {
    const c = await createClaim(ctx, w.users.textile, { incentive: 'equipment-investment', year: 2020, item: '喷气织机技改', facts: { equipmentInvestment: '2100万元' } });
    await submitClaim(ctx, w.users.textile, c.id);
    expect(await codeOf(reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'return' }))).toBe('reason_required');
    await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'return', reason: '请补充设备发票清单' });
    const { updateClaim } = await import('./claims.ts');
    await updateClaim(ctx, w.users.textile, c.id, { facts: { equipmentInvestment: '2200万元' } });
    await submitClaim(ctx, w.users.textile, c.id);
    await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
    const d = await reviewClaim(ctx, w.users.industryReviewer, c.id, { action: 'pass' });
    expect(d.decision!.amountFen).toBe(132 * WAN); // 2200万 × 6%, other industries
    const detail = await getClaimDetail(ctx, w.users.textile, c.id);
    expect(detail.reviews.find((r) => r.action === 'return')!.reason).toBe('请补充设备发票清单');
  });

  it('rejects with a reason, refuses a decision the engine finds unpayable, lets the enterprise withdraw', async () => {
    const below = await equipmentClaim('1999万元', '小型技改');
    await submitClaim(ctx, w.users.cable, below.id);
    await reviewClaim(ctx, w.users.shengzeReviewer, below.id, { action: 'pass' });
    expect(await codeOf(reviewClaim(ctx, w.users.industryReviewer, below.id, { action: 'pass' }))).toBe('not_eligible');
    expect(await codeOf(reviewClaim(ctx, w.users.industryReviewer, below.id, { action: 'reject', reason: '   ' }))).toBe('reason_required');
    expect((await reviewClaim(ctx, w.users.industryReviewer, below.id, { action: 'reject', reason: '设备投入未达2000万元' })).state).toBe('rejected');
    const w2 = await equipmentClaim('3000万元', '二期项目');
    await submitClaim(ctx, w.users.cable, w2.id);
    expect((await withdrawClaim(ctx, w.users.cable, w2.id, '项目推迟')).state).toBe('withdrawn');
    expect(await codeOf(submitClaim(ctx, w.users.cable, w2.id))).toBe('invalid_state');
  });

  it('keeps every role inside its scope', async () => {
    const c = await equipmentClaim('2000万元', '范围测试');
    await submitClaim(ctx, w.users.cable, c.id);
    // another enterprise, another area, another department: the claim does not exist for them
    expect(await codeOf(getClaimDetail(ctx, w.users.textile, c.id))).toBe('not_found');
    expect(await codeOf(reviewClaim(ctx, w.users.songlingReviewer, c.id, { action: 'pass' }))).toBe('not_found');
    expect(await codeOf(reviewClaim(ctx, w.users.scienceReviewer, c.id, { action: 'pass' }))).toBe('not_found');
    // the department sees it but may not do the area's first review; finance and auditors read but do not review
    await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
    expect(await codeOf(reviewClaim(ctx, w.users.finance, c.id, { action: 'pass' }))).toBe('forbidden');
    expect(await codeOf(reviewClaim(ctx, w.users.auditor, c.id, { action: 'pass' }))).toBe('forbidden');
    expect(await codeOf(getClaimDetail(ctx, w.users.admin, c.id))).toBe('not_found');
    expect(await codeOf(createClaim(ctx, w.users.industryReviewer, { incentive: 'equipment-investment', year: 2020, item: 'x', facts: {} }))).toBe('forbidden');
    // an enterprise may not review its own claim
    expect(await codeOf(reviewClaim(ctx, w.users.cable, c.id, { action: 'pass' }))).toBe('forbidden');
    const mine = await listClaims(ctx, w.users.textile, {});
    expect(mine.items.every((i) => i.enterpriseUscc === w.enterprises.textile)).toBe(true);
    expect((await listClaims(ctx, w.users.songlingReviewer, {})).total).toBe(0);
    expect((await queueCounts(ctx, w.users.industryReviewer)).departmentReview).toBeGreaterThan(0);
  });

  it('bad input names the field and stores nothing', async () => {
    const before = Number((await sql<{ n: number }>`select count(*) as n from claims`.execute(t.db)).rows[0].n);
    const err = await createClaim(ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, item: 'x', facts: { equipmentInvestment: -1, colour: 'red' } }).catch((e) => e);
    expect(err.errors.map((e: KaifangError) => [e.path, e.code])).toEqual([['facts.equipmentInvestment', 'negative'], ['facts.colour', 'unknown_fact']]);
    expect(await codeOf(createClaim(ctx, w.users.cable, { incentive: 'nope', year: 2020 }))).toBe('unknown_incentive');
    expect(await codeOf(createClaim(ctx, w.users.cable, { incentive: 'pct-international-patent', year: 2020 }))).toBe('amount_not_set');
    expect(Number((await sql<{ n: number }>`select count(*) as n from claims`.execute(t.db)).rows[0].n)).toBe(before);
  });

  it('the credit veto stops submission and payment, and says why', async () => {
    const c = await createClaim(ctx, w.users.textile, { incentive: 'equipment-investment', year: 2020, item: '信用测试', facts: { equipmentInvestment: '2000万元' } });
    await submitClaim(ctx, w.users.textile, c.id);
    await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
    await reviewClaim(ctx, w.users.industryReviewer, c.id, { action: 'pass' });
    today = '2021-03-20';
    const batch = await createPublicityBatch(ctx, w.users.industryReviewer, { title: '信用测试公示', claimIds: [c.id], startsOn: '2021-03-20' });
    today = '2021-04-01';
    await closePublicityBatch(ctx, w.users.industryReviewer, batch.id);
    await addCreditEntry(t.db, { userId: w.users.admin.id, name: 'admin' }, { uscc: w.enterprises.textile, listName: '失信被执行人名单', reason: '未履行生效判决', listedOn: '2021-03-25' });
    const err = await payClaim(ctx, w.users.finance, c.id, { voucherNo: '记-信用-1', paidOn: '2021-04-01' }).catch((e) => e);
    expect(err.code).toBe('credit_blocked');
    expect(err.messageZh).toContain('失信被执行人名单');
    const c2 = await createClaim(ctx, w.users.textile, { incentive: 'equipment-investment', year: 2020, item: '信用测试2', facts: { equipmentInvestment: '2000万元' } });
    expect(await codeOf(submitClaim(ctx, w.users.textile, c2.id))).toBe('credit_blocked');
  });

  it('an upheld objection reverses the award; a clawback corrects a paid one, never by editing', async () => {
    today = '2021-04-01';
    const c = await equipmentClaim('2000万元', '异议测试');
    await submitClaim(ctx, w.users.cable, c.id);
    await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
    await reviewClaim(ctx, w.users.industryReviewer, c.id, { action: 'pass' });
    const batch = await createPublicityBatch(ctx, w.users.industryReviewer, { title: '异议测试', claimIds: [c.id], startsOn: '2021-04-01' });
    today = '2021-05-01';
    const o = await recordObjection(ctx, w.users.industryReviewer, batch.id, { claimId: c.id, objector: '匿名群众', content: '设备为二手设备', receivedOn: '2021-04-03' });
    expect(await codeOf(closePublicityBatch(ctx, w.users.industryReviewer, batch.id))).toBe('invalid_state');
    await resolveObjection(ctx, w.users.industryReviewer, o.id, { outcome: 'upheld', resolution: '经核实设备为二手，不符合条件' });
    const closed = await closePublicityBatch(ctx, w.users.industryReviewer, batch.id);
    expect(closed.rejected).toEqual([c.id]);
    const net = await t.db.selectFrom('ledger_entries').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('claim_id', '=', c.id).executeTakeFirstOrThrow();
    expect(Number(net.s)).toBe(0);
    await expect(sql`update ledger_entries set amount_fen = 1 where claim_id = ${c.id}`.execute(t.db)).rejects.toThrow(/append-only/);
    const paidClaim = (await listClaims(ctx, w.users.finance, { state: 'paid' })).items[0];
    const back = await correctAward(ctx, w.users.industryReviewer, paidClaim.id, { kind: 'clawback', reason: '审计发现发票重复', amountFen: 10 * WAN });
    expect(back.amountFen).toBe(-10 * WAN);
  });

  it('a measure budget that runs out queues the claim instead of overspending', async () => {
    await t.db.insertInto('budgets').values({ policy_id: engine.policy.id, measure_id: '18', year: 2020, amount_fen: 30 * WAN }).execute();
    const mk = async (item: string) => {
      const c = await createClaim(ctx, w.users.cable, { incentive: 'plot-ratio-floor-area', year: 2020, item, facts: { landProjectType: 'industrialManufacturing', compliesWithPlanning: true, plotRatio: 2, landArea: 10000, floorArea: 20000, newIndustrialFloorArea: 1000 } });
      await submitClaim(ctx, w.users.cable, c.id);
      await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
      return c.id;
    };
    const lead = engine.policy.measures.find((m) => m.measure === 18)!.leadUnit!;
    const { createUser } = await import('../identity/users.ts');
    const { FAST_SECURITY, TEST_PASSWORD } = await import('./fixture.ts');
    const land = await createUser(t.db, { username: 'land', displayName: '区自然资源和规划局', password: TEST_PASSWORD, role: 'departmentReviewer', departmentId: lead }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY });
    const a = await mk('地块A');
    const b = await mk('地块B');
    expect((await reviewClaim(ctx, land, a, { action: 'pass' })).decision!.amountFen).toBe(20 * WAN); // 1000 m² × 200元
    const err = await reviewClaim(ctx, land, b, { action: 'pass' }).catch((e) => e);
    expect(err.code).toBe('budget_exhausted');
    expect((await getClaimDetail(ctx, land, b)).claim.state).toBe('departmentReview');
    await t.db.updateTable('budgets').set({ amount_fen: 40 * WAN }).where('measure_id', '=', '18').execute();
    expect((await reviewClaim(ctx, land, b, { action: 'pass' })).decision!.amountFen).toBe(20 * WAN);
  });

  it('就高不重复: a city award is set off once across decisions, never twice', async () => {
    const { appendLedgerEntry } = await import('../ledger/ledger.ts');
    await appendLedgerEntry(t.db, { enterpriseUscc: w.enterprises.other, policyId: engine.policy.id, measureId: '7', incentiveId: 'innovation-voucher', year: 2020, kind: 'cityAward', amountFen: 20 * WAN, reference: '苏州市科技创新券2020' });
    const decideVoucher = async (amount: number) => {
      const c = await createClaim(ctx, w.users.equipment, { incentive: 'innovation-voucher', year: 2020, amountClaimedFen: amount, facts: { purchasesSciTechServices: true } });
      await submitClaim(ctx, w.users.equipment, c.id);
      await reviewClaim(ctx, w.users.songlingReviewer, c.id, { action: 'pass' });
      return (await reviewClaim(ctx, w.users.scienceReviewer, c.id, { action: 'pass' })).decision!;
    };
    const first = await decideVoucher(30 * WAN);
    expect(first.amountFen).toBe(10 * WAN); // 30万 entitled, the city paid 20万 for the same kind: the district tops up
    const second = await decideVoucher(30 * WAN);
    expect(second.amountFen).toBe(20 * WAN); // 50万 yearly cap less 30万 already entitled; the city award is already used
    const third = await decideVoucher(30 * WAN).catch((e) => e);
    expect(third.code).toBe('cap_exceeded');
  });

  describe('money is safe under concurrency', () => {
    const prepareVouchers = async (n: number, amount: number, owner: World['users']['cable'], reviewer: World['users']['shengzeReviewer']) => {
      const ids: number[] = [];
      for (let i = 0; i < n; i++) {
        const c = await createClaim(ctx, owner, { incentive: 'innovation-voucher', year: 2020, amountClaimedFen: amount, facts: { purchasesSciTechServices: true } });
        await submitClaim(ctx, owner, c.id);
        await reviewClaim(ctx, reviewer, c.id, { action: 'pass' });
        ids.push(c.id);
      }
      return ids;
    };
    const awarded = async (uscc: string) =>
      Number((await t.db.selectFrom('ledger_entries').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('enterprise_uscc', '=', uscc).where('incentive_id', '=', 'innovation-voucher').executeTakeFirstOrThrow()).s ?? 0);

    it('50 parallel approvals against one enterprise\'s 50万 yearly voucher cap pay exactly 50万', async () => {
      const ids = await prepareVouchers(50, 3 * WAN, w.users.cable, w.users.shengzeReviewer);
      const results = await Promise.allSettled(ids.map((id) => reviewClaim(ctx, w.users.scienceReviewer, id, { action: 'pass' })));
      const ok = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as KaifangError).code);
      expect(await awarded(w.enterprises.cable)).toBe(50 * WAN);
      expect(ok).toHaveLength(17); // 16 × 3万 + 2万
      expect(new Set(refused)).toEqual(new Set(['cap_exceeded']));
    });

    it('two independent connection pools (two server processes) deciding at once never exceed the cap', async () => {
      if (t.kind !== 'postgres') return; // one PGlite folder admits one process; the server case is what matters
      const ids = await prepareVouchers(30, 4 * WAN, w.users.spare, w.users.songlingReviewer);
      const second = await openDatabase({ url: t.url!, migrate: false });
      try {
        const ctx2 = createPlatformContext(second.db, engine, { today: () => today });
        const results = await Promise.allSettled(ids.map((id, i) => reviewClaim(i % 2 ? ctx2 : ctx, w.users.scienceReviewer, id, { action: 'pass' })));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(13); // 12 × 4万 + 2万
        expect(await awarded(w.enterprises.spare)).toBe(50 * WAN);
      } finally {
        await second.close();
      }
    });

    const committedUnder = async (measure: string) =>
      Number((await t.db.selectFrom('ledger_entries').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('measure_id', '=', measure).where('year', '=', 2020).where('kind', '!=', 'cityAward').executeTakeFirstOrThrow()).s ?? 0);
    /** A second pool on PostgreSQL (a second server process); on PGlite the same one. */
    const withSecondPool = async <T>(fn: (ctx2: PlatformContext) => Promise<T>) => {
      const second = t.kind === 'postgres' ? await openDatabase({ url: t.url!, migrate: false }) : undefined;
      try {
        return await fn(second ? createPlatformContext(second.db, engine, { today: () => today }) : ctx);
      } finally {
        await second?.close();
      }
    };

    it('parallel decisions under a measure budget, from two pools, commit exactly what fits', async () => {
      const { setBudget } = await import('../ledger/budgets.ts');
      const { createEnterprise } = await import('../enterprises/enterprises.ts');
      const { generateUscc, seededRandom } = await import('../enterprises/uscc.ts');
      const { createUser } = await import('../identity/users.ts');
      const { FAST_SECURITY, TEST_PASSWORD } = await import('./fixture.ts');
      // an enterprise of its own, whose voucher cap (50万 a year) is far from this test's amounts
      const uscc = generateUscc({ random: seededRandom(77) });
      await createEnterprise(t.db, { uscc, name: '吴江盛泽预算测试纺织有限公司', areaId: 'shengze', industryClass: 'other' }, { actor: SYSTEM_ACTOR });
      const owner = await createUser(t.db, { username: 'budget-owner', displayName: '预算测试企业', password: TEST_PASSWORD, role: 'enterprise', enterpriseUscc: uscc }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY });
      const ids = await prepareVouchers(12, 3 * WAN, owner, w.users.shengzeReviewer);
      const before = await committedUnder('7');
      await setBudget(ctx, w.users.finance, '7', 2020, before + 20 * WAN); // room for six of 3万, not seven
      const results = await withSecondPool((ctx2) => Promise.allSettled(ids.map((id, i) => reviewClaim(i % 2 ? ctx2 : ctx, w.users.scienceReviewer, id, { action: 'pass' }))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(6);
      expect(new Set(results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as KaifangError).code))).toEqual(new Set(['budget_exhausted']));
      expect(await committedUnder('7')).toBe(before + 18 * WAN);
    });

    it('finance setting a budget while decisions run never leaves more committed than the budget', async () => {
      const { setBudget } = await import('../ledger/budgets.ts');
      const ids: number[] = [];
      for (let i = 0; i < 10; i++) {
        const c = await createClaim(ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, item: `并发预算${i}`, facts: { equipmentInvestment: '2500万元' } });
        await submitClaim(ctx, w.users.cable, c.id);
        await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
        ids.push(c.id);
      }
      const before = await committedUnder('16');
      // Budgets from below what is committed now to above all ten (300万 each), set while the ten are decided.
      const budgets = [before, before + 600 * WAN, before + 1200 * WAN, before + 3000 * WAN];
      const outcomes = await withSecondPool((ctx2) =>
        Promise.allSettled([
          ...ids.map((id, i) => reviewClaim(i % 2 ? ctx2 : ctx, w.users.industryReviewer, id, { action: 'pass' })),
          ...budgets.map((b, i) => setBudget(i % 2 ? ctx : ctx2, w.users.finance, '16', 2020, b)),
        ]),
      );
      const budget = (await t.db.selectFrom('budgets').select('amount_fen').where('measure_id', '=', '16').where('year', '=', 2020).executeTakeFirst())?.amount_fen;
      expect(budget).toBeDefined();
      expect(await committedUnder('16')).toBeLessThanOrEqual(budget!);
      const refusals = outcomes.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as KaifangError).code);
      expect(refusals.every((code) => code === 'budget_exhausted' || code === 'budget_below_committed')).toBe(true);
    });
  });
});
