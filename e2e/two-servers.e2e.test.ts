// Two `kaifang serve` processes on one PostgreSQL database, deciding contended claims at once over HTTP: no cap
// and no budget is ever passed, every 200 is one decision and one ledger entry, and the audit chain — written by
// both, sealed by both — verifies with nothing left unsealed. (Issue 3: "two server processes approving against
// the same database never exceed a cap or a budget".)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealAuditChain, verifyAuditChain } from '../src/audit/audit-log.ts';
import { createPlatformContext } from '../src/claims/context.ts';
import { createClaim } from '../src/claims/claims.ts';
import { createWorld, TEST_PASSWORD, type World } from '../src/claims/fixture.ts';
import { reviewClaim, submitClaim } from '../src/claims/workflow.ts';
import { openDatabase, type OpenedDatabase } from '../src/db/open.ts';
import { createScratchDatabase, type ScratchDatabase } from '../src/db/test-databases.ts';
import { Engine } from '../src/engine/index.ts';
import { setBudget } from '../src/ledger/budgets.ts';
import { startServer, type RunningServer } from './harness.ts';

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl && process.env.KAIFANG_REQUIRE_POSTGRES) throw new Error('KAIFANG_REQUIRE_POSTGRES is set but DATABASE_URL is not: the two-server test cannot run');
const WAN = 1_000_000;

describe.skipIf(!serverUrl)(serverUrl ? 'two server processes, one PostgreSQL database' : 'two server processes (skipped: DATABASE_URL not set)', () => {
  let scratch: ScratchDatabase;
  let db: OpenedDatabase;
  let w: World;
  let servers: RunningServer[] = [];
  const vouchers: number[] = [];
  const equipment: number[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase(serverUrl!);
    db = await openDatabase({ url: scratch.url });
    w = await createWorld(db.db);
    const ctx = createPlatformContext(db.db, Engine.load());
    const waiting = async (owner: World['users']['cable'], input: Parameters<typeof createClaim>[2]) => {
      const c = await createClaim(ctx, owner, input);
      await submitClaim(ctx, owner, c.id);
      await reviewClaim(ctx, w.users.shengzeReviewer, c.id, { action: 'pass' });
      return c.id;
    };
    // measure 7: thirty vouchers of 4万 against one enterprise's 50万 yearly cap (12 × 4万 + 2万 fit)
    for (let i = 0; i < 30; i++) vouchers.push(await waiting(w.users.cable, { incentive: 'innovation-voucher', year: 2020, amountClaimedFen: 4 * WAN, facts: { purchasesSciTechServices: true } }));
    // measure 16: eight projects of 300万 each under a budget with room for three
    for (let i = 0; i < 8; i++) equipment.push(await waiting(w.users.cable, { incentive: 'equipment-investment', year: 2020, item: `双进程项目${i}`, facts: { equipmentInvestment: '2500万元' } }));
    await setBudget(ctx, w.users.finance, '16', 2020, 900 * WAN);
    servers = await Promise.all([startServer({ demo: false, databaseUrl: scratch.url }), startServer({ demo: false, databaseUrl: scratch.url })]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db?.close();
    await scratch?.drop();
  });

  const login = async (server: RunningServer, username: string) => {
    const res = await fetch(`${server.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: TEST_PASSWORD }) });
    expect(res.status).toBe(200);
    return res.headers.getSetCookie().find((c) => c.startsWith('kaifang_session='))!.split(';')[0];
  };
  const decideAll = async (ids: number[], cookies: string[]) =>
    Promise.all(
      ids.map(async (id, i) => {
        const res = await fetch(`${servers[i % 2].baseUrl}/api/claims/${id}/review`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookies[i % 2] }, body: JSON.stringify({ action: 'pass' }) });
        const body = (await res.json()) as { code?: string };
        return res.status === 200 ? 'decided' : `${res.status} ${body.code}`;
      }),
    );
  const sum = async (where: { incentive?: string; measure?: string }) => {
    let q = db.db.selectFrom('ledger_entries').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('enterprise_uscc', '=', w.enterprises.cable).where('kind', '!=', 'cityAward');
    if (where.incentive) q = q.where('incentive_id', '=', where.incentive);
    if (where.measure) q = q.where('measure_id', '=', where.measure);
    return Number((await q.executeTakeFirstOrThrow()).s ?? 0);
  };

  it('decide contended claims at once without passing a cap or a budget', async () => {
    const science = [await login(servers[0], 'science'), await login(servers[1], 'science')];
    const industry = [await login(servers[1], 'industry'), await login(servers[0], 'industry')];
    const [v, e] = await Promise.all([decideAll(vouchers, science), decideAll(equipment, industry)]);

    const count = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});
    expect(count(v)).toEqual({ decided: 13, '409 cap_exceeded': 17 });
    expect(await sum({ incentive: 'innovation-voucher' })).toBe(50 * WAN);
    expect(count(e)).toEqual({ decided: 3, '409 budget_exhausted': 5 });
    expect(await sum({ measure: '16' })).toBe(900 * WAN);

    const decisions = await db.db.selectFrom('decisions').select('claim_id').execute();
    const entries = await db.db.selectFrom('ledger_entries').select('claim_id').where('kind', '=', 'award').execute();
    expect(decisions).toHaveLength(16);
    expect(entries).toHaveLength(16);
    expect(new Set(decisions.map((d) => d.claim_id)).size).toBe(16);
  });

  it('leave one audit chain, sealed by both, with a record for every decision', async () => {
    await Promise.all(servers.map((s) => s.stop())); // each seals what is left as it stops
    servers = [];
    expect(await sealAuditChain(db.db)).toBe(0);
    const report = await verifyAuditChain(db.db);
    expect(report).toMatchObject({ ok: true, pending: { count: 0 } });
    const decided = await db.db.selectFrom('audit_log').select('entity_id').where('action', '=', 'claim.departmentReview.decide').execute();
    expect(decided).toHaveLength(16);
  });
});
