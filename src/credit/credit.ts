/**
 * Credit lists (失信被执行人, 联合惩戒 … — measure 29): an enterprise on an active list cannot submit a claim and
 * is checked again before payment. Officials maintain the lists here; the refusal says which list and why.
 */
import type { Db } from '../db/transaction.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { appendAudit, type AuditActor } from '../audit/audit-log.ts';
import { isCivilDate } from '../civil-date.ts';
import { parseUscc } from '../enterprises/uscc.ts';
import { cappedErrors, cellDate, readTableSheet, rowProblem, tableWorkbook, type TableColumn } from '../enterprises/sheet-table.ts';
import type { ImportReadOptions } from '../excel/read-workbook.ts';

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

export interface CreditListFilter {
  uscc?: string;
  /** active: in force on `today` (listed on or before it, not delisted by then); ended: delisted by `today` */
  status?: 'active' | 'ended';
  today?: string;
}

/**
 * One page of the credit lists (newest first), of one enterprise or all, paged in the database, with the total; each
 * entry with the registered enterprise's name (null for a code not registered on the platform).
 */
export async function creditEntries(db: Db, filter: string | undefined | CreditListFilter, page = 1, pageSize = 20): Promise<{ items: Array<CreditEntry & { enterpriseName: string | null }>; total: number; page: number; pageSize: number }> {
  const f: CreditListFilter = typeof filter === 'object' ? filter : { uscc: filter };
  let q = db.selectFrom('credit_list').leftJoin('enterprises', 'enterprises.uscc', 'credit_list.uscc');
  if (f.uscc) q = q.where('credit_list.uscc', '=', f.uscc);
  if (f.status && f.today) {
    const today = f.today;
    if (f.status === 'active') q = q.where('credit_list.listed_on', '<=', today).where((eb) => eb.or([eb('credit_list.delisted_on', 'is', null), eb('credit_list.delisted_on', '>', today)]));
    else q = q.where('credit_list.delisted_on', '<=', today);
  }
  const [rows, total] = await Promise.all([
    q.selectAll('credit_list').select('enterprises.name as enterprise_name').orderBy('credit_list.id', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map((r) => ({ ...toEntry(r), enterpriseName: r.enterprise_name ?? null })), total: Number(total.n), page, pageSize };
}

/** Whether an entry stops claims and payments on `today`: listed on or before it and not delisted by then. */
export const blocksOn = (e: Pick<CreditEntry, 'listedOn' | 'delistedOn'>, today: string) => e.listedOn <= today && (e.delistedOn === null || e.delistedOn > today);

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

export interface CreditEntryInput {
  uscc: unknown;
  listName: unknown;
  reason: unknown;
  listedOn: unknown;
  source?: unknown;
}

/**
 * Checks a listing; every problem at once. `sourceRequired`: the unit that listed the enterprise must be named (the
 * administrator's page and the Excel import: the enterprise is told which unit to go to); internal callers (demo data,
 * tests) may leave it out, and the recording official is then shown as the unit.
 */
function validateCreditEntry(input: CreditEntryInput, opts: { sourceRequired?: boolean } = {}) {
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
  } else if (opts.sourceRequired) {
    errors.push(new KaifangError({ code: 'required', path: 'source', zh: '请填写来源单位（作出列入决定的单位，企业据此办理信用修复）', en: 'source (the unit that listed the enterprise, where it goes to be delisted) is required' }));
  }
  if (listName.length > 200) errors.push(new KaifangError({ code: 'too_long', path: 'listName', zh: '名单名称不能超过200字', en: 'listName must have at most 200 characters' }));
  if (source && source.length > 500) errors.push(new KaifangError({ code: 'too_long', path: 'source', zh: '来源单位不能超过500字', en: 'source must have at most 500 characters' }));
  if (!isCivilDate(input.listedOn)) errors.push(new KaifangError({ code: 'bad_date', path: 'listedOn', zh: '列入日期应为 YYYY-MM-DD', en: 'listedOn must be YYYY-MM-DD' }));
  if (errors.length) throw new ValidationError(errors);
  return { uscc, listName, reason, source, listedOn: input.listedOn as string };
}

async function insertCreditEntry(trx: Db, actor: AuditActor, v: ReturnType<typeof validateCreditEntry>, extra: Record<string, unknown> = {}): Promise<CreditEntry> {
  const row = await trx
    .insertInto('credit_list')
    .values({ uscc: v.uscc, list_name: v.listName, reason: v.reason, listed_on: v.listedOn, source: v.source, recorded_by: actor.userId! })
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendAudit(trx, actor, { action: 'credit.list', entity: 'enterprise', entityId: v.uscc, details: { id: row.id, listName: v.listName, reason: v.reason, listedOn: v.listedOn, source: v.source, ...extra } });
  return toEntry(row);
}

export async function addCreditEntry(db: Db, actor: AuditActor, input: CreditEntryInput, opts: { sourceRequired?: boolean } = {}): Promise<CreditEntry> {
  const v = validateCreditEntry(input, opts);
  return db.transaction().execute((trx) => insertCreditEntry(trx, actor, v));
}

export async function delistCreditEntry(db: Db, actor: AuditActor, id: number, input: { reason: unknown; delistedOn: unknown }): Promise<CreditEntry> {
  const errors: KaifangError[] = [];
  if (typeof input.reason !== 'string' || !input.reason.trim()) errors.push(new KaifangError({ code: 'required', path: 'reason', zh: '请填写移出原因', en: 'reason is required' }));
  if (!isCivilDate(input.delistedOn)) errors.push(new KaifangError({ code: 'bad_date', path: 'delistedOn', zh: '移出日期应为 YYYY-MM-DD', en: 'delistedOn must be YYYY-MM-DD' }));
  if (errors.length) throw new ValidationError(errors);
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('credit_list').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw new KaifangError({ code: 'not_found', zh: '找不到该名单记录', en: 'credit entry not found' });
    if (row.delisted_on) throw new KaifangError({ code: 'invalid_state', zh: '该记录已移出名单', en: 'already delisted' });
    if ((input.delistedOn as string) < row.listed_on) throw new ValidationError([new KaifangError({ code: 'bad_date', path: 'delistedOn', zh: `移出日期不能早于列入日期（${row.listed_on}）`, en: `delistedOn is before listedOn (${row.listed_on})` })]);
    const updated = await trx
      .updateTable('credit_list')
      .set({ delisted_on: input.delistedOn as string, delisted_reason: (input.reason as string).trim(), delisted_by: actor.userId })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(trx, actor, { action: 'credit.delist', entity: 'enterprise', entityId: row.uscc, details: { id, reason: (input.reason as string).trim(), delistedOn: input.delistedOn as string } });
    return toEntry(updated);
  });
}

