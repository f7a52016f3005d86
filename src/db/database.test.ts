import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { generateUscc, seededRandom } from '../enterprises/uscc.ts';
import { pgErrorCode, RESTRICT_VIOLATION, CHECK_VIOLATION } from './errors.ts';
import { migrations } from './migrations/index.ts';
import { describeDatabases } from './test-databases.ts';
import { toJsonb } from './schema.ts';
import type { Db } from './transaction.ts';

const random = seededRandom(3);

async function seedEnterpriseAndOfficial(db: Db) {
  const uscc = generateUscc({ random });
  await db.insertInto('enterprises').values({ uscc, name: '测试企业', area_id: 'songling', industry_class: 'other' }).execute();
  const user = await db
    .insertInto('users')
    .values({ username: `official-${uscc.slice(-6).toLowerCase()}`, display_name: '审核员', password_hash: 'x', role: 'finance' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { uscc, userId: user.id };
}

describeDatabases('database', (t) => {
  it('applies every migration and creates the whole model', async () => {
    const applied = await t.db.selectFrom('kysely_migration' as never).select(sql<string>`name`.as('name')).execute();
    expect(applied.map((r) => r.name)).toEqual(Object.keys(migrations));
    const tables = (await t.db.introspection.getTables()).map((x) => x.name).filter((n) => !n.startsWith('kysely_'));
    expect(tables).toEqual(
      expect.arrayContaining([
        'audit_log', 'budgets', 'claim_evidence', 'claims', 'credit_list', 'decisions', 'enterprises', 'idempotency_keys',
        'ledger_entries', 'objections', 'payments', 'publicity_batches', 'publicity_items', 'reviews', 'sessions', 'users',
      ]),
    );
  });

  it('reads bigint as exact JS numbers, dates as civil-date strings, jsonb arrays and objects as values', async () => {
    // sum() over bigint is numeric in PostgreSQL: it must come back as a number too, or `total + amount` concatenates.
    const { rows } = await sql<{ big: number; sum: number; avg: number; day: string; doc: unknown; tz: string }>`
      select 9007199254740991::bigint as big, (select sum(x) from (values (1::bigint), (2::bigint)) v(x)) as sum,
             (select avg(x) from (values (1::bigint), (2::bigint)) v(x)) as avg,
             '2020-12-31'::date as day, ${toJsonb([1, { a: '中' }])}::jsonb as doc, current_setting('TimeZone') as tz`.execute(t.db);
    expect(rows[0]).toEqual({ big: 2 ** 53 - 1, sum: 3, avg: 1.5, day: '2020-12-31', doc: [1, { a: '中' }], tz: 'Asia/Shanghai' });
    await expect(sql`select 9007199254740993::bigint as too_big`.execute(t.db)).rejects.toThrow(/safe integer/);
    await expect(sql`select 9007199254740993::numeric as too_big`.execute(t.db)).rejects.toThrow(/safe integer/);
  });

  it('round-trips fen amounts through a bigint column', async () => {
    const { uscc } = await seedEnterpriseAndOfficial(t.db);
    const claim = await t.db
      .insertInto('claims')
      .values({ enterprise_uscc: uscc, area_id: 'songling', policy_id: 'p', measure_id: '16', incentive_id: 'i', year: 2020, facts: toJsonb({ investmentFen: 1_234_567_890_123 }), amount_claimed_fen: 1_000_000_000_01 })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect(claim.amount_claimed_fen).toBe(100_000_000_001);
    expect(claim.facts).toEqual({ investmentFen: 1_234_567_890_123 });
    expect(claim.state).toBe('draft');
  });

  it('rolls back everything a failed transaction wrote', async () => {
    const uscc = generateUscc({ random });
    await expect(
      t.db.transaction().execute(async (trx) => {
        await trx.insertInto('enterprises').values({ uscc, name: '回滚', area_id: 'tongli', industry_class: 'other' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await t.db.selectFrom('enterprises').where('uscc', '=', uscc).selectAll().executeTakeFirst()).toBeUndefined();
  });

  it('keeps concurrent transactions apart: one rolling back does not take the other with it', async () => {
    const [a, b] = [generateUscc({ random }), generateUscc({ random })];
    let aInserted!: () => void;
    const aHasInserted = new Promise<void>((resolve) => (aInserted = resolve));
    const first = t.db.transaction().execute(async (trx) => {
      await trx.insertInto('enterprises').values({ uscc: a, name: 'A', area_id: 'tongli', industry_class: 'other' }).execute();
      aInserted();
      await new Promise((r) => setTimeout(r, 50));
      throw new Error('A fails');
    });
    await aHasInserted;
    // Starts while A is open. On PGlite it must queue behind A rather than run inside A's BEGIN…ROLLBACK.
    const second = t.db.transaction().execute(async (trx) => {
      await trx.insertInto('enterprises').values({ uscc: b, name: 'B', area_id: 'tongli', industry_class: 'other' }).execute();
    });
    await expect(first).rejects.toThrow('A fails');
    await second;
    const stored = await t.db.selectFrom('enterprises').select('uscc').where('uscc', 'in', [a, b]).execute();
    expect(stored.map((r) => r.uscc)).toEqual([b]);
  });

  it('serialises 20 concurrent read-modify-write transactions without losing an update', async () => {
    const { uscc, userId } = await seedEnterpriseAndOfficial(t.db);
    await t.db.insertInto('budgets').values({ policy_id: 'p', measure_id: uscc, year: 2020, amount_fen: 0, set_by: userId }).execute();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        t.db.transaction().execute(async (trx) => {
          const row = await trx.selectFrom('budgets').select('amount_fen').where('measure_id', '=', uscc).forUpdate().executeTakeFirstOrThrow();
          await new Promise((r) => setTimeout(r, 1));
          await trx.updateTable('budgets').set({ amount_fen: row.amount_fen + 100 }).where('measure_id', '=', uscc).execute();
        }),
      ),
    );
    const row = await t.db.selectFrom('budgets').select('amount_fen').where('measure_id', '=', uscc).executeTakeFirstOrThrow();
    expect(row.amount_fen).toBe(2000);
  });

  it('makes the ledger append-only: UPDATE, DELETE and TRUNCATE are refused', async () => {
    const { uscc, userId } = await seedEnterpriseAndOfficial(t.db);
    const entry = await t.db
      .insertInto('ledger_entries')
      .values({ enterprise_uscc: uscc, policy_id: 'p', measure_id: '16', incentive_id: 'i', year: 2020, kind: 'cityAward', amount_fen: 500, created_by: userId, reference: '苏府〔2020〕1号' })
      .returningAll()
      .executeTakeFirstOrThrow();
    const refused = async (q: Promise<unknown>) => {
      const err = await q.then(() => undefined, (e: unknown) => e);
      expect(pgErrorCode(err)).toBe(RESTRICT_VIOLATION);
      expect(String((err as Error).message)).toMatch(/append-only/);
    };
    await refused(t.db.updateTable('ledger_entries').set({ amount_fen: 1 }).where('id', '=', entry.id).execute());
    await refused(t.db.deleteFrom('ledger_entries').where('id', '=', entry.id).execute());
    await refused(sql`truncate ledger_entries cascade`.execute(t.db));
    // The audit log may be empty here, where a row trigger has nothing to refuse; TRUNCATE is statement-level.
    await refused(sql`truncate audit_log`.execute(t.db));
    const still = await t.db.selectFrom('ledger_entries').select('amount_fen').where('id', '=', entry.id).executeTakeFirstOrThrow();
    expect(still.amount_fen).toBe(500);
  });

  it('checks the sign of ledger amounts by kind', async () => {
    const { uscc } = await seedEnterpriseAndOfficial(t.db);
    const base = { enterprise_uscc: uscc, policy_id: 'p', measure_id: '16', incentive_id: 'i', year: 2020 };
    const code = (q: Promise<unknown>) => q.then(() => 'stored', (e: unknown) => pgErrorCode(e));
    expect(await code(t.db.insertInto('ledger_entries').values({ ...base, kind: 'cityAward', amount_fen: -5 }).execute())).toBe(CHECK_VIOLATION);
    expect(await code(t.db.insertInto('ledger_entries').values({ ...base, kind: 'clawback', amount_fen: 5 }).execute())).toBe(CHECK_VIOLATION);
    // An award needs the decision it comes from.
    expect(await code(t.db.insertInto('ledger_entries').values({ ...base, kind: 'award', amount_fen: 5 }).execute())).toBe(CHECK_VIOLATION);
    expect(await code(t.db.insertInto('ledger_entries').values({ ...base, kind: 'clawback', amount_fen: -5 }).execute())).toBe('stored');
  });

  it('requires the scope column that matches the role, and a reason for every return or rejection', async () => {
    const { uscc, userId } = await seedEnterpriseAndOfficial(t.db);
    const code = (q: Promise<unknown>) => q.then(() => 'stored', (e: unknown) => pgErrorCode(e));
    const user = { display_name: 'x', password_hash: 'x' };
    expect(await code(t.db.insertInto('users').values({ ...user, username: 'no-scope', role: 'areaReviewer' }).execute())).toBe(CHECK_VIOLATION);
    expect(await code(t.db.insertInto('users').values({ ...user, username: 'wrong-scope', role: 'finance', area_id: 'songling' }).execute())).toBe(CHECK_VIOLATION);
    expect(await code(t.db.insertInto('users').values({ ...user, username: 'scoped-ok', role: 'areaReviewer', area_id: 'songling' }).execute())).toBe('stored');

    const claim = await t.db
      .insertInto('claims')
      .values({ enterprise_uscc: uscc, area_id: 'songling', policy_id: 'p', measure_id: '16', incentive_id: 'i', year: 2020 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const review = { claim_id: claim.id, stage: 'firstReview' as const, actor_id: userId };
    expect(await code(t.db.insertInto('reviews').values({ ...review, action: 'reject', reason: '  ' }).execute())).toBe(CHECK_VIOLATION);
    expect(await code(t.db.insertInto('reviews').values({ ...review, action: 'return', reason: '缺少设备发票' }).execute())).toBe('stored');
    expect(await code(t.db.insertInto('reviews').values({ ...review, action: 'pass' }).execute())).toBe('stored');
  });

  it('refuses a second payment of the same claim or with a reused voucher number', async () => {
    const { uscc, userId } = await seedEnterpriseAndOfficial(t.db);
    const claim = await t.db
      .insertInto('claims')
      .values({ enterprise_uscc: uscc, area_id: 'songling', policy_id: 'p', measure_id: '16', incentive_id: 'i', year: 2020, state: 'approved' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const decision = await t.db
      .insertInto('decisions')
      .values({ claim_id: claim.id, amount_fen: 100, explanation: toJsonb({ steps: [] }), policy_id: 'p', policy_version: '1', decided_by: userId })
      .returning('id')
      .executeTakeFirstOrThrow();
    const entry = await t.db
      .insertInto('ledger_entries')
      .values({ enterprise_uscc: uscc, policy_id: 'p', measure_id: '16', incentive_id: 'i', year: 2020, kind: 'award', amount_fen: 100, claim_id: claim.id, decision_id: decision.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const pay = { claim_id: claim.id, ledger_entry_id: entry.id, amount_fen: 100, paid_on: '2020-12-01', paid_by: userId };
    await t.db.insertInto('payments').values({ ...pay, voucher_no: `V-${claim.id}` }).execute();
    await expect(t.db.insertInto('payments').values({ ...pay, voucher_no: `V-${claim.id}-2` }).execute()).rejects.toMatchObject({ code: '23505' });
    const paid = await t.db.selectFrom('payments').select('paid_on').where('claim_id', '=', claim.id).executeTakeFirstOrThrow();
    expect(paid.paid_on).toBe('2020-12-01');
  });
});
