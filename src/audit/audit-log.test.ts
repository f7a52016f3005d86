import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { openDatabase } from '../db/open.ts';
import { describeDatabases } from '../db/test-databases.ts';
import type { Db } from '../db/transaction.ts';
import { appendAudit, auditHash, canonicalJson, GENESIS_HASH, verifyAuditChain } from './audit-log.ts';

const actor = { userId: 7, name: 'songling.reviewer', ip: '10.0.0.8' };

/** Runs `fn` with the append-only trigger off, as a database superuser could. */
async function bypassingTrigger(db: Db, fn: (trx: Db) => Promise<unknown>) {
  await db.transaction().execute(async (trx) => {
    await sql`alter table audit_log disable trigger audit_log_append_only`.execute(trx);
    await fn(trx);
    await sql`alter table audit_log enable trigger audit_log_append_only`.execute(trx);
  });
}

it('canonical JSON sorts keys at every level and drops undefined', () => {
  expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined, x: '中' }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"x":"中","z":1}]},"b":1}');
});

describeDatabases('audit log', (t) => {
  it('chains records from the genesis hash, each hash covering its content and predecessor', async () => {
    const first = await appendAudit(t.db, actor, { action: 'claim.read', entity: 'claim', entityId: 1, details: { b: 2, a: [1, 'x'] } });
    const second = await appendAudit(t.db, actor, { action: 'claim.submit', entity: 'claim', entityId: '1' });
    expect(first).toMatchObject({ seq: 1, prev_hash: GENESIS_HASH, entity_id: '1', details: { a: [1, 'x'], b: 2 } });
    expect(second).toMatchObject({ seq: 2, prev_hash: first.hash });
    expect(first.hash).toBe(
      auditHash(GENESIS_HASH, { seq: 1, at: first.at, actor: actor.name, actorUserId: 7, action: 'claim.read', entity: 'claim', entityId: '1', ip: '10.0.0.8', details: { a: [1, 'x'], b: 2 } }),
    );
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, records: 2, headSeq: 2, headHash: second.hash });
  });

  it('leaves no record and no gap when the transaction rolls back', async () => {
    const before = await verifyAuditChain(t.db);
    await expect(
      t.db.transaction().execute(async (trx) => {
        await appendAudit(trx, actor, { action: 'claim.approve', entity: 'claim', entityId: 2 });
        throw new Error('approval failed');
      }),
    ).rejects.toThrow('approval failed');
    const next = await appendAudit(t.db, actor, { action: 'claim.read', entity: 'claim', entityId: 2 });
    expect(before.ok && next.seq).toBe(before.ok && before.records + 1);
  });

  it('is append-only for ordinary connections', async () => {
    await expect(t.db.updateTable('audit_log').set({ actor: 'someone else' }).where('seq', '=', 1).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.deleteFrom('audit_log').where('seq', '=', 1).execute()).rejects.toThrow(/append-only/);
  });

  it('detects a record altered behind the trigger, naming it', async () => {
    for (let i = 0; i < 3; i++) await appendAudit(t.db, actor, { action: 'claim.read', entity: 'claim', entityId: 10 + i, details: { amountFen: 100 } });
    const victim = await t.db.selectFrom('audit_log').selectAll().where('entity_id', '=', '11').executeTakeFirstOrThrow();
    await bypassingTrigger(t.db, (trx) =>
      trx.updateTable('audit_log').set({ details: JSON.stringify({ amountFen: 100_000 }) }).where('seq', '=', victim.seq).execute(),
    );
    const report = await verifyAuditChain(t.db);
    expect(report).toMatchObject({ ok: false, brokenSeq: victim.seq, problem: 'hash', records: victim.seq - 1 });
    expect(!report.ok && report.message).toContain(`record #${victim.seq}`);

    // Recomputing the altered record's own hash only moves the break to its successor.
    const forged = auditHash(victim.prev_hash, {
      seq: victim.seq, at: victim.at, actor: victim.actor, actorUserId: victim.actor_user_id, action: victim.action,
      entity: victim.entity, entityId: victim.entity_id, ip: victim.ip, details: { amountFen: 100_000 },
    });
    await bypassingTrigger(t.db, (trx) => trx.updateTable('audit_log').set({ hash: forged }).where('seq', '=', victim.seq).execute());
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenSeq: victim.seq + 1, problem: 'link' });

    await bypassingTrigger(t.db, (trx) =>
      trx.updateTable('audit_log').set({ details: JSON.stringify(victim.details), hash: victim.hash }).where('seq', '=', victim.seq).execute(),
    );
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  });

  it('detects a deleted record', async () => {
    const head = await verifyAuditChain(t.db);
    if (!head.ok) throw new Error('chain should be intact');
    const victim = await t.db.selectFrom('audit_log').selectAll().where('seq', '=', head.records - 1).executeTakeFirstOrThrow();
    await bypassingTrigger(t.db, (trx) => trx.deleteFrom('audit_log').where('seq', '=', victim.seq).execute());
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenSeq: victim.seq + 1, problem: 'link', records: victim.seq - 1 });
    await t.db.insertInto('audit_log').values({ ...victim, details: JSON.stringify(victim.details) }).execute();
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, records: head.records });
  });

  it('keeps one chain under concurrent appends, also from a second, independent connection pool', async () => {
    const before = await verifyAuditChain(t.db);
    // On PostgreSQL a second pool stands in for a second server process writing to the same database.
    const other = t.url ? await openDatabase({ url: t.url, migrate: false }) : undefined;
    try {
      const writers = [t.db, other?.db ?? t.db];
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          writers[i % 2].transaction().execute(async (trx) => {
            await trx.selectFrom('enterprises').selectAll().limit(1).execute();
            await appendAudit(trx, { ...actor, name: `writer-${i}` }, { action: 'claim.read', entity: 'claim', entityId: 1000 + i });
          }),
        ),
      );
    } finally {
      await other?.close();
    }
    const report = await verifyAuditChain(t.db, { batchSize: 7 });
    expect(report).toMatchObject({ ok: true, records: (before.ok ? before.records : 0) + 40 });
    const writersSeen = await t.db.selectFrom('audit_log').select('actor').where('actor', 'like', 'writer-%').execute();
    expect(new Set(writersSeen.map((r) => r.actor)).size).toBe(40);
  });

  it('refuses a second record after the same predecessor (a fork) at the database', async () => {
    const tail = await t.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    await expect(
      t.db.insertInto('audit_log').values({ ...tail, seq: tail.seq + 1, details: '{}', hash: 'f'.repeat(64) }).execute(),
    ).rejects.toMatchObject({ code: '23505' });
  });
});
