/**
 * Credit lists (失信被执行人, 联合惩戒 … — measure 29): an enterprise on an active list cannot submit a claim and
 * is checked again before payment. Officials maintain the lists here; the refusal says which list and why.
 */
import type { Db } from '../db/transaction.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { appendAudit, type AuditActor } from '../audit/audit-log.ts';
import { isCivilDate } from '../civil-date.ts';
import { parseUscc } from '../enterprises/uscc.ts';

export interface CreditEntry {
  id: number;
  uscc: string;
  listName: string;
  reason: string;
  source: string | null;
  listedOn: string;
  delistedOn: string | null;
  delistedReason: string | null;
}

function toEntry(r: { id: number; uscc: string; list_name: string; reason: string; source: string | null; listed_on: string; delisted_on: string | null; delisted_reason: string | null }): CreditEntry {
  return { id: r.id, uscc: r.uscc, listName: r.list_name, reason: r.reason, source: r.source, listedOn: r.listed_on, delistedOn: r.delisted_on, delistedReason: r.delisted_reason };
}

/** Entries in force on a date: listed on or before it and not delisted by then. */
export async function activeCreditEntries(db: Db, uscc: string, onDate: string): Promise<CreditEntry[]> {
  const rows = await db
    .selectFrom('credit_list')
    .selectAll()
    .where('uscc', '=', uscc)
    .where('listed_on', '<=', onDate)
    .where((eb) => eb.or([eb('delisted_on', 'is', null), eb('delisted_on', '>', onDate)]))
    .orderBy('id')
    .execute();
  return rows.map(toEntry);
}

/** What an active listing stops (measure 29): new claims are not submitted and payments are suspended. */
export const CREDIT_BLOCKS = ['submit', 'pay'] as const;

export interface CreditStatus {
  blocked: boolean;
  /** what a listing stops while it is in force; empty when not blocked */
  blocks: Array<(typeof CREDIT_BLOCKS)[number]>;
  /** the entries in force, each with the unit that listed the enterprise */
  entries: Array<CreditEntry & { unit: string }>;
}

/**
 * An enterprise's credit status on a date, for the enterprise itself (portal home, claim wizard, its claims) and
 * for officials. `unit` names who listed it: the list's source as recorded, else the official who recorded it —
 * an enterprise can only get itself off a list by going to that unit.
 */
export async function creditStatus(db: Db, uscc: string, onDate: string): Promise<CreditStatus> {
  const rows = await db
    .selectFrom('credit_list')
    .innerJoin('users', 'users.id', 'credit_list.recorded_by')
    .selectAll('credit_list')
    .select('users.display_name as recorder')
    .where('credit_list.uscc', '=', uscc)
    .where('credit_list.listed_on', '<=', onDate)
    .where((eb) => eb.or([eb('credit_list.delisted_on', 'is', null), eb('credit_list.delisted_on', '>', onDate)]))
    .orderBy('credit_list.id')
    .execute();
  const entries = rows.map((r) => ({ ...toEntry(r), unit: r.source?.trim() || r.recorder }));
  return { blocked: entries.length > 0, blocks: entries.length ? [...CREDIT_BLOCKS] : [], entries };
}

