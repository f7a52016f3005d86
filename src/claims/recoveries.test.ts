// Clawback follow-up (追回跟踪) on both databases, as the lead department, finance and the enterprise meet it: a
// clawback opens what is due; partial receipts bring it down, never below zero; the deadline makes it overdue; the
// ledger is untouched by what comes back; bad input names its field and stores nothing; the database refuses a
// receipt above what is due even from a path that skips the service.
import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { sql } from 'kysely';
import { describeDatabases } from '../db/test-databases.ts';
import { KaifangError } from '../errors.ts';
import { countRows, login, platformApp, type TestPlatform } from '../http/test-support.ts';
import { addCalendarDays } from '../civil-date.ts';
import { createWorld, type World } from './fixture.ts';
import { createClaim } from './claims.ts';
import { correctAward, reviewClaim, submitClaim } from './workflow.ts';
import { closePublicityBatch, createPublicityBatch } from './publicity.ts';
import { payClaim } from './payments.ts';
import { claimCorrections, listRecoveries, recordRecovery } from './recoveries.ts';

const WAN = 1_000_000;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KaifangError) return e.code;
    throw e;
  }
  return 'ok';
}

describeDatabases('clawback follow-up', (t) => {
  let p: TestPlatform;
  let w: World;
  let today = '2021-03-01';
  const cookie: Record<string, string> = {};
  let n = 0;
  beforeAll(async () => {
    w = await createWorld(t.db, 11);
    p = await platformApp(t.db, { today: () => today });
    for (const u of ['cable', 'textile', 'shengze', 'industry', 'science', 'finance', 'auditor', 'admin']) cookie[u] = await login(p.app, u);
    return () => p.app.close();
  });
  const call = (who: string, method: 'GET' | 'POST', url: string, payload?: unknown) => p.app.inject({ method, url, payload: payload as object, headers: { cookie: cookie[who] } });
  const TABLES = ['ledger_entries', 'clawback_recoveries', 'recovery_receipts', 'claims', 'audit_log'];

  /** The cable maker's equipment claim (measure 16, 区工信局), decided, through 公示 and paid. */
  const paidClaim = async () => {
    today = '2021-03-01';
    const c = await createClaim(p.ctx, w.users.cable, { incentive: 'equipment-investment', year: 2020, item: `追回测试项目${++n}`, facts: { equipmentInvestment: '2500万元' } });
    await submitClaim(p.ctx, w.users.cable, c.id);
    await reviewClaim(p.ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
    await reviewClaim(p.ctx, w.users.industryReviewer, c.id, { action: 'pass' });
    const b = await createPublicityBatch({ ...p.ctx, today: () => '2021-01-04' }, w.users.industryReviewer, { title: `追回测试公示${n}`, claimIds: [c.id], startsOn: '2021-01-04' });
    await closePublicityBatch(p.ctx, w.users.industryReviewer, b.id);
    const paid = await payClaim(p.ctx, w.users.finance, c.id, { voucherNo: `追回-${t.kind}-${n}`, paidOn: today });
    return { id: c.id, paidFen: paid.amountFen };
  };

  describe('a clawback opens what is due, and the case view shows the ledger before and after', () => {
    it('shows award, earlier corrections and outstanding; the clawback leaves the claim paid with a recovery to follow', async () => {
      const { id, paidFen } = await paidClaim();
      const before = await claimCorrections(p.ctx, w.users.industryReviewer, id);
      expect(before).toMatchObject({ state: 'paid', awardFen: paidFen, corrections: [], outstandingFen: paidFen, allowedKind: 'clawback', maxFen: paidFen, stateAfter: 'paid', recoveries: [] });
      // finance and the auditor read it and may make no correction; another department does not see the claim
      expect(await claimCorrections(p.ctx, w.users.finance, id)).toMatchObject({ allowedKind: null, mayRecordRecovery: false });
      expect(await codeOf(claimCorrections(p.ctx, w.users.scienceReviewer, id))).toBe('not_found');
      expect(await codeOf(claimCorrections(p.ctx, w.users.shengzeReviewer, id))).toBe('forbidden');

      const back = await correctAward(p.ctx, w.users.industryReviewer, id, { kind: 'clawback', reason: '审计发现部分设备发票重复', amountFen: 30 * WAN, dueOn: '2021-03-31' });
      expect(back).toMatchObject({ amountFen: -30 * WAN, outstandingFen: paidFen - 30 * WAN, state: 'paid' });
      const after = await claimCorrections(p.ctx, w.users.industryReviewer, id);
      expect(after.corrections).toEqual([expect.objectContaining({ kind: 'clawback', amountFen: -30 * WAN, reason: '审计发现部分设备发票重复' })]);
      expect(after.outstandingFen).toBe(paidFen - 30 * WAN);
      expect(after.recoveries).toEqual([
        expect.objectContaining({ id: back.recoveryId, dueFen: 30 * WAN, recoveredFen: 0, outstandingFen: 30 * WAN, status: 'open', clawedBackOn: '2021-03-01', dueOn: '2021-03-31', overdueDays: 0, ageDays: 0 }),
      ]);
      expect(after.recoveryTotals).toEqual({ dueFen: 30 * WAN, recoveredFen: 0, outstandingFen: 30 * WAN });
      // the enterprise reads what it owes
      expect((await claimCorrections(p.ctx, w.users.cable, id)).recoveries[0].outstandingFen).toBe(30 * WAN);
    });

    it('refuses a deadline before today, and a deadline on a reversal; nothing is stored', async () => {
      const { id } = await paidClaim();
      const rows = await countRows(t.db, TABLES);
      const past = await correctAward(p.ctx, w.users.industryReviewer, id, { kind: 'clawback', reason: '追回', amountFen: WAN, dueOn: '2021-02-28' }).catch((e) => e);
      expect(past.errors.map((e: KaifangError) => [e.path, e.code])).toEqual([['dueOn', 'due_in_past']]);
      const reversal = await correctAward(p.ctx, w.users.industryReviewer, id, { kind: 'reversal', reason: '冲销', dueOn: '2021-03-31' }).catch((e) => e);
      expect(reversal.errors.map((e: KaifangError) => [e.path, e.code])).toEqual([['dueOn', 'not_allowed']]);
      expect(await countRows(t.db, TABLES)).toEqual(rows);
    });
  });

  describe('recording what comes back', () => {
    it('takes partial receipts up to what is due, never beyond, and leaves the ledger as the clawback left it', async () => {
      const { id, paidFen } = await paidClaim();
      const back = await correctAward(p.ctx, w.users.industryReviewer, id, { kind: 'clawback', reason: '设备未按承诺投产', amountFen: 20 * WAN, dueOn: '2021-03-15' });
      const r = back.recoveryId!;
      const ledgerBefore = await countRows(t.db, ['ledger_entries']);
      today = '2021-03-05';
      const first = await recordRecovery(p.ctx, w.users.industryReviewer, r, { amountFen: 8 * WAN, receivedOn: '2021-03-04', reference: '苏财缴〔2021〕0012号' });
      expect(first).toMatchObject({ dueFen: 20 * WAN, recoveredFen: 8 * WAN, outstandingFen: 12 * WAN, status: 'open', lastReceivedOn: '2021-03-04', ageDays: 4 });
      expect(first.receipts).toEqual([expect.objectContaining({ amountFen: 8 * WAN, receivedOn: '2021-03-04', reference: '苏财缴〔2021〕0012号' })]);

      // one fen more than outstanding is refused, naming the field; exactly outstanding is not
      const rows = await countRows(t.db, TABLES);
      const over = await recordRecovery(p.ctx, w.users.industryReviewer, r, { amountFen: 12 * WAN + 1, receivedOn: '2021-03-05', reference: 'X-1' }).catch((e) => e);
      expect(over.errors.map((e: KaifangError) => [e.path, e.code])).toEqual([['amountFen', 'bad_amount']]);
      expect(over.messageZh).toContain('12');
      // a day after today, a day before the clawback, no reference, nothing at all
      const bad = await recordRecovery(p.ctx, w.users.industryReviewer, r, { amountFen: 0, receivedOn: '2021-03-06', reference: ' ' }).catch((e) => e);
      expect(bad.errors.map((e: KaifangError) => [e.path, e.code])).toEqual([['amountFen', 'bad_amount'], ['receivedOn', 'date_in_future'], ['reference', 'required']]);
      expect((await recordRecovery(p.ctx, w.users.industryReviewer, r, { amountFen: WAN, receivedOn: '2021-02-28', reference: 'X-2' }).catch((e) => e)).errors[0]).toMatchObject({ path: 'receivedOn', code: 'before_clawback' });
      expect(await countRows(t.db, TABLES)).toEqual(rows);

      // only the lead department records; finance and the auditor read; another department does not see it
      expect(await codeOf(recordRecovery(p.ctx, w.users.finance, r, { amountFen: WAN, receivedOn: '2021-03-05', reference: 'X-3' }))).toBe('forbidden');
      expect(await codeOf(recordRecovery(p.ctx, w.users.scienceReviewer, r, { amountFen: WAN, receivedOn: '2021-03-05', reference: 'X-3' }))).toBe('not_found');
      expect(await codeOf(recordRecovery(p.ctx, w.users.industryReviewer, 999_999, { amountFen: WAN, receivedOn: '2021-03-05', reference: 'X-3' }))).toBe('not_found');

      // past the deadline with money outstanding: overdue, counted from the day after the deadline
      today = '2021-03-20';
      const [late] = await listRecoveries(p.ctx, w.users.finance, { overdue: true, claimId: id });
      expect(late).toMatchObject({ id: r, overdueDays: 5, ageDays: 19, outstandingFen: 12 * WAN });
      const settled = await recordRecovery(p.ctx, w.users.industryReviewer, r, { amountFen: 12 * WAN, receivedOn: '2021-03-20', reference: '苏财缴〔2021〕0031号', note: '余款一次缴清' });
      expect(settled).toMatchObject({ recoveredFen: 20 * WAN, outstandingFen: 0, status: 'settled', overdueDays: 0, ageDays: 19 });
      expect(await codeOf(recordRecovery(p.ctx, w.users.industryReviewer, r, { amountFen: 1, receivedOn: '2021-03-20', reference: 'X-4' }))).toBe('invalid_state');
      expect(await listRecoveries(p.ctx, w.users.finance, { claimId: id })).toEqual([]); // open ones only, by default
      expect(await listRecoveries(p.ctx, w.users.finance, { claimId: id, status: 'settled' })).toHaveLength(1);

      // what came back is not a ledger entry: the claim's net is the award less the clawback, as before
      expect(await countRows(t.db, ['ledger_entries'])).toEqual(ledgerBefore);
      expect((await claimCorrections(p.ctx, w.users.industryReviewer, id)).outstandingFen).toBe(paidFen - 20 * WAN);
      // each receipt is audited on the claim
      const audit = await t.db.selectFrom('audit_log').select(['action', 'details']).where('entity', '=', 'claim').where('entity_id', '=', String(id)).where('action', '=', 'claim.recovery.record').orderBy('id').execute();
      expect(audit.map((a) => (a.details as { amountFen: number; outstandingFen: number }).outstandingFen)).toEqual([12 * WAN, 0]);
    });

    it('the database refuses a receipt above what is due, and any change to a receipt', async () => {
      const { id } = await paidClaim();
      const back = await correctAward(p.ctx, w.users.industryReviewer, id, { kind: 'clawback', reason: '追回', amountFen: 5 * WAN });
      await recordRecovery(p.ctx, w.users.industryReviewer, back.recoveryId!, { amountFen: 3 * WAN, receivedOn: '2021-03-01', reference: 'DB-1' });
      const insert = (fen: number) => t.db.insertInto('recovery_receipts').values({ recovery_id: back.recoveryId!, amount_fen: fen, received_on: '2021-03-01', reference: 'DB-2' }).execute();
      await expect(insert(2 * WAN + 1)).rejects.toThrow(/above what is due/);
      await expect(sql`update recovery_receipts set amount_fen = 1 where recovery_id = ${back.recoveryId!}`.execute(t.db)).rejects.toThrow(/append-only/);
      await expect(sql`update clawback_recoveries set due_fen = 1 where id = ${back.recoveryId!}`.execute(t.db)).rejects.toThrow(/append-only/);
      await insert(2 * WAN); // exactly what is due: the guard lets it through
    });

    it('two receipts at once for the last of the money: one is recorded, the other refused', async () => {
      const { id } = await paidClaim();
      const back = await correctAward(p.ctx, w.users.industryReviewer, id, { kind: 'clawback', reason: '追回', amountFen: 4 * WAN });
      const both = await Promise.all([3, 3].map((wan, i) => codeOf(recordRecovery(p.ctx, w.users.industryReviewer, back.recoveryId!, { amountFen: wan * WAN, receivedOn: '2021-03-01', reference: `RACE-${i}` }))));
      expect(both.sort()).toEqual(['bad_amount', 'ok']);
      const [r] = await listRecoveries(p.ctx, w.users.finance, { claimId: id, status: 'all' });
      expect(r.recoveredFen).toBe(3 * WAN);
    });
  });

  describe('property: any sequence of clawbacks and receipts keeps the money right', () => {
    // Each run: two freshly paid claims, then a random sequence of clawbacks (any amount, some above what is left),
    // receipts against any recovery (any amount, some above what is due) and days passing. A model says what each
    // step must do; the database is read back for the invariants.
    type Op = { op: 'clawback'; i: number; wan: number } | { op: 'recover'; j: number; wan: number } | { op: 'advance'; days: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.record({ op: fc.constant('clawback' as const), i: fc.nat(1), wan: fc.integer({ min: 1, max: 120 }) }), weight: 2 },
      { arbitrary: fc.record({ op: fc.constant('recover' as const), j: fc.nat(5), wan: fc.integer({ min: 1, max: 40 }) }), weight: 4 },
      { arbitrary: fc.record({ op: fc.constant('advance' as const), days: fc.integer({ min: 0, max: 20 }) }), weight: 1 },
    );
    let accepted = 0;

    it('records exactly what the model accepts, never more recovered than clawed back, never a claim below zero', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 3, maxLength: 16 }), async (ops) => {
          const claims = [await paidClaim(), await paidClaim()];
          const left = claims.map((c) => c.paidFen); // outstanding on each claim, by the model
          const recoveries: Array<{ id: number; outstanding: number }> = [];
          for (const o of ops) {
            if (o.op === 'advance') today = addCalendarDays(today, o.days);
            if (o.op === 'clawback') {
              const amount = o.wan * WAN;
              const got = await codeOf(correctAward(p.ctx, w.users.industryReviewer, claims[o.i].id, { kind: 'clawback', reason: '性质测试追回', amountFen: amount }).then((r) => recoveries.push({ id: r.recoveryId!, outstanding: amount })));
              expect(got, JSON.stringify(o)).toBe(amount <= left[o.i] ? 'ok' : 'bad_amount');
              if (got === 'ok') left[o.i] -= amount;
            }
            if (o.op === 'recover' && recoveries.length) {
              const r = recoveries[o.j % recoveries.length];
              const amount = o.wan * WAN;
              const got = await codeOf(recordRecovery(p.ctx, w.users.industryReviewer, r.id, { amountFen: amount, receivedOn: today, reference: `性质-${r.id}-${o.wan}` }));
              expect(got, JSON.stringify(o)).toBe(r.outstanding === 0 ? 'invalid_state' : amount <= r.outstanding ? 'ok' : 'bad_amount');
              if (got === 'ok') {
                r.outstanding -= amount;
                accepted += 1;
              }
            }
          }
          for (const [i, c] of claims.entries()) {
            const rows = await sql<{ due: string; clawed: string; recovered: string }>`
              select r.due_fen as due, -l.amount_fen as clawed, (select coalesce(sum(x.amount_fen), 0) from recovery_receipts x where x.recovery_id = r.id) as recovered
                from clawback_recoveries r join ledger_entries l on l.id = r.ledger_entry_id where r.claim_id = ${c.id}`.execute(t.db);
            const net = Number((await sql<{ s: string }>`select coalesce(sum(amount_fen), 0) as s from ledger_entries where claim_id = ${c.id} and kind in ('award', 'reversal', 'clawback')`.execute(t.db)).rows[0].s);
            expect(net).toBe(left[i]);
            expect(net).toBeGreaterThanOrEqual(0);
            for (const r of rows.rows) {
              expect(Number(r.due)).toBe(Number(r.clawed));
              expect(Number(r.recovered)).toBeLessThanOrEqual(Number(r.due));
            }
            const clawedBack = rows.rows.reduce((s, r) => s + Number(r.clawed), 0);
            expect(rows.rows.reduce((s, r) => s + Number(r.recovered), 0)).toBeLessThanOrEqual(clawedBack);
            expect(clawedBack).toBe(c.paidFen - left[i]);
          }
          for (const r of recoveries) {
            const [v] = await listRecoveries(p.ctx, w.users.finance, { ids: [r.id], status: 'all' });
            expect(v.outstandingFen).toBe(r.outstanding);
          }
        }),
        { numRuns: 12, seed: 20261207 },
      );
      expect(accepted).toBeGreaterThan(0); // the property did record receipts, not only refuse them
    }, 600_000);
  });

  describe('over HTTP', () => {
    it('lists each reader its own scope, exports the list, and records with field errors in both languages', async () => {
      const { id } = await paidClaim();
      const made = await call('industry', 'POST', `/api/claims/${id}/corrections`, { kind: 'clawback', reason: '虚报设备投资额', amountFen: 6 * WAN, dueOn: '2021-04-30' });
      expect(made.statusCode, made.body).toBe(201);
      const recoveryId = made.json().recoveryId as number;
      const view = await call('industry', 'GET', `/api/claims/${id}/corrections`);
      expect(view.json()).toMatchObject({ allowedKind: 'clawback', recoveries: [{ id: recoveryId, dueFen: 6 * WAN }] });

      const ids = async (who: string) => ((await call(who, 'GET', '/api/recoveries?pageSize=100')).json().items as Array<{ id: number }>).map((r) => r.id);
      expect(await ids('industry')).toContain(recoveryId);
      expect(await ids('finance')).toContain(recoveryId);
      expect(await ids('cable')).toContain(recoveryId);
      expect(await ids('science')).not.toContain(recoveryId);
      expect(await ids('textile')).not.toContain(recoveryId);
      expect((await call('shengze', 'GET', '/api/recoveries')).statusCode).toBe(403);
      const page = (await call('finance', 'GET', `/api/recoveries?q=${encodeURIComponent('长缆')}&measure=16&pageSize=100`)).json();
      expect(page.total).toBe(page.items.length);
      expect(page.totals.outstandingFen).toBe(page.items.reduce((s: number, r: { outstandingFen: number }) => s + r.outstandingFen, 0));

      const bad = await call('industry', 'POST', `/api/recoveries/${recoveryId}/receipts`, { amountFen: 7 * WAN, receivedOn: '2021-03-01', reference: 'H-1' });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().errors[0]).toMatchObject({ path: 'amountFen', code: 'bad_amount' });
      expect(bad.json().errors[0].messageZh).toContain('不能超过');
      expect(bad.json().errors[0].messageEn).toContain('cannot exceed');
      const schema = await call('industry', 'POST', `/api/recoveries/${recoveryId}/receipts`, { amountFen: '100', receivedOn: '2021-03-01', reference: 'H-1' });
      expect(schema.json().errors[0]).toMatchObject({ path: 'body.amountFen', code: 'schema_type' });
      const ok = await call('industry', 'POST', `/api/recoveries/${recoveryId}/receipts`, { amountFen: 2 * WAN, receivedOn: '2021-03-01', reference: '缴款书 H-2' });
      expect(ok.statusCode, ok.body).toBe(201);
      expect(ok.json()).toMatchObject({ recoveredFen: 2 * WAN, outstandingFen: 4 * WAN });

      const file = await call('finance', 'GET', '/api/recoveries/export.xlsx?status=all');
      expect(file.statusCode).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(file.rawPayload as unknown as ArrayBuffer);
      const text: string[] = [];
      wb.worksheets[0].eachRow((row) => text.push((row.values as unknown[]).map(String).join('|')));
      expect(text.join('\n')).toContain('虚报设备投资额');
      expect(text.join('\n')).toContain('2021-04-30');
    });
  });
});
