/**
 * The audit log: who did what to which thing, when and from where. Append-only (a trigger refuses DELETE and
 * TRUNCATE, and every UPDATE but sealing) and hash-chained, so that an edit by someone who can bypass the
 * trigger — a database superuser — is still detected by `verifyAuditChain`.
 *
 *   hash = sha256_hex(prev_hash + canonical JSON of {seq, at, actor, actorUserId, action, entity, entityId, ip, details})
 *
 * seq runs 1, 2, 3 … without gaps; the first record's prev_hash is 64 zeros.
 *
 * Two steps (migration 0004 says why):
 *  1. `appendAudit` inserts the record unsealed inside the caller's transaction, so a state change and its
 *     audit record commit together or not at all. No lock: writers do not wait for each other.
 *  2. `sealAuditChain` — run by the server every moment (`startAuditSealer`), by CLI commands that write and by
 *     `kaifang audit verify` — takes the committed unsealed records in insert order under one advisory lock and
 *     gives each its seq, prev_hash and hash. The chain's order is the order of sealing; `at` is when it happened.
 *
 * What the chain proves: nothing sealed changed, and nothing sealed was removed or reordered — against anyone
 * who cannot re-seal. Until it is sealed (a fraction of a second while the server runs) a record is protected by
 * the trigger only, so `verifyAuditChain` reports how many records wait and since when. Someone who can bypass
 * the trigger can also clear the seals of a record and of everything after it and let the sealer chain an edited
 * history again; and the chain alone cannot tell that its newest records were cut off. Both are what anchors are
 * for (anchor.ts): the head's seq and hash signed with a key outside the database and kept where the database's
 * owner cannot rewrite them. The sealer never seals at or below an anchored seq.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/transaction.ts';
import { KaifangError } from '../errors.ts';
import { toJsonb, type AuditRecord, type JsonObject } from '../db/schema.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** Arbitrary but fixed: the key of the advisory lock that serialises sealing (one sealer at a time). */
const AUDIT_SEAL_LOCK_KEY = 7_412_633_001_775_201;

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

/**
 * The row an audit event is stored as (unsealed), for `insertInto('audit_log')`. Exported for the one writer that
 * inserts it within a larger statement (the decision, src/claims/decision.ts); everyone else calls appendAudit.
 */
export function auditRow(actor: AuditActor, event: AuditEvent) {
  return {
    at: new Date(),
    actor: actor.name,
    actor_user_id: actor.userId,
    action: event.action,
    entity: event.entity,
    entity_id: event.entityId === undefined || event.entityId === null ? null : String(event.entityId),
    ip: actor.ip ?? null,
    details: toJsonb(event.details ?? {}),
  };
}

/**
 * Appends one record, unsealed, inside `db`'s transaction (or on its own) and returns its id. Cheap and
 * lock-free: call it wherever the state change happens.
 */