// ── Excel ────────────────────────────────────────────────────────────────────────────────────────────────────

type CreditField = 'uscc' | 'enterpriseName' | 'listName' | 'reason' | 'listedOn' | 'source';
export const CREDIT_SHEET = '信用惩戒名单';
export const CREDIT_COLUMNS: ReadonlyArray<TableColumn<CreditField>> = [
  { field: 'uscc', header: '统一社会信用代码', headerEn: 'unified social credit code', aliases: ['信用代码'], width: 24, text: true },
  { field: 'enterpriseName', header: '企业名称', headerEn: 'enterprise name (for reading; not checked)', optional: true, width: 34 },
  { field: 'listName', header: '名单名称', headerEn: 'list name', aliases: ['名单'], width: 24 },
  { field: 'reason', header: '列入原因', headerEn: 'reason', aliases: ['原因'], width: 36 },
  { field: 'listedOn', header: '列入日期', headerEn: 'listed on (YYYY-MM-DD)', width: 14, text: true },
  { field: 'source', header: '来源单位', headerEn: 'source unit', aliases: ['来源', '列入单位'], width: 26 },
];

export async function creditTemplate(): Promise<Buffer> {
  return tableWorkbook({
    sheet: CREDIT_SHEET,
    title: '信用惩戒名单',
    columns: CREDIT_COLUMNS,
    rows: [],
    guide: [
      '信用惩戒名单导入模板 — 填写说明 / how to fill in the credit-list template',
      '',
      `1. 在“${CREDIT_SHEET}”工作表中从第2行起每行一条列入记录；第1行表头请勿修改。`,
      '2. 统一社会信用代码：18位（校验第18位）；该列为文本格式。企业名称一栏仅供阅读，不作校验。',
      '3. 列入日期：YYYY-MM-DD（如 2021-03-01）；自该日起该企业不能提交申报、暂停拨付（措施29）。',
      '4. 来源单位：作出列入决定的单位（如 吴江区人民法院），必填；企业据此办理信用修复。',
      '5. 任何一行有误，整份文件都不导入，并按“第N行「列名」”列出全部错误；同一企业在同一名单、同一列入日期的在列记录不能重复登记。',
    ],
  });
}

