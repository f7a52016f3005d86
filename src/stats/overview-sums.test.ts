// The overview read from overview_sums (kept by triggers) equals the overview counted from the claims, the ledger
// and the payments, after a seeded random mix of submissions, returns, decisions, reversals, 公示, payments,
// clawbacks and withdrawals — for every scope. And the queue badges equal a recount, also after decisions made
// concurrently (on PostgreSQL through the pool's ten connections).
import { beforeAll, expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { seededRandom } from '../enterprises/uscc.ts';
import { createPlatformContext, type PlatformContext } from '../claims/context.ts';
import { createWorld, type World } from '../claims/fixture.ts';
import { createClaim, queueCounts } from '../claims/claims.ts';
import { correctAward, reviewClaim, submitClaim, withdrawClaim } from '../claims/workflow.ts';
import { closePublicityBatch, createPublicityBatch } from '../claims/publicity.ts';
import { payClaim } from '../claims/payments.ts';
import { statsOverview } from './overview.ts';
import { listScope } from '../identity/access.ts';

const engine = Engine.load();

describeDatabases('overview sums and kept counts', (t) => {
  let ctx: PlatformContext;
  let w: World;
  let today = '2021-03-01';
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine, { today: () => today });
    w = await createWorld(t.db, 7);
  });

  const areaOf = (u: Principal) => (u === w.users.cable || u === w.users.textile ? w.users.shengzeReviewer : w.users.songlingReviewer);
  type Principal = World['users']['cable'];

  /** The badges counted from the claims themselves, as queueCounts counted before migration 0017. */
  async function recountBadges(where: ReturnType<typeof sql>) {
    const { rows } = await sql<{ state: string; n: string | number }>`select state, count(*) as n from claims where ${where} group by state`.execute(t.db);
    const c = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
    return {
      drafts: c.draft ?? 0, firstReview: c.submitted ?? 0, returned: c.returned ?? 0, departmentReview: c.departmentReview ?? 0, jointReview: c.jointReview ?? 0,
      publicity: c.publicity ?? 0, awaitingPayment: c.approved ?? 0, paid: c.paid ?? 0, rejected: c.rejected ?? 0, withdrawn: c.withdrawn ?? 0,
    };
  }

  async function expectKeptEqualsRecount() {
    for (const u of [w.users.finance, w.users.auditor, w.users.shengzeReviewer, w.users.songlingReviewer, w.users.industryReviewer, w.users.scienceReviewer]) {
      for (const year of [2020, 2021]) expect(await statsOverview(ctx, u, year), `${u.username} ${year}`).toEqual(await statsOverview(ctx, u, year, { recount: true }));
    }
    expect(await queueCounts(ctx, w.users.finance)).toEqual(await recountBadges(sql`true`));
    expect(await queueCounts(ctx, w.users.shengzeReviewer)).toEqual(await recountBadges(sql`area_id = 'shengze'`));
    for (const u of [w.users.industryReviewer, w.users.scienceReviewer]) {
      const scope = listScope(u, 'claim.read', ctx.access);
      if (scope.kind !== 'measures') throw new Error('a lead department reads its measures');
      expect(await queueCounts(ctx, u)).toEqual(await recountBadges(sql`measure_id in (${sql.join(scope.measureIds)})`));
    }
    expect(await queueCounts(ctx, w.users.cable)).toEqual(await recountBadges(sql`enterprise_uscc = ${w.enterprises.cable}`));
  }

  it('after a random mix of decisions, corrections and payments the overview equals the ledger', async () => {
    const random = seededRandom(16);
    const pick = <T,>(xs: T[]) => xs[Math.floor(random() * xs.length)];
    const companies = [w.users.cable, w.users.textile, w.users.equipment, w.users.spare];
    const decided: number[] = [];
    for (let i = 0; i < 24; i++) {
      const u = pick(companies);
      const year = 2020; // the policy's period (2021 is asked too: it must read as empty both ways)
      const voucher = random() < 0.3;
      const c = voucher
        ? await createClaim(ctx, u, { incentive: 'innovation-voucher', year, amountClaimedFen: 1_000_000 + Math.floor(random() * 100) * 10_000, facts: { purchasesSciTechServices: true } })
        : await createClaim(ctx, u, { incentive: 'equipment-investment', year, item: `设备${i}`, facts: { equipmentInvestment: `${2000 + Math.floor(random() * 8) * 100}万元` } });
      const fate = random();
      if (fate < 0.1) continue; // a draft
      await submitClaim(ctx, u, c.id);
      if (fate < 0.2) {
        await withdrawClaim(ctx, u, c.id, '不再申报');
        continue;
      }
      if (fate < 0.3) {
        await reviewClaim(ctx, areaOf(u), c.id, { action: 'return', reason: '补充材料' });
        await submitClaim(ctx, u, c.id); // a resubmission moves the month of submission
        continue;
      }
      await reviewClaim(ctx, areaOf(u), c.id, { action: 'pass' });
      if (fate < 0.4) continue; // waits for the department
      await reviewClaim(ctx, voucher ? w.users.scienceReviewer : w.users.industryReviewer, c.id, { action: 'pass' });
      decided.push(c.id);
    }
    const reviewerOf = async (id: number) => ((await t.db.selectFrom('claims').select('measure_id').where('id', '=', id).executeTakeFirstOrThrow()).measure_id === '16' ? w.users.industryReviewer : w.users.scienceReviewer);
    // Some reversed before 公示; the rest published, closed and some paid, some of those clawed back.
    const reversed = decided.filter(() => random() < 0.2);
    for (const id of reversed) await correctAward(ctx, await reviewerOf(id), id, { kind: 'reversal', reason: '重复申报' });
    const rest = decided.filter((id) => !reversed.includes(id));
    for (const reviewer of [w.users.industryReviewer, w.users.scienceReviewer]) {
      const mine: number[] = [];
      for (const id of rest) if ((await reviewerOf(id)) === reviewer) mine.push(id);
      if (!mine.length) continue;
      today = '2021-03-01';
      const b = await createPublicityBatch(ctx, reviewer, { title: '公示', claimIds: mine, startsOn: today });
      today = '2021-03-09';
      await closePublicityBatch(ctx, reviewer, b.id);
    }
    const paid: number[] = [];
    for (const id of rest) {
      if (random() < 0.6) {
        await payClaim(ctx, w.users.finance, id, { voucherNo: `V-${id}`, paidOn: pick(['2021-03-20', '2021-04-02', '2021-05-31']) });
        paid.push(id);
      }
    }
    for (const id of paid.filter(() => random() < 0.3)) await correctAward(ctx, await reviewerOf(id), id, { kind: 'clawback', reason: '虚报', amountFen: 100_000 });
    expect(decided.length).toBeGreaterThan(5);
    expect(paid.length).toBeGreaterThan(2);
    await expectKeptEqualsRecount();
    const o = await statsOverview(ctx, w.users.finance, 2020);
    expect(o.totals.approvedFen + (await statsOverview(ctx, w.users.finance, 2021)).totals.approvedFen).toBe(
      Number((await sql<{ s: string }>`select coalesce(sum(amount_fen), 0) as s from ledger_entries where claim_id is not null and kind <> 'cityAward'`.execute(t.db)).rows[0].s),
    );
  });

  it('badges stay right under concurrent decisions', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 16; i++) {
      const u = [w.users.cable, w.users.textile][i % 2];
      const c = await createClaim(ctx, u, { incentive: 'equipment-investment', year: 2020, item: `并发${i}`, facts: { equipmentInvestment: '2000万元' } });
      await submitClaim(ctx, u, c.id);
      ids.push(c.id);
    }
    await Promise.all(ids.map((id) => reviewClaim(ctx, w.users.shengzeReviewer, id, { action: 'pass' })));
    const settled = await Promise.allSettled(ids.map((id) => reviewClaim(ctx, w.users.industryReviewer, id, { action: 'pass' })));
    // Cap refusals are expected (two enterprises, sixteen projects); whatever happened, the badges are the claims' states.
    expect(settled.filter((s) => s.status === 'fulfilled').length).toBeGreaterThan(0);
    await expectKeptEqualsRecount();
  });
});
