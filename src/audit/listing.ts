/**
 * Reading the audit log (auditors and administrators). The whole trail (`browseAuditTrail`) reads newest first
 * in the order written, filtered by actor, action, entity, date and address, a page at a time by seeking from the
 * last id shown (`before`), never by OFFSET and never by counting: the trail grows to millions of records, and
 * both cost time in proportion to what lies before the page. A page says whether more follow instead of a total.
 * A claim's own trail reads oldest first, as a case history does (bounded, so it keeps page and total).
 *
 * Paging is by id (the order written), not by seq (the order sealed): a record waits unsealed for a moment, and
 * for as long as the sealer refuses a tampered chain — exactly when an auditor must still see every record.
 */
import type { AuditRecord } from '../db/schema.ts';
import type { HashedAuditFields } from './audit-log.ts';
import type { Db } from '../db/transaction.ts';
import { parseCivilDate, addCalendarDays } from '../civil-date.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { authorize } from '../identity/access.ts';
import type { Principal } from '../identity/users.ts';
import { describeRecords, type AgencyNames, type RecordReading } from './summary.ts';

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

// ── The whole trail ─────────────────────────────────────────────────────────────────────────────────

export interface AuditTrailQuery {
  /** the username the record names (also 'system', 'cli') */
  actor?: string;
  /** exact actions (any of them) */
  actions?: string[];
  /** an action prefix ending in '.' ('claim.' = every claim action) */
  actionPrefix?: string;
  entity?: string;
  entityId?: string;
  /** Asia/Shanghai civil dates, both included */
  from?: string;
  to?: string;
  /** the client address: exact, or a prefix ending in '.' or ':' (10.1.) */
  ip?: string;
  actorUserId?: number;
  /** records written before this id (the previous page's `next`) */
  before?: number;
  limit?: number;
}

export type AuditTrailEntry = AuditEntry & RecordReading;

export interface AuditTrailPage {
  items: AuditTrailEntry[];
  /** more records match after this page */
  more: boolean;
  /** the `before` of the next page, when there is one */
  next: number | null;
  limit: number;
}

const likePrefix = (p: string) => `${p.replace(/[\\%_]/g, (c) => '\\' + c)}%`;

/** Shanghai midnight of a civil date, as an instant (China keeps no daylight saving time). */
const shanghaiMidnight = (d: string) => new Date(`${d}T00:00:00+08:00`);

function checkTrailQuery(q: AuditTrailQuery) {
  const errors: KaifangError[] = [];
  const date = (v: string | undefined, path: 'from' | 'to') => {
    if (v === undefined || v === '') return undefined;
    try {
      return parseCivilDate(v, path);
    } catch (e) {
      errors.push(e as KaifangError);
      return undefined;
    }
  };
  const from = date(q.from, 'from');
  const to = date(q.to, 'to');
  if (from && to && to < from) errors.push(new KaifangError({ code: 'invalid_date_range', path: 'to', zh: `结束日期 ${to} 早于开始日期 ${from}`, en: `the end date ${to} is before the start date ${from}` }));
  if (q.actionPrefix !== undefined && !q.actionPrefix.endsWith('.')) errors.push(new KaifangError({ code: 'invalid_action_prefix', path: 'actionPrefix', zh: '动作前缀须以“.”结尾，如 claim.', en: "an action prefix ends in '.' (claim.)" }));
  if (errors.length) throw new ValidationError(errors);
  return { from, to };
}

/** The filtered query, without order or limit (shared by the page and the export). */
function trailQuery(db: Db, q: AuditTrailQuery) {
  const { from, to } = checkTrailQuery(q);
  let s = db.selectFrom('audit_log');
  if (q.actor) s = s.where('actor', '=', q.actor);
  if (q.actorUserId !== undefined) s = s.where('actor_user_id', '=', q.actorUserId);
  if (q.actions?.length) s = s.where('action', 'in', q.actions);
  if (q.actionPrefix) s = s.where('action', 'like', likePrefix(q.actionPrefix));
  if (q.entity) s = s.where('entity', '=', q.entity);
  if (q.entityId) s = s.where('entity_id', '=', q.entityId);
  if (from) s = s.where('at', '>=', shanghaiMidnight(from));
  if (to) s = s.where('at', '<', shanghaiMidnight(addCalendarDays(to, 1)));
  if (q.ip) s = /[.:]$/.test(q.ip) ? s.where('ip', 'like', likePrefix(q.ip)) : s.where('ip', '=', q.ip);
  return s;
}

/** One page of the whole trail, newest first, each record with its reading (who, what, on what). */
export async function browseAuditTrail(db: Db, user: Principal, agencies: AgencyNames, q: AuditTrailQuery): Promise<AuditTrailPage> {
  authorize(user, 'audit.read');
  const limit = q.limit ?? 50;
  let s = trailQuery(db, q);
  if (q.before !== undefined) s = s.where('id', '<', q.before);
  // One more than the page: whether more follow, without counting them.
  const rows = await s.selectAll().orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const entries = page.map(auditEntry);
  const readings = await describeRecords(db, agencies, entries);
  return { items: entries.map((e, i) => ({ ...e, ...readings[i] })), more: rows.length > limit, next: rows.length > limit ? Number(page.at(-1)!.id) : null, limit };
}

/**
 * The filtered trail for export, newest first, in batches of `batchSize` by the same seek; stops after `max`
 * records and says whether more matched (the export's bound).
 */
export async function* exportAuditTrail(db: Db, user: Principal, agencies: AgencyNames, q: AuditTrailQuery, max: number, batchSize = 1000): AsyncGenerator<AuditTrailEntry[], { truncated: boolean }> {
  authorize(user, 'audit.read');
  let before = q.before;
  let sent = 0;
  for (;;) {
    const page = await browseAuditTrail(db, user, agencies, { ...q, before, limit: Math.min(batchSize, max - sent) });
    if (page.items.length) yield page.items;
    sent += page.items.length;
    if (!page.more) return { truncated: false };
    if (sent >= max) return { truncated: true };
    before = page.next!;
  }
}
