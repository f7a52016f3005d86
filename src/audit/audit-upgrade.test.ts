// A database whose audit chain was written before migration 0004 (every record chained in its own transaction)
// keeps its chain through the migration: the records keep their place and hashes, and new ones continue it.
import { Migrator, sql } from 'kysely';
import { expect, it } from 'vitest';
import { openDatabase } from '../db/open.ts';
import { migrations } from '../db/migrations/index.ts';
import { describeDatabases } from '../db/test-databases.ts';
import { appendAudit, auditHash, GENESIS_HASH, sealAuditChain, verifyAuditChain } from './audit-log.ts';

describeDatabases('audit chain across migration 0004', (t) => {
  it('keeps the records chained before it, and continues the chain after it', async () => {
    // A fresh database of its own, migrated only up to 0003 (the harness's is already at the latest).
    const scratch = t.url
      ? await (async () => {
          const { createScratchDatabase } = await import('../db/test-databases.ts');
          return createScratchDatabase(process.env.DATABASE_URL!);
        })()
      : undefined;
    const opened = await openDatabase(scratch ? { url: scratch.url, migrate: false } : { dataDir: 'memory://', migrate: false });
    try {
      const migrator = new Migrator({ db: opened.db, provider: { getMigrations: async () => migrations } });
      const up = await migrator.migrateTo('0003_service_cases');
      expect(up.error).toBeUndefined();

      // Three records as the old appendAudit wrote them: seq, prev_hash and hash in the insert.
      let prev = GENESIS_HASH;
      for (let seq = 1; seq <= 3; seq++) {
        const at = new Date(`2021-03-0${seq}T09:00:00.000Z`);
        const fields = { seq, at, actor: 'old-server', actorUserId: null, action: 'claim.read', entity: 'claim', entityId: String(seq), ip: null, details: { n: seq } };
        const hash = auditHash(prev, fields);
        await sql`insert into audit_log (seq, at, actor, actor_user_id, action, entity, entity_id, ip, details, prev_hash, hash)
                  values (${seq}, ${at}, ${fields.actor}, null, ${fields.action}, ${fields.entity}, ${fields.entityId}, null, ${JSON.stringify(fields.details)}::jsonb, ${prev}, ${hash})`.execute(opened.db);
        prev = hash;
      }

      const rest = await migrator.migrateToLatest();
      expect(rest.error).toBeUndefined();
      expect(await verifyAuditChain(opened.db)).toEqual({ ok: true, records: 3, headSeq: 3, headHash: prev, pending: { count: 0, oldestAt: null }, lastAnchor: null });
      const ids = (await opened.db.selectFrom('audit_log').select(['id', 'seq']).orderBy('id').execute()).map((r) => [r.id, r.seq]);
      expect(ids).toEqual([[1, 1], [2, 2], [3, 3]]);

      const next = await appendAudit(opened.db, { userId: null, name: 'new-server' }, { action: 'claim.read', entity: 'claim', entityId: 4 });
      expect(next).toBe(4); // the insert order goes on from the old sequence
      expect(await sealAuditChain(opened.db)).toBe(1);
      const report = await verifyAuditChain(opened.db);
      expect(report).toMatchObject({ ok: true, records: 4, headSeq: 4 });
    } finally {
      await opened.close();
      await scratch?.drop();
    }
  });
});
