import { sql } from 'kysely';
import { expect, it, vi } from 'vitest';
import { openDatabase } from '../db/open.ts';
import { describeDatabases } from '../db/test-databases.ts';
import type { Db } from '../db/transaction.ts';
import { appendAudit, auditHash, auditRow, canonicalJson, GENESIS_HASH, sealAuditChain, startAuditSealer, verifyAuditChain } from './audit-log.ts';

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
  const sealed = async () => {
    await sealAuditChain(t.db);
    return verifyAuditChain(t.db);
  };
  const byId = (id: number) => t.db.selectFrom('audit_log').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('appends records unsealed; sealing chains them from the genesis hash, each hash covering its content and predecessor', async () => {
    const firstId = await appendAudit(t.db, actor, { action: 'claim.read', entity: 'claim', entityId: 1, details: { b: 2, a: [1, 'x'] } });
    const secondId = await appendAudit(t.db, actor, { action: 'claim.submit', entity: 'claim', entityId: '1' });
    expect(await byId(firstId)).toMatchObject({ seq: null, prev_hash: null, hash: null, entity_id: '1', details: { a: [1, 'x'], b: 2 } });

    const waiting = await verifyAuditChain(t.db);
    expect(waiting).toMatchObject({ ok: true, records: 0, headSeq: null, headHash: GENESIS_HASH, pending: { count: 2 } });
    expect(waiting.ok && waiting.pending.oldestAt).toBeInstanceOf(Date);
    expect((await byId(firstId)).hash, 'verifying changes nothing').toBeNull();

    expect(await sealAuditChain(t.db)).toBe(2);
    const first = await byId(firstId);
    const second = await byId(secondId);
    expect(first).toMatchObject({ seq: 1, prev_hash: GENESIS_HASH });
    expect(second).toMatchObject({ seq: 2, prev_hash: first.hash });
    expect(first.hash).toBe(
      auditHash(GENESIS_HASH, { seq: 1, at: first.at, actor: actor.name, actorUserId: 7, action: 'claim.read', entity: 'claim', entityId: '1', ip: '10.0.0.8', details: { a: [1, 'x'], b: 2 } }),
    );
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, records: 2, headSeq: 2, headHash: second.hash, pending: { count: 0, oldestAt: null }, lastAnchor: null });
    expect(await sealAuditChain(t.db), 'nothing left to seal').toBe(0);
  });

  it('leaves no record and no gap when the transaction rolls back', async () => {
    const before = await sealed();
    await expect(
      t.db.transaction().execute(async (trx) => {
        await appendAudit(trx, actor, { action: 'claim.approve', entity: 'claim', entityId: 2 });
        throw new Error('approval failed');
      }),
    ).rejects.toThrow('approval failed');
    const next = await appendAudit(t.db, actor, { action: 'claim.read', entity: 'claim', entityId: 2 });
    expect(await sealAuditChain(t.db)).toBe(1);
    expect((await byId(next)).seq).toBe(before.ok && before.records + 1);
    expect(await t.db.selectFrom('audit_log').select('id').where('action', '=', 'claim.approve').execute()).toEqual([]);
  });

  it('is append-only for ordinary connections: a record is only ever sealed, once, with nothing else changed', async () => {
    await sealed();
    const id = await appendAudit(t.db, actor, { action: 'claim.read', entity: 'claim', entityId: 3 });
    const fake = { seq: 999_999, prev_hash: 'a'.repeat(64), hash: 'b'.repeat(64) };
    // unsealed: its content cannot change, not even together with sealing it
    await expect(t.db.updateTable('audit_log').set({ actor: 'someone else' }).where('id', '=', id).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.updateTable('audit_log').set({ ...fake, actor: 'someone else' }).where('id', '=', id).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.deleteFrom('audit_log').where('id', '=', id).execute()).rejects.toThrow(/append-only/);
    // an insert cannot bring its own place in the chain
    await expect(t.db.insertInto('audit_log').values({ ...auditRow(actor, { action: 'claim.read', entity: 'claim' }), ...fake }).execute()).rejects.toThrow(/append-only/);
    await sealAuditChain(t.db);
    // sealed: no change at all, not even a second sealing
    await expect(t.db.updateTable('audit_log').set({ actor: 'someone else' }).where('id', '=', id).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.updateTable('audit_log').set(fake).where('id', '=', id).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.deleteFrom('audit_log').where('id', '=', id).execute()).rejects.toThrow(/append-only/);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, pending: { count: 0 } });
  });

  it('detects a record altered behind the trigger, naming it', async () => {
    for (let i = 0; i < 3; i++) await appendAudit(t.db, actor, { action: 'claim.read', entity: 'claim', entityId: 10 + i, details: { amountFen: 100 } });
    await sealAuditChain(t.db);
    const victim = await t.db.selectFrom('audit_log').selectAll().where('entity_id', '=', '11').executeTakeFirstOrThrow();
    const seq = victim.seq!;
    await bypassingTrigger(t.db, (trx) => trx.updateTable('audit_log').set({ details: JSON.stringify({ amountFen: 100_000 }) }).where('seq', '=', seq).execute());
    const report = await verifyAuditChain(t.db);
    expect(report).toMatchObject({ ok: false, brokenSeq: seq, problem: 'hash', records: seq - 1 });
    expect(!report.ok && report.message).toContain(`record #${seq}`);

    // Recomputing the altered record's own hash only moves the break to its successor.
    const forged = auditHash(victim.prev_hash!, {
      seq, at: victim.at, actor: victim.actor, actorUserId: victim.actor_user_id, action: victim.action,
      entity: victim.entity, entityId: victim.entity_id, ip: victim.ip, details: { amountFen: 100_000 },
    });
    await bypassingTrigger(t.db, (trx) => trx.updateTable('audit_log').set({ hash: forged }).where('seq', '=', seq).execute());
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenSeq: seq + 1, problem: 'link' });

    await bypassingTrigger(t.db, (trx) => trx.updateTable('audit_log').set({ details: JSON.stringify(victim.details), hash: victim.hash }).where('seq', '=', seq).execute());
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true });
  });

  it('detects a deleted record', async () => {
    const head = await sealed();
    if (!head.ok) throw new Error('chain should be intact');
    const victim = await t.db.selectFrom('audit_log').selectAll().where('seq', '=', head.records - 1).executeTakeFirstOrThrow();
    const seq = victim.seq!;
    await bypassingTrigger(t.db, (trx) => trx.deleteFrom('audit_log').where('seq', '=', seq).execute());
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: false, brokenSeq: seq + 1, problem: 'link', records: seq - 1 });
    await bypassingTrigger(t.db, (trx) => trx.insertInto('audit_log').values({ ...victim, details: JSON.stringify(victim.details) }).execute());
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, records: head.records });
  });

  it('keeps one chain under concurrent appends and concurrent sealers, also from a second, independent connection pool', async () => {
    const before = await sealed();
    // On PostgreSQL a second pool stands in for a second server process writing to and sealing the same database.
    const other = t.url ? await openDatabase({ url: t.url, migrate: false }) : undefined;
    try {
      const pools = [t.db, other?.db ?? t.db];
      await Promise.all([
        ...Array.from({ length: 40 }, (_, i) =>
          pools[i % 2].transaction().execute(async (trx) => {
            await trx.selectFrom('enterprises').selectAll().limit(1).execute();
            await appendAudit(trx, { ...actor, name: `writer-${i}` }, { action: 'claim.read', entity: 'claim', entityId: 1000 + i });
          }),
        ),
        ...Array.from({ length: 6 }, (_, i) => sealAuditChain(pools[i % 2], { batchSize: 3 })),
      ]);
      await sealAuditChain(pools[1]);
    } finally {
      await other?.close();
    }
    const report = await verifyAuditChain(t.db, { batchSize: 7 });
    expect(report).toMatchObject({ ok: true, records: (before.ok ? before.records : 0) + 40, pending: { count: 0 } });
    const writersSeen = await t.db.selectFrom('audit_log').select('actor').where('actor', 'like', 'writer-%').execute();
    expect(new Set(writersSeen.map((r) => r.actor)).size).toBe(40);
  });

  it('refuses a second record after the same predecessor (a fork) at the database, even behind the trigger', async () => {
    await appendAudit(t.db, actor, { action: 'claim.read', entity: 'claim', entityId: 4 });
    await sealAuditChain(t.db);
    const tail = await t.db.selectFrom('audit_log').selectAll().where('seq', 'is not', null).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    const { id: _id, ...rest } = tail;
    await expect(
      bypassingTrigger(t.db, (trx) => trx.insertInto('audit_log').values({ ...rest, seq: tail.seq! + 1, details: '{}', hash: 'f'.repeat(64) }).execute()),
    ).rejects.toMatchObject({ code: '23505' });
  });

  it('seals in the background while a server runs, and what is left when it stops', async () => {
    await sealed();
    const sealer = startAuditSealer(t.db, { intervalMs: 20 });
    try {
      const id = await appendAudit(t.db, actor, { action: 'claim.read', entity: 'claim', entityId: 5 });
      await vi.waitFor(async () => expect((await byId(id)).hash).not.toBeNull(), { timeout: 5000, interval: 20 });
    } finally {
      await sealer.stop();
    }
    const last = await appendAudit(t.db, actor, { action: 'claim.read', entity: 'claim', entityId: 6 });
    const again = startAuditSealer(t.db, { intervalMs: 60_000 });
    await again.stop();
    expect((await byId(last)).seq).not.toBeNull();
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, pending: { count: 0 } });
  });
});
