// 公示 and corrections on both databases: a publicity period cannot be skipped, and no sequence of decisions,
// publications, objections, corrections, closes and payments ever takes back an award twice, revives a refused
// claim, leaves a claim's money below zero or passes a cap — nor, with the recoveries recorded after clawbacks,
// records more recovered than was clawed back.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { createEnterprise } from '../enterprises/enterprises.ts';
import { generateUscc, seededRandom } from '../enterprises/uscc.ts';
import { createUser, type Principal } from '../identity/users.ts';
import { KaifangError } from '../errors.ts';
import { addCalendarDays } from '../civil-date.ts';
import { createPlatformContext, type PlatformContext } from './context.ts';
import { createWorld, FAST_SECURITY, TEST_PASSWORD, type World } from './fixture.ts';
import { createClaim, getClaimDetail } from './claims.ts';
import { correctAward, reviewClaim, submitClaim } from './workflow.ts';
import { closePublicityBatch, createPublicityBatch, recordObjection, resolveObjection } from './publicity.ts';
import { payClaim } from './payments.ts';
import { recordRecovery } from './recoveries.ts';

const engine = Engine.load();
const WAN = 1_000_000;
const VOUCHER_CAP = 50 * WAN; // measure 7: 每年发放额度最高50万元 (policies/…/07-*.yaml); the invariant checked below

/** 'ok', or the code of the KaifangError `p` rejects with (any other error fails the test). */
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KaifangError) return e.code;
    throw e;
  }
  return 'ok';
}