export async function appendAudit(db: Db, actor: AuditActor, event: AuditEvent): Promise<number> {
  const row = await db.insertInto('audit_log').values(auditRow(actor, event)).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

function hashedFields(row: AuditRecord, seq: number): HashedAuditFields {
  return { seq, at: row.at, actor: row.actor, actorUserId: row.actor_user_id, action: row.action, entity: row.entity, entityId: row.entity_id, ip: row.ip, details: row.details };
}

/**
 * Seals every committed unsealed record, oldest insert first, and returns how many. One sealer at a time across
 * processes (an advisory lock); each batch is one transaction. The hash is computed from the record as the
 * database gives it back, so it is exactly what verification recomputes. Refuses (audit_chain_tampered) to seal
 * at or below the newest anchored seq — the database's, or `anchoredSeq` (an anchor file's, given by verify).
 */
export async function sealAuditChain(db: Db, options: { batchSize?: number; anchoredSeq?: number } = {}): Promise<number> {
  const batchSize = options.batchSize ?? 1000;
  let total = 0;
  for (;;) {
    const sealed = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(AUDIT_SEAL_LOCK_KEY)})`.execute(trx);
      // After the lock, so this statement's snapshot includes what an earlier sealer committed.
      const pending = await trx.selectFrom('audit_log').selectAll().where('hash', 'is', null).orderBy('id').limit(batchSize).execute();
      if (!pending.length) return 0;
      // The tail, and in the same statement (no extra round trip) the highest seq ever anchored (anchor.ts).
      const { rows } = await sql<{ seq: number | null; hash: string | null; anchored: number | null }>`
        select t.seq, t.hash, x.anchored
          from (select max(seq) as anchored from audit_anchors) x
          left join lateral (select seq, hash from audit_log where seq is not null order by seq desc limit 1) t on true`.execute(trx);
      const tail = rows[0];
      let seq = tail?.seq ?? 0;
      let prevHash = tail?.hash ?? GENESIS_HASH;
      // Sealing a record at or below an anchored seq would write a second history over one already published:
      // the chain can only end before an anchor if seals were cleared or records removed behind the trigger.
      const anchored = Math.max(tail?.anchored ?? 0, options.anchoredSeq ?? 0);
      if (seq < anchored) throw chainCutBelowAnchor(seq, anchored, pending.length);
      const ids: number[] = [];
      const seqs: number[] = [];
      const prevs: string[] = [];
      const hashes: string[] = [];
      for (const row of pending) {
        seq += 1;
        const hash = auditHash(prevHash, hashedFields(row, seq));
        ids.push(row.id);
        seqs.push(seq);
        prevs.push(prevHash);
        hashes.push(hash);
        prevHash = hash;
      }
      // Four array parameters whatever the batch size: one prepared statement, planned once per connection.
      await sql`update audit_log a set seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
                  from unnest(${ids}::bigint[], ${seqs}::bigint[], ${prevs}::text[], ${hashes}::text[]) as v (id, seq, prev_hash, hash)
                 where a.id = v.id`.execute(trx);
      return pending.length;
    });
    total += sealed;
    if (sealed < batchSize) return total;
  }
}

/** The chain ends before a seq that was anchored: what the sealer refuses to paper over. */
function chainCutBelowAnchor(headSeq: number, anchoredSeq: number, waiting: number): KaifangError {
  return new KaifangError({
    code: 'audit_chain_tampered',
    zh: `审计链被篡改：已锚定至第 ${anchoredSeq} 条，但已封存的记录只到第 ${headSeq} 条（${waiting} 条以上待封存）——封存被清除或记录被删除；在查明之前不再封存任何记录`,
    en: `audit chain tampered: anchored up to #${anchoredSeq}, but the sealed records end at #${headSeq} (${waiting} or more wait unsealed) — seals were cleared or records removed; nothing is sealed until this is investigated`,
    details: { headSeq, anchoredSeq },
  });
}

export interface AuditSealer {
  /** Seals now (waiting for a round already running) and returns how many records it sealed. */
  sealNow(): Promise<number>;
  /** Stops the timer after a last round, so that nothing written before stays unsealed. */
  stop(): Promise<void>;
}

/**
 * Seals the chain every `intervalMs` while a server runs. A round first asks whether anything waits (one cheap
 * indexed query), so an idle platform costs next to nothing; rounds never overlap. Errors (the database
 * restarting) are reported to `onError` and the next round tries again.
 */
export function startAuditSealer(db: Db, options: { intervalMs?: number; onError?: (e: unknown) => void } = {}): AuditSealer {
  const intervalMs = options.intervalMs ?? 200;
  let running: Promise<number> | undefined;
  let stopped = false;
  const round = async () => {
    const waiting = await db.selectFrom('audit_log').select('id').where('hash', 'is', null).limit(1).executeTakeFirst();
    return waiting ? sealAuditChain(db) : 0;
  };
  const sealNow = async (): Promise<number> => {
    while (running) await running.catch(() => 0);
    running = round().finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => {
    if (running || stopped) return;
    sealNow().catch((e) => options.onError?.(e));
  }, intervalMs);
  timer.unref();
  return {
    sealNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await sealNow();
    },
  };
}

