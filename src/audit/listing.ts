/**
 * Reading the audit log (auditors and administrators): newest first (in the order written), filtered by entity, entity id, action or
 * actor, paginated. A claim's own trail reads oldest first, as a case history does.
 */
import type { AuditRecord } from '../db/schema.ts';
import type { HashedAuditFields } from './audit-log.ts';
import type { Db } from '../db/transaction.ts';
import { KaifangError } from '../errors.ts';
import { authorize } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';

/**
 * A record as listed: its id (insert order), the hashed fields (audit-log.ts), and its place in the chain —
 * seq and hash are null for the moment until the sealer has chained it.
 */
export type AuditEntry = Omit<HashedAuditFields, 'seq'> & { id: number; seq: number | null; hash: string | null };

export interface AuditFilter {
  entity?: string;
  entityId?: string;
  /** an action, or a prefix ending in '.' ('claim.' = every claim action) */
  action?: string;
  actorUserId?: number;
  /** oldest first instead of newest first */
  ascending?: boolean;
}

export function auditEntry(r: AuditRecord): AuditEntry {
  return { id: r.id, seq: r.seq, at: r.at, actor: r.actor, actorUserId: r.actor_user_id, action: r.action, entity: r.entity, entityId: r.entity_id, ip: r.ip, details: r.details, hash: r.hash };
}

export async function listAuditRecords(db: Db, user: Principal, filter: AuditFilter, page = 1, pageSize = 50) {
  authorize(user, 'audit.read');
  let q = db.selectFrom('audit_log');
  if (filter.entity) q = q.where('entity', '=', filter.entity);
  if (filter.entityId) q = q.where('entity_id', '=', filter.entityId);
  if (filter.action) {
    q = filter.action.endsWith('.')
      ? q.where('action', 'like', `${filter.action.replace(/[\\%_]/g, (c) => '\\' + c)}%`)
      : q.where('action', '=', filter.action);
  }
  if (filter.actorUserId !== undefined) q = q.where('actor_user_id', '=', filter.actorUserId);
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q
    .selectAll()
    .orderBy('id', filter.ascending ? 'asc' : 'desc')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return { items: rows.map(auditEntry), total, page, pageSize };
}

/** The audit trail of one claim, oldest first; not_found when there is no such claim. */
export async function claimAuditTrail(db: Db, user: Principal, claimId: number, page = 1, pageSize = 100) {
  authorize(user, 'audit.read');
  const exists = await db.selectFrom('claims').select('id').where('id', '=', claimId).executeTakeFirst();
  if (!exists) throw new KaifangError({ code: 'not_found', zh: '找不到该申报', en: 'claim not found' });
  return listAuditRecords(db, user, { entity: 'claim', entityId: String(claimId), ascending: true }, page, pageSize);
}
