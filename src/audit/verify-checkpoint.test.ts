// `verify` from the last verified checkpoint: it recomputes only the records added since, and a history rewritten
// and sealed again before the checkpoint is still caught (the walk then starts from #1 and names the record).
import { expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeDatabases } from '../db/test-databases.ts';
import { appendAudit, sealAuditChain, verifyAuditChain } from './audit-log.ts';

describeDatabases('audit verify from a checkpoint', (t) => {
  const actor = { userId: null, name: 'checkpoint-test' };
  const append = async (n: number) => {
    for (let i = 0; i < n; i++) await appendAudit(t.db, actor, { action: 'claim.decide', entity: 'claim', entityId: i, details: { amountFen: i } });
    await sealAuditChain(t.db);
  };

  it('walks only what came after the checkpoint, and records a new one', async () => {
    await append(30);
    expect(await verifyAuditChain(t.db, { fromCheckpoint: true, recordCheckpoint: true })).toMatchObject({ ok: true, records: 30, walked: 30, fromSeq: null });
    await append(5);
    expect(await verifyAuditChain(t.db, { fromCheckpoint: true, recordCheckpoint: true })).toMatchObject({ ok: true, records: 35, headSeq: 35, walked: 5, fromSeq: 30 });
    expect(await verifyAuditChain(t.db, { fromCheckpoint: true })).toMatchObject({ ok: true, records: 35, walked: 0, fromSeq: 35 });
    // The full walk gives the same head.
    const full = await verifyAuditChain(t.db);
    const inc = await verifyAuditChain(t.db, { fromCheckpoint: true });
    expect(full.ok && inc.ok && full.headHash === inc.headHash).toBe(true);
  });

  it('a record before the checkpoint rewritten and the chain sealed again is found from #1', async () => {
    await t.db.transaction().execute(async (trx) => {
      await sql`alter table audit_log disable trigger audit_log_append_only`.execute(trx);
      await sql`update audit_log set details = '{"amountFen": 999}'::jsonb, seq = null, prev_hash = null, hash = null where seq >= 10`.execute(trx);
      await sql`alter table audit_log enable trigger audit_log_append_only`.execute(trx);
    });
    await sealAuditChain(t.db); // no anchor stops it: the edited history is chained again
    const r = await verifyAuditChain(t.db, { fromCheckpoint: true });
    // The chain itself is consistent again (a full walk passes: no anchor was kept); the checkpoint is not.
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
    expect(r).toMatchObject({ ok: false, problem: 'anchor', brokenSeq: 35 });
  });
});