/** The list as it stands (or filtered), in the import format. */
export async function creditWorkbook(db: Db, filter: CreditListFilter): Promise<Buffer> {
  const rows: Array<CreditEntry & { enterpriseName: string | null }> = [];
  for (let page = 1; ; page++) {
    const p = await creditEntries(db, filter, page, 1000);
    rows.push(...p.items);
    if (p.items.length < 1000) break;
  }
  return tableWorkbook({
    sheet: CREDIT_SHEET,
    title: '信用惩戒名单',
    columns: [...CREDIT_COLUMNS, { field: 'delistedOn' as CreditField, header: '移出日期', headerEn: 'delisted on', width: 14 }, { field: 'delistedReason' as CreditField, header: '移出原因', headerEn: 'delisting reason', width: 30 }],
    rows: rows.map((e) => ({ uscc: e.uscc, enterpriseName: e.enterpriseName, listName: e.listName, reason: e.reason, listedOn: e.listedOn, source: e.source, delistedOn: e.delistedOn, delistedReason: e.delistedReason }) as never),
    spareRows: 0,
  });
}

/**
 * Imports a workbook of listings: all rows or none, each checked as the administrator's form checks one (the source
 * unit required), plus the same listing twice in the file or already in force. One transaction, an audit record per
 * listing and one for the import.
 */
export async function importCreditEntries(db: Db, actor: AuditActor, data: Buffer | Uint8Array | ArrayBuffer, opts: { fileName?: string; read?: ImportReadOptions; dryRun?: boolean } = {}) {
  const seen = new Map<string, number>();
  const rows = await readTableSheet(data, { columns: CREDIT_COLUMNS, sheet: CREDIT_SHEET, what: { zh: '列入记录', en: 'listing' }, read: opts.read }, (r) => {
    const listedOn = cellDate(r.cell('listedOn'));
    if (r.cell('uscc').numeric) r.error('uscc', 'uscc_as_number', '单元格是数字格式：18位代码会被 Excel 改写；请将该列设为“文本”后重新录入', 'the cell holds a number: Excel rewrites an 18-character code; format the column as Text and enter it again');
    try {
      const v = validateCreditEntry(
        { uscc: r.cell('uscc').numeric ? 'x' : r.text('uscc').normalize('NFKC').replace(/\s+/g, ''), listName: r.text('listName'), reason: r.text('reason'), listedOn: listedOn ?? r.text('listedOn'), source: r.text('source') || undefined },
        { sourceRequired: true },
      );
      if (r.errorCount) return undefined;
      const key = [v.uscc, v.listName, v.listedOn].join('\u0001');
      const first = seen.get(key);
      if (first !== undefined) {
        r.error(null, 'duplicate_in_file', `与第${first}行重复（同一企业、同一名单、同一列入日期）`, `repeats row ${first} (same enterprise, list and date)`);
        return undefined;
      }
      seen.set(key, r.row);
      return { v };
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      for (const x of e.errors) {
        const field = (x.path ?? null) as CreditField | null;
        if (field === 'uscc' && r.cell('uscc').numeric) continue;
        r.error(field, x.code, x.messageZh.replace(/ YYYY-MM-DD$/, ' YYYY-MM-DD（如 2021-03-01）'), x.messageEn);
      }
      return undefined;
    }
  });
  const errors: KaifangError[] = [];
  for (const r of rows) {
    const dup = await db
      .selectFrom('credit_list')
      .select('id')
      .where('uscc', '=', r.v.uscc)
      .where('list_name', '=', r.v.listName)
      .where('listed_on', '=', r.v.listedOn)
      .where('delisted_on', 'is', null)
      .executeTakeFirst();
    if (dup) errors.push(rowProblem(CREDIT_COLUMNS, r.row, 'uscc', 'already_listed', `该企业已以同一名单、同一列入日期在列（记录 #${dup.id}）`, `the enterprise is already on this list from this date (entry #${dup.id})`));
  }
  if (errors.length) throw new ValidationError(cappedErrors(errors));
  if (opts.dryRun) return { dryRun: true, count: rows.length, created: [] as CreditEntry[] };
  return db.transaction().execute(async (trx) => {
    const created: CreditEntry[] = [];
    for (const r of rows) created.push(await insertCreditEntry(trx, actor, r.v, { importRow: r.row }));
    await appendAudit(trx, actor, { action: 'credit.import', entity: 'credit_list', entityId: null, details: { count: created.length, fileName: opts.fileName ?? null } });
    return { dryRun: false, count: created.length, created };
  });
}
