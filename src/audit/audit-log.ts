/**
 * The audit log: who did what to which thing, when and from where. Append-only (a trigger refuses UPDATE,
 * DELETE and TRUNCATE) and hash-chained, so that an edit by someone who can bypass the trigger — a database
 * superuser — is still detected by `verifyAuditChain`.
 *
 *   hash = sha256_hex(prev_hash + canonical JSON of {seq, at, actor, actorUserId, action, entity, entityId, ip, details})
 *
 * seq runs 1, 2, 3 … without gaps; the first record's prev_hash is 64 zeros.
 *
 * Appending happens inside the caller's transaction, so a state change and its audit record commit
 * together or not at all. To keep one chain under concurrent writers, the append takes a transaction-level
 * advisory lock before reading the tail: writers queue from the moment they append until they commit, so
 * append the audit record as the last step of a transaction. Use the default READ COMMITTED isolation: under
 * a snapshot taken before the lock, the tail read would be stale — the unique prev_hash then makes the
 * insert fail instead of forking the chain, but the transaction is lost.
 *
 * The chain proves that nothing inside it changed; it cannot tell that the newest records were cut off.
 * For that, record the head hash elsewhere from time to time (`kaifang audit verify` prints it).
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { inTransaction, type Db } from '../db/transaction.ts';
import { toJsonb, type AuditRecord, type JsonObject } from '../db/schema.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** Arbitrary but fixed: the key of the advisory lock that serialises appends to the chain. */
const AUDIT_CHAIN_LOCK_KEY = 7_412_633_001_775_201;

export interface AuditActor {
  /** users.id, or null for the platform itself (migrations, demo seeding, scheduled jobs). */
  userId: number | null;
  /** Username, or a label like 'system' or 'cli'. */
  name: string;
  /** Where the request came from (client IP), when there was a request. */
  ip?: string | null;
}

export const SYSTEM_ACTOR: AuditActor = Object.freeze({ userId: null, name: 'system' });

export interface AuditEvent {
  /** What happened, as `entity.verb`: 'claim.submit', 'claim.read', 'auth.loginFailed' … */
  action: string;
  /** The kind of thing acted on: 'claim', 'enterprise', 'user', 'session' … */
  entity: string;
  entityId?: string | number | null;
  /** Anything else worth keeping (from/to state, reason, amount); must be JSON. */
  details?: Record<string, unknown>;
}

/** The fields covered by the hash, in the form they are hashed. */
export interface HashedAuditFields {
  seq: number;
  at: Date;
  actor: string;
  actorUserId: number | null;
  action: string;
  entity: string;
  entityId: string | null;
  ip: string | null;
  details: JsonObject;
}

/** Appends one record to the chain inside `db`'s transaction (or a new one) and returns it. */
export function appendAudit(db: Db, actor: AuditActor, event: AuditEvent): Promise<AuditRecord> {
  return inTransaction(db, async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_CHAIN_LOCK_KEY)})`.execute(trx);
    const tail = await trx
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const fields: HashedAuditFields = {
      seq: (tail?.seq ?? 0) + 1,
      at: new Date(),
      actor: actor.name,
      actorUserId: actor.userId,
      action: event.action,
      entity: event.entity,
      entityId: event.entityId === undefined || event.entityId === null ? null : String(event.entityId),
      ip: actor.ip ?? null,
      // Normalised the way jsonb will give it back, so the hash computed now is the hash recomputed later.
      details: normaliseJson(event.details ?? {}) as JsonObject,
    };
    const prevHash = tail?.hash ?? GENESIS_HASH;
    return trx
      .insertInto('audit_log')
      .values({
        seq: fields.seq,
        at: fields.at,
        actor: fields.actor,
        actor_user_id: fields.actorUserId,
        action: fields.action,
        entity: fields.entity,
        entity_id: fields.entityId,
        ip: fields.ip,
        details: toJsonb(fields.details),
        prev_hash: prevHash,
        hash: auditHash(prevHash, fields),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export function auditHash(prevHash: string, fields: HashedAuditFields): string {
  const record = { ...fields, at: fields.at.toISOString() };
  return createHash('sha256').update(prevHash).update(canonicalJson(record)).digest('hex');
}

/** JSON with object keys sorted at every level: one text for one value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  return serialise(normaliseJson(value));
}

function normaliseJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : JSON.parse(text);
}

function serialise(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(serialise).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${serialise((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

// ── Verification ────────────────────────────────────────────────────────────────────────────────────

export type AuditChainReport =
  | { ok: true; records: number; headSeq: number | null; headHash: string }
  | {
      ok: false;
      /** Records verified intact before the first broken one. */
      records: number;
      brokenSeq: number;
      problem: 'hash' | 'link' | 'sequence';
      message: string;
    };

/** Walks the whole chain in order and reports the first record that does not verify. */
export async function verifyAuditChain(db: Db, options: { batchSize?: number } = {}): Promise<AuditChainReport> {
  const batchSize = options.batchSize ?? 2000;
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let records = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    for (const row of rows) {
      const broken = (problem: 'hash' | 'link' | 'sequence', message: string): AuditChainReport => ({
        ok: false,
        records,
        brokenSeq: row.seq,
        problem,
        message,
      });
      const fields: HashedAuditFields = {
        seq: row.seq,
        at: row.at,
        actor: row.actor,
        actorUserId: row.actor_user_id,
        action: row.action,
        entity: row.entity,
        entityId: row.entity_id,
        ip: row.ip,
        details: row.details,
      };
      if (auditHash(row.prev_hash, fields) !== row.hash) {
        return broken('hash', `record #${row.seq}: its content does not match its hash — the record was altered`);
      }
      if (row.prev_hash !== prevHash) {
        return broken(
          'link',
          expectedSeq === 1
            ? `record #${row.seq}: the first record must follow the genesis hash — earlier records were removed or the chain was rewritten`
            : `record #${row.seq}: prev_hash does not match the hash of record #${expectedSeq - 1} — a record was rewritten, removed or reordered`,
        );
      }
      if (row.seq !== expectedSeq) {
        return broken('sequence', `record #${row.seq}: expected #${expectedSeq} — records are missing`);
      }
      prevHash = row.hash;
      expectedSeq = row.seq + 1;
      records++;
    }
    if (rows.length < batchSize) break;
  }
  return { ok: true, records, headSeq: records ? expectedSeq - 1 : null, headHash: prevHash };
}
