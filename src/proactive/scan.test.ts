// 免申即享 scan (issue 11): every enterprise × every incentive facts decide → eligible (amount, explanation) / maybe
// (missing facts and who holds them) / notEligible (why, what would qualify), stored per policy version and as-of;
// a killed run resumes without duplicates or gaps; a batch rescans only the enterprises it touched.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { Engine } from '../engine/index.ts';
import { createPlatformContext, type PlatformContext } from '../claims/context.ts';
import { createWorld, FAST_SECURITY, type World } from '../claims/fixture.ts';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { createUser, type Principal } from '../identity/users.ts';
import { loadFactBatch } from './batches.ts';
import { getRun, rescanBatch, resultsOf, runScan, scanPage, startScan } from './scan.ts';

const engine = Engine.load();
const WAN = 1_000_000;

describeDatabases('免申即享 scan', (t) => {
  let ctx: PlatformContext;
  let w: World;
  let tax: Principal;
  beforeAll(async () => {
    ctx = createPlatformContext(t.db, engine, { today: () => '2021-03-01' });
    w = await createWorld(t.db);
    tax = await createUser(t.db, { username: 'tax', displayName: '区税务局', password: 'kaifang-test-2020', role: 'departmentReviewer', departmentId: 'tax-bureau' }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY });
    await loadFactBatch(ctx, tax, {
      source: 'tax',
      asOf: '2021-02-28',
      rows: [
        // growth 200万 (inclusive threshold 20万): 6% = 12万
        { uscc: w.enterprises.cable, year: 2020, facts: { rdExpense: '500万元', rdExpensePriorYear: '300万元', rdSuperDeductionYears: [2019, 2020] } },
        // growth 19.99万: 100元 short of the threshold
        { uscc: w.enterprises.textile, year: 2020, facts: { rdExpense: '119.99万元', rdExpensePriorYear: '100万元', rdSuperDeductionYears: [2019, 2020] } },
        // the year before is not on file
        { uscc: w.enterprises.other, year: 2020, facts: { rdExpense: '300万元', rdSuperDeductionYears: [2019, 2020] } },
      ],
    });
  });

  it('finds eligible, maybe and notEligible with amount, missing facts and their department, and what would qualify', async () => {
    const run = await runScan(ctx, null, { year: 2020 });
    expect(run).toMatchObject({ total: 4, done: 4, finished: true, factsAsOf: '2021-03-01', policyVersion: engine.policy.version });
    const rd = async (uscc: string) => (await resultsOf(ctx, uscc, 2020)).find((r) => r.incentive === 'rd-expense-growth')!;
    expect(await rd(w.enterprises.cable)).toMatchObject({ status: 'eligible', amountFen: 12 * WAN, measure: '10', area: 'shengze', facts: { rdExpense: 500 * WAN, rdExpensePriorYear: 300 * WAN } });
    const textile = await rd(w.enterprises.textile);
    expect(textile).toMatchObject({ status: 'notEligible', amountFen: null });
    expect(textile.reasons.map((r) => r.zh).join('')).toMatch(/还差100元即达到20万元/);
    const other = await rd(w.enterprises.other);
    expect(other).toMatchObject({ status: 'maybe', missing: [{ fact: 'rdExpensePriorYear', source: 'tax', department: 'tax-bureau' }] });
    const spare = await rd(w.enterprises.spare);
    expect(spare.status).toBe('maybe');
    expect(spare.missing.map((m) => m.fact)).toEqual(['rdExpense', 'rdExpensePriorYear', 'rdSuperDeductionYears']);
    // the pool reward too: without the pool year on file (科技局) it is maybe
    const pool = (await resultsOf(ctx, w.enterprises.cable, 2020)).find((r) => r.incentive !== 'rd-expense-growth')!;
    expect(pool.status).toBe('maybe');
    expect(pool.missing.some((m) => m.source === 'science')).toBe(true);
  });

  it('a run killed after one page resumes after its cursor: every enterprise once, no duplicates', async () => {
    const run = await startScan(ctx, null, { year: 2020, asOf: '2021-02-28' });
    expect(await scanPage(ctx, run.id, 1)).toBe(true);
    expect(await getRun(ctx, run.id)).toMatchObject({ done: 1, finished: false });
    // "killed": a new process resumes the same run
    const resumed = await runScan(ctx, null, { year: 2020, resume: run.id, pageSize: 2 });
    expect(resumed).toMatchObject({ done: 4, total: 4, finished: true });
    const rows = await t.db.selectFrom('scan_results').select(['enterprise_uscc', 'incentive_id']).where('facts_as_of', '=', '2021-02-28').execute();
    expect(rows.length).toBe(4 * 2);
    // the same scan again upserts: still one row per key
    await runScan(ctx, null, { year: 2020, asOf: '2021-02-28' });
    expect((await t.db.selectFrom('scan_results').select('run_id').where('facts_as_of', '=', '2021-02-28').execute()).length).toBe(8);
  });

  it('a new batch rescans only the enterprises it touched, and the new value changes the result', async () => {
    const b = await loadFactBatch(ctx, tax, { source: 'tax', asOf: '2021-03-01', rows: [{ uscc: w.enterprises.other, year: 2020, facts: { rdExpensePriorYear: '200万元' } }] });
    const [run] = await rescanBatch(ctx, null, b.batch.id);
    expect(run).toMatchObject({ total: 1, done: 1, finished: true });
    const other = (await resultsOf(ctx, w.enterprises.other, 2020)).find((r) => r.incentive === 'rd-expense-growth' && r.factsAsOf === '2021-03-01')!;
    expect(other).toMatchObject({ status: 'eligible', amountFen: 6 * WAN });
    expect(await startScan(ctx, w.users.cable, { year: 2020 }).catch((e) => e.code)).toBe('forbidden');
  });
});