describeDatabases('公示 and corrections', (t) => {
  let ctx: PlatformContext;
  let w: World;
  let today = '2021-03-01';
  beforeAll(async () => {
    today = '2021-03-01';
    ctx = createPlatformContext(t.db, engine, { today: () => today });
    w = await createWorld(t.db, 7);
  });

  const decidedVoucher = async (owner: Principal, amountFen: number) => {
    const c = await createClaim(ctx, owner, { incentive: 'innovation-voucher', year: 2020, amountClaimedFen: amountFen, facts: { purchasesSciTechServices: true } });
    await submitClaim(ctx, owner, c.id);
    const area = owner === w.users.equipment || owner === w.users.spare ? w.users.songlingReviewer : w.users.shengzeReviewer;
    await reviewClaim(ctx, area, c.id, { action: 'pass' });
    await reviewClaim(ctx, w.users.scienceReviewer, c.id, { action: 'pass' });
    return c.id;
  };
  const entriesOf = async (claimId: number) =>
    (await t.db.selectFrom('ledger_entries').select(['kind', 'amount_fen']).where('claim_id', '=', claimId).orderBy('id').execute()).map((e) => [e.kind, Number(e.amount_fen)]);
  const voucherNet = async (uscc: string) =>
    Number((await sql<{ s: string | null }>`select sum(amount_fen) as s from ledger_entries where enterprise_uscc = ${uscc} and incentive_id = 'innovation-voucher' and kind <> 'cityAward'`.execute(t.db)).rows[0].s ?? 0);

  describe('the review\'s sequence: an objection upheld on a claim a correction already reversed', () => {
    it('reverses the award once; closing the batch leaves the claim as the correction left it', async () => {
      today = '2021-03-01';
      const x = await decidedVoucher(w.users.cable, 7 * WAN);
      const batch = await createPublicityBatch(ctx, w.users.scienceReviewer, { title: '创新券公示', claimIds: [x], startsOn: today });
      const o = await recordObjection(ctx, w.users.scienceReviewer, batch.id, { claimId: x, objector: '匿名', content: '服务合同存疑', receivedOn: today });
      await resolveObjection(ctx, w.users.scienceReviewer, o.id, { outcome: 'upheld', resolution: '经核查服务合同无效' });
      await correctAward(ctx, w.users.scienceReviewer, x, { kind: 'reversal', reason: '服务合同无效' });
      today = addCalendarDays(batch.endsOn, 1);
      const closed = await closePublicityBatch(ctx, w.users.scienceReviewer, batch.id);
      expect(closed).toMatchObject({ approved: [], rejected: [], unchanged: [{ id: x, state: 'rejected' }] });
      expect(await entriesOf(x)).toEqual([['award', 7 * WAN], ['reversal', -7 * WAN]]);
      expect(await voucherNet(w.enterprises.cable)).toBe(0);
      // The cap is whole again: 50万 can still be awarded this year, and not a fen more.
      expect(await codeOf(decidedVoucher(w.users.cable, 50 * WAN))).toBe('ok');
      expect(await codeOf(decidedVoucher(w.users.cable, 1 * WAN))).toBe('cap_exceeded');
      expect(await voucherNet(w.enterprises.cable)).toBe(VOUCHER_CAP);
    });

    it('without an objection, closing does not revive a reversed claim', async () => {
      today = '2021-04-01';
      const x = await decidedVoucher(w.users.textile, 7 * WAN);
      const batch = await createPublicityBatch(ctx, w.users.scienceReviewer, { title: '创新券公示2', claimIds: [x], startsOn: today });
      await correctAward(ctx, w.users.scienceReviewer, x, { kind: 'reversal', reason: '企业主动放弃' });
      today = addCalendarDays(batch.endsOn, 1);
      await closePublicityBatch(ctx, w.users.scienceReviewer, batch.id);
      const detail = await getClaimDetail(ctx, w.users.textile, x);
      expect(detail.claim.state).toBe('rejected');
      expect(await codeOf(payClaim(ctx, w.users.finance, x, { voucherNo: 'V-REV-1', paidOn: today }))).toBe('invalid_state');
      expect(await entriesOf(x)).toEqual([['award', 7 * WAN], ['reversal', -7 * WAN]]);
    });

    it('a correction cannot take back more than is outstanding, and the ledger itself refuses it', async () => {
      today = '2021-05-01';
      const x = await decidedVoucher(w.users.equipment, 5 * WAN);
      await correctAward(ctx, w.users.scienceReviewer, x, { kind: 'reversal', reason: '重复申报' });
      expect(await codeOf(correctAward(ctx, w.users.scienceReviewer, x, { kind: 'reversal', reason: '再次冲销' }))).toBe('invalid_state');
      expect(await codeOf(correctAward(ctx, w.users.scienceReviewer, x, { kind: 'nonsense', reason: 'x' }))).toBe('bad_kind');
      const award = await t.db.selectFrom('ledger_entries').select(['id', 'enterprise_uscc']).where('claim_id', '=', x).where('kind', '=', 'award').executeTakeFirstOrThrow();
      // A path that forgets to check (a script, a future service) meets the ledger's own guard (migration 0007).
      await expect(
        t.db.insertInto('ledger_entries').values({ enterprise_uscc: award.enterprise_uscc, policy_id: engine.policy.id, measure_id: '7', incentive_id: 'innovation-voucher', item: '', year: 2020, kind: 'reversal', amount_fen: -5 * WAN, claim_id: x, reverses_entry_id: award.id }).execute(),
      ).rejects.toThrow(/below zero/);
    });
  });

  describe('a publicity period cannot be skipped', () => {
    it('starts no earlier than its publication, and closes no earlier than the day after its end', async () => {
      today = '2021-06-01';
      const x = await decidedVoucher(w.users.spare, 3 * WAN);
      const past = await createPublicityBatch(ctx, w.users.scienceReviewer, { title: '补登公示', claimIds: [x], startsOn: '2020-01-01', days: 1 }).catch((e) => e);
      expect(past).toBeInstanceOf(KaifangError);
      expect(past.errors.map((e: KaifangError) => [e.path, e.code])).toEqual([['startsOn', 'starts_in_past']]);
      const yesterday = await codeOf(createPublicityBatch(ctx, w.users.scienceReviewer, { title: '补登公示', claimIds: [x], startsOn: '2021-05-31' }));
      expect(yesterday).toBe('starts_in_past');
      const batch = await createPublicityBatch(ctx, w.users.scienceReviewer, { title: '公示', claimIds: [x], startsOn: '2021-06-02', days: 1 });
      expect(batch.endsOn).toBe('2021-06-02');
      // An objection cannot be dated before the period started, or in the future.
      expect(await codeOf(recordObjection(ctx, w.users.scienceReviewer, batch.id, { claimId: x, objector: '甲', content: '异议', receivedOn: '2021-06-01' }))).toBe('bad_date');
      today = '2021-06-02';
      expect(await codeOf(closePublicityBatch(ctx, w.users.scienceReviewer, batch.id))).toBe('invalid_state'); // the last day of the period
      expect(await codeOf(recordObjection(ctx, w.users.scienceReviewer, batch.id, { claimId: x, objector: '甲', content: '异议', receivedOn: '2021-06-03' }))).toBe('bad_date');
      today = '2021-06-03';
      expect(await closePublicityBatch(ctx, w.users.scienceReviewer, batch.id)).toMatchObject({ approved: [x] });
      expect(await codeOf(closePublicityBatch(ctx, w.users.scienceReviewer, batch.id))).toBe('invalid_state'); // closed once
    });
  });

  describe('property: any sequence of the officials\' actions keeps the money right', () => {
    // Each run gets an enterprise of its own (so caps start empty) and plays a random sequence of actions on its
    // innovation-voucher claims; refusals (KaifangError) are part of the game, anything else fails the property.
    type Op =
      | { op: 'claim'; amountWan: number }
      | { op: 'decide'; i: number }
      | { op: 'publish'; picks: number[] }
      | { op: 'object'; i: number }
      | { op: 'resolve'; j: number; upheld: boolean }
      | { op: 'reverse'; i: number }
      | { op: 'clawback'; i: number; wan: number }
      | { op: 'advance'; days: number }
      | { op: 'close'; k: number }
      | { op: 'pay'; i: number }
      | { op: 'recover'; i: number; wan: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.record({ op: fc.constant('claim' as const), amountWan: fc.integer({ min: 1, max: 20 }) }), weight: 2 },
      { arbitrary: fc.record({ op: fc.constant('decide' as const), i: fc.nat(4) }), weight: 3 },
      { arbitrary: fc.record({ op: fc.constant('publish' as const), picks: fc.array(fc.nat(4), { minLength: 1, maxLength: 3 }) }), weight: 2 },
      { arbitrary: fc.record({ op: fc.constant('object' as const), i: fc.nat(4) }), weight: 1 },
      { arbitrary: fc.record({ op: fc.constant('resolve' as const), j: fc.nat(10), upheld: fc.boolean() }), weight: 1 },
      { arbitrary: fc.record({ op: fc.constant('reverse' as const), i: fc.nat(4) }), weight: 1 },
      { arbitrary: fc.record({ op: fc.constant('clawback' as const), i: fc.nat(4), wan: fc.integer({ min: 1, max: 30 }) }), weight: 1 },
      { arbitrary: fc.record({ op: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 10 }) }), weight: 2 },
      { arbitrary: fc.record({ op: fc.constant('close' as const), k: fc.nat(5) }), weight: 2 },
      { arbitrary: fc.record({ op: fc.constant('pay' as const), i: fc.nat(4) }), weight: 2 },
      { arbitrary: fc.record({ op: fc.constant('recover' as const), i: fc.nat(4), wan: fc.integer({ min: 1, max: 25 }) }), weight: 2 },
    );
    let run = 0;
    const random = seededRandom(2026);

    it('never leaves an award\'s net below zero, a refused claim with money, a cap passed, the budget view wrong or more recovered than clawed back', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 30 }), async (ops) => {
          run += 1;
          today = '2021-07-01';
          const uscc = generateUscc({ random });
          await createEnterprise(t.db, { uscc, name: `性质测试企业${run}`, areaId: 'shengze', industryClass: 'other' }, { actor: SYSTEM_ACTOR });
          const owner = await createUser(t.db, { username: `prop-${t.kind}-${run}-${uscc.slice(-6)}`, displayName: '性质测试', password: TEST_PASSWORD, role: 'enterprise', enterpriseUscc: uscc }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY });
          const claims: number[] = [];
          const batches: number[] = [];
          const objections: number[] = [];
          const dept = w.users.scienceReviewer;
          const pick = <T,>(xs: T[], i: number) => (xs.length ? xs[i % xs.length] : undefined);
          const attempt = async (p: Promise<unknown>) => {
            try {
              await p;
            } catch (e) {
              if (!(e instanceof KaifangError)) throw e;
            }
          };
          let voucher = 0;
          for (const o of ops) {
            switch (o.op) {
              case 'claim': {
                const c = await createClaim(ctx, owner, { incentive: 'innovation-voucher', year: 2020, amountClaimedFen: o.amountWan * WAN, facts: { purchasesSciTechServices: true } });
                await submitClaim(ctx, owner, c.id);
                await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
                claims.push(c.id);
                break;
              }
              case 'decide': { const id = pick(claims, o.i); if (id) await attempt(reviewClaim(ctx, dept, id, { action: 'pass' })); break; }
              case 'publish': {
                const ids = [...new Set(o.picks.map((i) => pick(claims, i)!).filter(Boolean))];
                if (ids.length) await attempt(createPublicityBatch(ctx, dept, { title: '性质测试公示', claimIds: ids, startsOn: today, days: 3 }).then((b) => batches.push(b.id)));
                break;
              }
              case 'object': {
                const id = pick(claims, o.i);
                const item = id ? await t.db.selectFrom('publicity_items').select('batch_id').where('claim_id', '=', id).orderBy('batch_id', 'desc').executeTakeFirst() : undefined;
                if (item) await attempt(recordObjection(ctx, dept, item.batch_id, { claimId: id, objector: '群众', content: '异议', receivedOn: today }).then((r) => objections.push(r.id)));
                break;
              }
              case 'resolve': { const id = pick(objections, o.j); if (id) await attempt(resolveObjection(ctx, dept, id, { outcome: o.upheld ? 'upheld' : 'dismissed', resolution: '处理意见' })); break; }
              case 'reverse': { const id = pick(claims, o.i); if (id) await attempt(correctAward(ctx, dept, id, { kind: 'reversal', reason: '冲销' })); break; }
              case 'clawback': { const id = pick(claims, o.i); if (id) await attempt(correctAward(ctx, dept, id, { kind: 'clawback', reason: '追回', amountFen: o.wan * WAN })); break; }
              case 'advance': today = addCalendarDays(today, o.days); break;
              case 'close': { const id = pick(batches, o.k); if (id) await attempt(closePublicityBatch(ctx, dept, id)); break; }
              case 'pay': { const id = pick(claims, o.i); voucher += 1; if (id) await attempt(payClaim(ctx, w.users.finance, id, { voucherNo: `P-${t.kind}-${run}-${voucher}`, paidOn: today })); break; }
              case 'recover': {
                // money coming back against the claim's latest clawback: sometimes more than is still due (refused).
                // Few random sequences get as far as a paid, clawed-back claim; recoveries.test.ts plays receipts on
                // clawed-back claims in every run.
                const id = pick(claims, o.i);
                const r = id ? await t.db.selectFrom('clawback_recoveries').select('id').where('claim_id', '=', id).orderBy('id', 'desc').executeTakeFirst() : undefined;
                voucher += 1;
                if (r) await attempt(recordRecovery(ctx, dept, Number(r.id), { amountFen: o.wan * WAN, receivedOn: today, reference: `缴-${t.kind}-${run}-${voucher}` }));
                break;
              }
            }
          }
          // The invariants, read back from the database.
          const rows = await sql<{ id: number; state: string; awards: string; net: string | null; reversals: string; paid: string | null; payments: string }>`
            select c.id, c.state,
                   (select count(*) from ledger_entries e where e.claim_id = c.id and e.kind = 'award') as awards,
                   (select sum(amount_fen) from ledger_entries e where e.claim_id = c.id and e.kind in ('award', 'reversal', 'clawback')) as net,
                   (select count(*) from ledger_entries e where e.claim_id = c.id and e.kind = 'reversal') as reversals,
                   (select sum(amount_fen) from payments p where p.claim_id = c.id) as paid,
                   (select count(*) from payments p where p.claim_id = c.id) as payments
              from claims c where c.enterprise_uscc = ${uscc}`.execute(t.db);
          let total = 0;
          for (const r of rows.rows) {
            const net = Number(r.net ?? 0);
            const label = `claim ${r.id} (${r.state}), ops ${JSON.stringify(ops)}`;
            expect(net, label).toBeGreaterThanOrEqual(0);
            expect(Number(r.reversals), label).toBeLessThanOrEqual(Number(r.awards));
            expect(Number(r.payments), label).toBeLessThanOrEqual(1);
            if (r.state === 'publicity' || r.state === 'approved') expect(net, label).toBeGreaterThan(0);
            if (r.state === 'rejected') expect(net, label).toBe(0);
            if (r.state === 'paid') expect(net, label).toBeLessThanOrEqual(Number(r.paid));
            if (Number(r.payments)) expect(r.state, label).toBe('paid');
            total += net;
          }
          expect(total).toBeLessThanOrEqual(VOUCHER_CAP);
          expect(total).toBe(await voucherNet(uscc));
          // Recoveries: one per clawback, due exactly what it took back, and never more recovered than was due.
          const recoveries = await sql<{ id: number; due: string; clawed: string; recovered: string }>`
            select r.id, r.due_fen as due, -l.amount_fen as clawed,
                   (select coalesce(sum(x.amount_fen), 0) from recovery_receipts x where x.recovery_id = r.id) as recovered
              from clawback_recoveries r join ledger_entries l on l.id = r.ledger_entry_id
             where r.enterprise_uscc = ${uscc}`.execute(t.db);
          for (const r of recoveries.rows) {
            const label = `recovery ${r.id}, ops ${JSON.stringify(ops)}`;
            expect(Number(r.due), label).toBe(Number(r.clawed));
            expect(Number(r.recovered), label).toBeGreaterThanOrEqual(0);
            expect(Number(r.recovered), label).toBeLessThanOrEqual(Number(r.due));
          }
          const clawbacks = Number((await sql<{ n: string }>`select count(*) as n from ledger_entries where enterprise_uscc = ${uscc} and kind = 'clawback'`.execute(t.db)).rows[0].n);
          expect(recoveries.rows.length).toBe(clawbacks);
          const clawedBack = -Number((await sql<{ s: string | null }>`select sum(amount_fen) as s from ledger_entries where enterprise_uscc = ${uscc} and kind = 'clawback'`.execute(t.db)).rows[0].s ?? 0);
          expect(recoveries.rows.reduce((s, r) => s + Number(r.recovered), 0)).toBeLessThanOrEqual(clawedBack);
          // The budget view (kaifang_committed_fen) agrees with the ledger, claim by claim.
          const committed = Number((await sql<{ c: string }>`select kaifang_committed_fen(${engine.policy.id}, '7', 2020) as c`.execute(t.db)).rows[0].c);
          const ledger = Number((await sql<{ s: string | null }>`select sum(amount_fen) as s from ledger_entries where policy_id = ${engine.policy.id} and measure_id = '7' and year = 2020 and kind in ('award', 'reversal', 'clawback')`.execute(t.db)).rows[0].s ?? 0);
          expect(committed).toBe(ledger);
        }),
        { numRuns: 60, seed: 20261207 },
      );
    }, 600_000);
  });
});