export function auditHash(prevHash: string, fields: HashedAuditFields): string {
  // Every field is already plain JSON (details as jsonb gives it back), so no normalising round trip is needed.
  const record = { ...fields, at: fields.at.toISOString() };
  return createHash('sha256').update(prevHash).update(serialise(record)).digest('hex');
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

/** Records not sealed yet: how many, and when the oldest of them happened. */
export interface AuditPending {
  count: number;
  oldestAt: Date | null;
}

/** The newest anchor the database holds (src/audit/anchor.ts): the chain must reach it with the hash signed. */
export interface AuditAnchorMark {
  seq: number;
  createdAt: Date;
}

export type AuditChainReport =
  | {
      ok: true;
      records: number;
      headSeq: number | null;
      headHash: string;
      pending: AuditPending;
      lastAnchor: AuditAnchorMark | null;
      /** Records whose hashes this run recomputed: all of them, or those after the checkpoint it started from. */
      walked?: number;
      /** The verified checkpoint the walk started after (fromCheckpoint), or null: from #1. */
      fromSeq?: number | null;
    }
  | {
      ok: false;
      /** Records verified intact before the first broken one. */
      records: number;
      brokenSeq: number;
      /** anchor: a record differs from the hash anchored for its seq, or the chain ends before an anchored seq. */
      problem: 'hash' | 'link' | 'sequence' | 'anchor';
      message: string;
    };

/**
 * Walks the sealed chain in order and reports the first record that does not verify, and how many records
 * wait to be sealed. It also holds the chain to the anchors the database keeps: each anchored seq must have the
 * anchored hash, and the chain must reach the newest anchor (records missing seals at or below it were unsealed
 * behind the trigger: tampering, never "pending"). Someone who can rewrite the log can rewrite that table as
 * well — which is why anchors are also kept outside (anchor.ts checkAuditAnchor). It changes nothing (seal first
 * with sealAuditChain to verify everything written so far).
 */
/**
 * `fromCheckpoint`: start after the newest position an earlier verify found intact (audit_verified, migration 0017)
 * instead of #1, so a verify costs the records added since. The record at the checkpoint must still have the hash
 * verified there, and every anchor at or before it its anchored hash (one look-up each): a history rewritten and
 * sealed again is caught as by a full walk. What only a full walk catches is a sealed record before the checkpoint
 * edited in place behind the trigger with its stored hash left as it was — run it (`verify --full`) now and then.
 * `recordCheckpoint`: on success, remember the head as verified.
 */
export async function verifyAuditChain(
  db: Db,
  options: { batchSize?: number; onProgress?: (recordsVerified: number) => void; fromCheckpoint?: boolean; recordCheckpoint?: boolean } = {},
): Promise<AuditChainReport> {
  const batchSize = options.batchSize ?? 2000;
  const anchors = await sql<{ seq: number; hash: string; created_at: Date }>`
    select seq, hash, created_at from audit_anchors order by seq, id`.execute(db);
  const anchoredHashes = new Map<number, { hash: string; createdAt: Date }>();
  // The first anchor of a seq: any later one of the same seq signed the same head.
  for (const a of anchors.rows) if (!anchoredHashes.has(a.seq)) anchoredHashes.set(a.seq, { hash: a.hash, createdAt: a.created_at });
  const newest = anchors.rows.at(-1);
  const lastAnchor = newest ? { seq: newest.seq, createdAt: newest.created_at } : null;
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let records = 0;
  let fromSeq: number | null = null;
  let checkpointMoved: number | null = null;
  if (options.fromCheckpoint) {
    const cp = await db.selectFrom('audit_verified').select(['seq', 'hash']).orderBy('seq', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (cp) {
      const seq = Number(cp.seq);
      // The record at the checkpoint and at every anchor before it must still have the hash verified or signed
      // there. If not, the history was rewritten: walk from #1, which finds and reports the first broken record.
      const marks = [{ seq, hash: cp.hash }, ...anchors.rows.filter((a) => Number(a.seq) <= seq).map((a) => ({ seq: Number(a.seq), hash: a.hash }))];
      const found = await db.selectFrom('audit_log').select(['seq', 'hash']).where('seq', 'in', [...new Set(marks.map((m) => m.seq))]).execute();
      const hashAt = new Map(found.map((r) => [Number(r.seq), r.hash]));
      const moved = marks.find((m) => hashAt.get(m.seq) !== m.hash);
      if (!moved) {
        fromSeq = seq;
        prevHash = cp.hash;
        expectedSeq = seq + 1;
        records = seq;
      } else {
        checkpointMoved = moved.seq;
      }
    }
  }
  const startedAt = records;
  const pendingNow = async () => {
    const waiting = await db
      .selectFrom('audit_log')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('oldest')])
      .where('hash', 'is', null)
      .executeTakeFirstOrThrow();
    return { count: Number(waiting.n), oldestAt: waiting.oldest ? new Date(waiting.oldest as Date) : null };
  };
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', 'is not', null)
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    for (const row of rows) {
      const broken = (problem: 'hash' | 'link' | 'sequence' | 'anchor', message: string): AuditChainReport => ({
        ok: false,
        records,
        brokenSeq: seq,
        problem,
        message,
      });
      const seq = row.seq!;
      if (auditHash(row.prev_hash!, hashedFields(row, seq)) !== row.hash) {
        return broken('hash', `record #${seq}: its content does not match its hash — the record was altered`);
      }
      if (row.prev_hash !== prevHash) {
        return broken(
          'link',
          expectedSeq === 1
            ? `record #${seq}: the first record must follow the genesis hash — earlier records were removed or the chain was rewritten`
            : `record #${seq}: prev_hash does not match the hash of record #${expectedSeq - 1} — a record was rewritten, removed or reordered`,
        );
      }
      if (seq !== expectedSeq) {
        return broken('sequence', `record #${seq}: expected #${expectedSeq} — records are missing`);
      }
      const anchored = anchoredHashes.get(seq);
      if (anchored && anchored.hash !== row.hash) {
        return broken(
          'anchor',
          `record #${seq}: its hash is not the one anchored on ${anchored.createdAt.toISOString()} — the chain up to #${seq} was rewritten and sealed again`,
        );
      }
      prevHash = row.hash!;
      expectedSeq = seq + 1;
      records++;
    }
    options.onProgress?.(records);
    if (rows.length < batchSize) break;
  }
  const pending = await pendingNow();
  if (lastAnchor && records < lastAnchor.seq) {
    return {
      ok: false,
      records,
      brokenSeq: records + 1,
      problem: 'anchor',
      message:
        `the chain ends at #${records} but was anchored up to #${lastAnchor.seq} on ${lastAnchor.createdAt.toISOString()}` +
        (pending.count ? ` — ${pending.count} records have no seal: seals were cleared behind the trigger` : ' — records were removed'),
    };
  }
  if (checkpointMoved !== null) {
    // Every hash verifies from #1, yet a position verified (or anchored) earlier has another hash now: the chain
    // was rewritten and sealed again behind the trigger.
    return { ok: false, records: checkpointMoved - 1, brokenSeq: checkpointMoved, problem: 'anchor', message: `record #${checkpointMoved}: its hash is not the one an earlier verify found there (or no longer exists) — the chain up to #${checkpointMoved} was rewritten and sealed again` };
  }
  const headSeq = records ? expectedSeq - 1 : null;
  if (options.recordCheckpoint && headSeq !== null && headSeq > (fromSeq ?? 0)) {
    await db.insertInto('audit_verified').values({ seq: headSeq, hash: prevHash }).execute();
  }
  const ok = { ok: true as const, records, headSeq, headHash: prevHash, pending, lastAnchor };
  return options.fromCheckpoint ? { ...ok, walked: records - startedAt, fromSeq } : ok;
}