/** One page of the credit lists (newest first), of one enterprise or all, paged in the database, with the total. */
export async function creditEntries(db: Db, uscc: string | undefined, page = 1, pageSize = 20): Promise<{ items: CreditEntry[]; total: number; page: number; pageSize: number }> {
  let q = db.selectFrom('credit_list');
  if (uscc) q = q.where('uscc', '=', uscc);
  const [rows, total] = await Promise.all([
    q.selectAll().orderBy('id', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toEntry), total: Number(total.n), page, pageSize };
}

/** Throws `credit_blocked` naming every list the enterprise is on, and what to do. */
export async function assertNotCreditBlocked(db: Db, uscc: string, onDate: string, when: 'submit' | 'pay'): Promise<void> {
  const active = await activeCreditEntries(db, uscc, onDate);
  if (!active.length) return;
  const lists = active.map((e) => `${e.listName}（${e.reason}，${e.listedOn}列入）`).join('；');
  throw new KaifangError({
    code: 'credit_blocked',
    zh: `该企业在信用惩戒名单中：${lists}。依据措施29联合惩戒规定，${when === 'submit' ? '暂不能提交申报' : '暂停拨付'}；信用修复、移出名单后可再办理。`,
    en: `the enterprise is on a credit punishment list: ${active.map((e) => `${e.listName} (${e.reason}, since ${e.listedOn})`).join('; ')}; ${when === 'submit' ? 'it cannot submit claims' : 'payment is suspended'} until it is removed from the list`,
    details: { entries: active },
  });
}

export async function addCreditEntry(db: Db, actor: AuditActor, input: { uscc: unknown; listName: unknown; reason: unknown; listedOn: unknown; source?: unknown }): Promise<CreditEntry> {
  const errors: KaifangError[] = [];
  const text = (v: unknown, path: string, zh: string) => {
    if (typeof v !== 'string' || !v.trim()) errors.push(new KaifangError({ code: 'required', path, zh: `请填写${zh}`, en: `${path} is required` }));
    return typeof v === 'string' ? v.trim() : '';
  };
  let uscc = '';
  try {
    uscc = parseUscc(input.uscc, 'uscc');
  } catch (e) {
    errors.push(e as KaifangError);
  }
  const listName = text(input.listName, 'listName', '名单名称');
  const reason = text(input.reason, 'reason', '列入原因');
  // Optional, but when given it names the unit that listed the enterprise (shown to the enterprise): a blank one
  // would be stored as a unit called "   ".
  let source: string | null = null;
  if (input.source !== undefined && input.source !== null) {
    if (typeof input.source !== 'string' || !input.source.trim()) {
      errors.push(new KaifangError({ code: 'blank', path: 'source', zh: '来源不能为空白；没有来源请不填此项', en: 'source must not be blank; leave it out when there is none' }));
    } else source = input.source.trim();
  }
  if (!isCivilDate(input.listedOn)) errors.push(new KaifangError({ code: 'bad_date', path: 'listedOn', zh: '列入日期应为 YYYY-MM-DD', en: 'listedOn must be YYYY-MM-DD' }));
  if (errors.length) throw new ValidationError(errors);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('credit_list')
      .values({ uscc, list_name: listName, reason, listed_on: input.listedOn as string, source, recorded_by: actor.userId! })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actor, { action: 'credit.list', entity: 'enterprise', entityId: uscc, details: { listName, reason, listedOn: input.listedOn as string } });
    return toEntry(row);
  });
}

export async function delistCreditEntry(db: Db, actor: AuditActor, id: number, input: { reason: unknown; delistedOn: unknown }): Promise<CreditEntry> {
  if (typeof input.reason !== 'string' || !input.reason.trim()) throw new KaifangError({ code: 'required', path: 'reason', zh: '请填写移出原因', en: 'reason is required' });
  if (!isCivilDate(input.delistedOn)) throw new KaifangError({ code: 'bad_date', path: 'delistedOn', zh: '移出日期应为 YYYY-MM-DD', en: 'delistedOn must be YYYY-MM-DD' });
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('credit_list').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new KaifangError({ code: 'not_found', zh: '找不到该名单记录', en: 'credit entry not found' });
    if (row.delisted_on) throw new KaifangError({ code: 'invalid_state', zh: '该记录已移出名单', en: 'already delisted' });
    if ((input.delistedOn as string) < row.listed_on) throw new KaifangError({ code: 'bad_date', path: 'delistedOn', zh: '移出日期不能早于列入日期', en: 'delistedOn is before listedOn' });
    const updated = await trx
      .updateTable('credit_list')
      .set({ delisted_on: input.delistedOn as string, delisted_reason: (input.reason as string).trim(), delisted_by: actor.userId })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actor, { action: 'credit.delist', entity: 'enterprise', entityId: row.uscc, details: { id, reason: input.reason as string } });
    return toEntry(updated);
  });
}
