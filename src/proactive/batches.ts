/**
 * 免申即享 (issue 11): a department loads the facts it holds as a dated batch — from its Excel or CSV template or
 * through the API. Every row is checked (row number, column, what is wrong, zh/en) and the batch is loaded all or
 * nothing; the same content loaded twice (the same source, as-of date and bytes) is the batch already loaded.
 * Every value keeps its source, batch, as-of date and loader (fact_values, append-only): a newer batch never
 * erases an older one, so the value as of any date can be read back (src/proactive/on-file.ts).
 *
 * Who may load: a department reviewer of the source's department (fact-sources.yaml), for that source's facts only.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { appendAudit } from '../audit/audit-log.ts';
import { actorOf, type PlatformContext } from '../claims/context.ts';
import { isCivilDate } from '../civil-date.ts';
import { toJsonb, type JsonValue } from '../db/schema.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { cappedErrors, cellMoneyFen, clean, readTableSheet, rowProblem, tableWorkbook, type CellRead, type RowContext, type TableColumn } from '../enterprises/sheet-table.ts';
import { isValidUscc } from '../enterprises/uscc.ts';
import { importLimits, tooManyRows, type ImportReadOptions } from '../excel/read-workbook.ts';
import type { FactDecl } from '../policy/schema.ts';
import type { Principal } from '../identity/users.ts';
import { badCharacter, badCharacterError } from '../refused-characters.ts';
import { factSources, sourceById, type FactSource, type FactSourceRules } from './sources.ts';

export interface BatchInput {
  source: string;
  /** the date the department's data is as of (YYYY-MM-DD, not after today) */
  asOf: unknown;
  /** one of: an uploaded file (xlsx or csv), or rows through the API */
  file?: { name: string; data: Buffer };
  rows?: unknown;
}

export interface FactBatch {
  id: number;
  source: string;
  department: string;
  asOf: string;
  contentHash: string;
  fileName: string | null;
  format: 'xlsx' | 'csv' | 'api';
  rows: number;
  values: number;
  correctionId: number | null;
  loadedBy: number;
  loadedByName?: string;
  loadedAt: Date;
}

export interface LoadResult {
  batch: FactBatch;
  /** true: this content was loaded before; nothing was written */
  duplicate: boolean;
  /** the enterprises whose values the batch holds (what an incremental scan rescans) */
  enterprises: string[];
}

/** One checked row: an enterprise-year and its values, as the engine takes them. */
interface CheckedRow {
  row: number;
  uscc: string;
  year: number;
  values: Record<string, JsonValue>;
}

type Field = string;

// ── The columns of a source's template ──────────────────────────────────────────────────────────────────────────

const UNIT_HINT: Partial<Record<FactDecl['type'], { zh: string; en: string }>> = {
  money: { zh: '元，或写“万元”', en: 'yuan, or write 万元' },
  area: { zh: '平方米', en: 'm²' },
  year: { zh: '四位年份', en: 'a four-digit year' },
  yearList: { zh: '年份，以逗号或顿号分隔', en: 'years separated by commas' },
  boolean: { zh: '是/否', en: 'yes/no' },
};

function factDecl(ctx: PlatformContext, fact: string): FactDecl {
  const decl = ctx.engine.policy.facts.get(fact);
  if (!decl) throw new KaifangError({ code: 'unknown_fact', path: 'fact', zh: `未知的事实“${fact}”`, en: `unknown fact "${fact}"` });
  return decl;
}

export function sourceColumns(ctx: PlatformContext, source: FactSource): Array<TableColumn<Field>> {
  return [
    { field: 'uscc', header: '统一社会信用代码', headerEn: 'USCC', aliases: ['USCC', '信用代码'], width: 24, text: true },
    { field: 'year', header: '年度', headerEn: 'year', width: 8 },
    ...source.facts.map((f) => {
      const d = factDecl(ctx, f);
      const hint = d.type === 'enum' ? { zh: Object.values(d.valueLabels ?? {}).join('/') || (d.values ?? []).join('/'), en: (d.values ?? []).join('/') } : UNIT_HINT[d.type];
      const unit = d.unit && d.type !== 'area' ? { zh: d.unit, en: d.unit } : undefined;
      const h = unit ?? hint;
      return { field: f, header: h ? `${d.label}（${h.zh}）` : d.label, headerEn: h ? `${d.labelEn} (${h.en})` : d.labelEn, aliases: [d.label], width: 26, optional: true, text: d.type === 'yearList' };
    }),
  ];
}

// ── A cell to an engine value ───────────────────────────────────────────────────────────────────────────────────

const TRUE = new Set(['是', 'true', 'yes', 'y', '1', '有']);
const FALSE = new Set(['否', 'false', 'no', 'n', '0', '无']);

/** The engine's input for one cell, or an error message. Empty cells are "not known" and never become zero. */
function cellValue(decl: FactDecl, cell: CellRead): { value?: JsonValue; zh?: string; en?: string } {
  const text = clean(cell.text).normalize('NFKC');
  const num = (): number | undefined => {
    if (cell.numeric && cell.number !== undefined) return cell.number;
    const t = text.replace(/,/g, '');
    return /^-?[0-9]+(\.[0-9]+)?$/.test(t) ? Number(t) : undefined;
  };
  switch (decl.type) {
    case 'money': {
      const fen = cellMoneyFen(cell);
      if (fen !== undefined) return { value: fen };
      // other units the engine reads (3亿元): the engine's own check below names what is wrong
      if (!cell.numeric && /[0-9]\s*(亿元|亿|万元|元)$/.test(text)) return { value: text };
      return { zh: '金额应为元（如 1234.56）或万元（如 120万元），最多精确到分', en: 'an amount in yuan (1234.56) or 万元 (120万元), to the fen at most' };
    }
    case 'area':
    case 'number': {
      const n = num();
      return n === undefined ? { zh: '应为数字', en: 'must be a number' } : { value: n };
    }
    case 'year': {
      const n = num();
      return n === undefined || !Number.isInteger(n) ? { zh: '应为四位年份，如2020', en: 'must be a four-digit year such as 2020' } : { value: n };
    }
    case 'yearList': {
      const parts = (cell.numeric && cell.number !== undefined ? String(cell.number) : text).split(/[,，、;；\s]+/).filter(Boolean);
      if (!parts.every((p) => /^[0-9]{4}$/.test(p))) return { zh: '应为以逗号或顿号分隔的四位年份，如 2019,2020', en: 'four-digit years separated by commas, such as 2019,2020' };
      return { value: parts.map(Number) };
    }
    case 'boolean': {
      const t = text.toLowerCase();
      if (TRUE.has(t)) return { value: true };
      if (FALSE.has(t)) return { value: false };
      return { zh: '应为“是”或“否”', en: 'must be 是 (yes) or 否 (no)' };
    }
    case 'enum': {
      const values = decl.values ?? [];
      const byLabel = Object.entries(decl.valueLabels ?? {}).find(([, label]) => label === text);
      if (byLabel) return { value: byLabel[0] };
      if (values.includes(text)) return { value: text };
      const labels = values.map((v) => decl.valueLabels?.[v] ?? v).join('、');
      return { zh: `应为以下之一：${labels}`, en: `must be one of: ${values.join(', ')}` };
    }
    default:
      return { value: text };
  }
}

/** Checks one row (from Excel, CSV or the API) into an enterprise-year and its values; problems go to `ctx.error`. */
function checkRow(pctx: PlatformContext, source: FactSource, ctx: RowContext<Field>): Omit<CheckedRow, 'row'> | undefined {
  const uscc = ctx.text('uscc').normalize('NFKC').toUpperCase();
  if (!uscc) ctx.error('uscc', 'required', '缺少统一社会信用代码', 'the USCC is missing');
  else if (!isValidUscc(uscc)) ctx.error('uscc', 'bad_uscc', `“${uscc}”不是有效的统一社会信用代码（18位，校验位须正确）`, `"${uscc}" is not a valid USCC (18 characters with a correct check character)`);
  const yearCell = ctx.cell('year');
  const yearText = clean(yearCell.text);
  const year = yearCell.numeric ? yearCell.number : /^[0-9]{4}$/.test(yearText) ? Number(yearText) : undefined;
  if (!yearText) ctx.error('year', 'required', '缺少年度', 'the year is missing');
  else if (year === undefined || !Number.isInteger(year) || year < 2000 || year > 2100) ctx.error('year', 'bad_year', '年度应为四位数年份，如2020', 'the year must be a four-digit year such as 2020');
  const values: Record<string, JsonValue> = {};
  for (const f of source.facts) {
    const cell = ctx.cell(f);
    if (!clean(cell.text)) continue;
    const v = cellValue(factDecl(pctx, f), cell);
    if (v.value === undefined) ctx.error(f, 'bad_value', v.zh!, v.en!);
    else values[f] = v.value;
  }
  if (!Object.keys(values).length && !ctx.errorCount) ctx.error(null, 'no_values', `本行没有任何${source.zh}数据`, `the row holds no value of ${source.en}`);
  if (ctx.errorCount || year === undefined) return undefined;
  // The engine's own check, as `kaifang calc` makes it: a year in a fact's range, a negative amount …
  try {
    const ey = pctx.engine.parse({ year, facts: values });
    // stored as the engine reads it (money in fen), so that equal amounts written differently compare equal
    for (const f of Object.keys(values)) if (ey.facts[f] !== undefined) values[f] = ey.facts[f] as JsonValue;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    for (const err of e.errors) {
      const m = /^facts\.([A-Za-z0-9]+)/.exec(err.path ?? '');
      ctx.error(m && source.facts.includes(m[1]) ? m[1] : null, err.code, err.messageZh, err.messageEn);
    }
    return undefined;
  }
  return { uscc, year, values };
}

// ── Reading the three forms ─────────────────────────────────────────────────────────────────────────────────────

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. A UTF-8 BOM is dropped. */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field), out.push(row), (row = []), (field = '');
    } else field += ch;
  }
  if (field !== '' || row.length) row.push(field), out.push(row);
  return out;
}

const headerKey = (s: string) => clean(s).normalize('NFKC').replace(/[\s*＊]/g, '').replace(/[（(][^)）]*[)）]/g, '').toLowerCase();

/** Rows of a table (header first) through the same checks as the Excel reader: row numbers as the file shows them. */
function checkTable(pctx: PlatformContext, source: FactSource, columns: Array<TableColumn<Field>>, table: Array<{ row: number; cells: Map<Field, CellRead> }>, maxRows: number): CheckedRow[] {
  const errors: KaifangError[] = [];
  const out: CheckedRow[] = [];
  let count = 0;
  for (const { row, cells } of table) {
    if ([...cells.values()].every((v) => !clean(v.text))) continue;
    if (++count > maxRows) throw tooManyRows(maxRows);
    let n = 0;
    const rc: RowContext<Field> = {
      row,
      text: (f) => clean(cells.get(f)?.text ?? ''),
      cell: (f) => cells.get(f) ?? { text: '', numeric: false },
      error: (f, code, zh, en) => {
        n++;
        errors.push(rowProblem(columns, row, f, code, zh, en));
      },
      get errorCount() {
        return n;
      },
    };
    const r = checkRow(pctx, source, rc);
    if (r && !n) out.push({ ...r, row });
  }
  if (!count) throw new ValidationError([new KaifangError({ code: 'empty_file', path: 'rows', zh: `没有数据（每行一家企业一个年度的${source.zh}数据）`, en: `no rows (one enterprise-year of ${source.en} data per row)` })]);
  if (errors.length) throw new ValidationError(cappedErrors(errors));
  return out;
}

function csvRows(pctx: PlatformContext, source: FactSource, columns: Array<TableColumn<Field>>, data: Buffer, maxRows: number): CheckedRow[] {
  const text = data.toString('utf8');
  if (text.includes('\uFFFD')) throw new ValidationError([new KaifangError({ code: 'bad_file', path: 'file', zh: 'CSV 文件应为 UTF-8 编码（Excel 另存为“CSV UTF-8”）', en: 'the CSV file must be UTF-8 (in Excel: save as "CSV UTF-8")' })]);
  const lines = parseCsv(text);
  const header = lines[0] ?? [];
  const colOf = new Map<Field, number>();
  header.forEach((h, i) => {
    const k = headerKey(h);
    for (const c of columns) if (!colOf.has(c.field) && [c.header, c.field, ...(c.aliases ?? [])].some((a) => headerKey(a) === k)) colOf.set(c.field, i);
  });
  const missing = columns.filter((c) => !c.optional && !colOf.has(c.field));
  if (missing.length) {
    throw new ValidationError(missing.map((c) => new KaifangError({ code: 'missing_column', path: `columns.${c.field}`, zh: `第1行（表头）缺少“${c.header}”列`, en: `row 1 (the header) has no column "${c.header}" (${c.headerEn})` })));
  }
  const bad: KaifangError[] = [];
  const table = lines.slice(1).map((cells, i) => {
    const row = i + 2;
    const m = new Map<Field, CellRead>();
    for (const c of columns) {
      const t = cells[colOf.get(c.field) ?? -1] ?? '';
      const ch = badCharacter(t);
      if (ch) bad.push(badCharacterError(`rows[${row}].${c.field}`, ch));
      m.set(c.field, { text: t, numeric: false });
    }
    return { row, cells: m };
  });
  if (bad.length) throw new ValidationError(cappedErrors(bad));
  return checkTable(pctx, source, columns, table, maxRows);
}

function apiRows(pctx: PlatformContext, source: FactSource, columns: Array<TableColumn<Field>>, rows: unknown, maxRows: number): CheckedRow[] {
  if (!Array.isArray(rows)) throw new ValidationError([new KaifangError({ code: 'not_array', path: 'rows', zh: 'rows 应为数组：每项 { uscc, year, facts: { 名称: 值 } }', en: 'rows must be an array of { uscc, year, facts: { name: value } }' })]);
  const problems: KaifangError[] = [];
  // Through the API each row is numbered from 1, as the caller's array is (rows[1] is the first).
  const table = rows.map((r, i) => {
    const row = i + 1;
    const m = new Map<Field, CellRead>();
    const o = (r && typeof r === 'object' && !Array.isArray(r) ? r : {}) as { uscc?: unknown; year?: unknown; facts?: unknown };
    const facts = (o.facts && typeof o.facts === 'object' && !Array.isArray(o.facts) ? o.facts : {}) as Record<string, unknown>;
    for (const k of Object.keys(facts)) {
      if (!source.facts.includes(k)) problems.push(new KaifangError({ code: 'not_this_source', path: `rows[${row}].facts.${k}`, zh: `“${k}”不是${source.zh}报送的数据（本来源：${source.facts.join('、')}）`, en: `"${k}" is not a fact of the ${source.en} source (${source.facts.join(', ')})` }));
    }
    const cell = (v: unknown): CellRead =>
      v === null || v === undefined ? { text: '', numeric: false }
      : typeof v === 'number' ? { text: String(v), numeric: true, number: v }
      : Array.isArray(v) ? { text: v.join(','), numeric: false }
      : { text: String(v), numeric: false };
    m.set('uscc', cell(o.uscc));
    m.set('year', cell(o.year));
    for (const f of source.facts) {
      const v = facts[f];
      // through the API a money value is integer fen or text with its unit, as `kaifang calc` takes it
      const decl = factDecl(pctx, f);
      m.set(f, decl.type === 'money' && typeof v === 'number' ? { text: `${v / 100}`, numeric: true, number: v / 100 } : typeof v === 'boolean' ? { text: v ? '是' : '否', numeric: false } : cell(v));
    }
    return { row, cells: m };
  });
  if (problems.length) throw new ValidationError(cappedErrors(problems));
  return checkTable(pctx, source, columns, table, maxRows);
}

// ── Loading ─────────────────────────────────────────────────────────────────────────────────────────────────────

function checkAsOf(ctx: PlatformContext, asOf: unknown): string {
  if (typeof asOf !== 'string' || !isCivilDate(asOf)) {
    throw new ValidationError([new KaifangError({ code: 'bad_date', path: 'asOf', zh: '数据基准日应为日期 YYYY-MM-DD', en: 'the as-of date must be a date YYYY-MM-DD' })]);
  }
  if (asOf > ctx.today()) throw new ValidationError([new KaifangError({ code: 'future_date', path: 'asOf', zh: '数据基准日不能晚于今天', en: 'the as-of date cannot be after today' })]);
  return asOf;
}

/** Only a department reviewer of the source's own department loads its batches. */
export function authorizeSource(user: Principal, source: FactSource): void {
  if (user.role !== 'departmentReviewer' || user.departmentId !== source.department) {
    throw new KaifangError({ code: 'forbidden', zh: `只有${source.zh}数据的报送部门可以报送该数据`, en: `only the department that holds the ${source.en} data loads it` });
  }
}

export function toBatch(r: { id: number; source_id: string; department_id: string; as_of: string; content_hash: string; file_name: string | null; format: 'xlsx' | 'csv' | 'api'; row_count: number; value_count: number; correction_id: number | null; loaded_by: number; loaded_at: Date; loaded_by_name?: string | null }): FactBatch {
  return {
    id: Number(r.id),
    source: r.source_id,
    department: r.department_id,
    asOf: r.as_of,
    contentHash: r.content_hash,
    fileName: r.file_name,
    format: r.format,
    rows: r.row_count,
    values: r.value_count,
    correctionId: r.correction_id === null ? null : Number(r.correction_id),
    loadedBy: Number(r.loaded_by),
    ...(r.loaded_by_name ? { loadedByName: r.loaded_by_name } : {}),
    loadedAt: r.loaded_at,
  };
}

/** Values are written this many rows per statement: far below PostgreSQL's 65,535 parameters (8 per row). */
const INSERT_CHUNK = 1000;

/**
 * Loads a batch: checks every row (nothing stored if any is wrong), refuses enterprises that are not registered,
 * and writes the batch and its values in one transaction with the audit record. The same content again returns
 * the batch already loaded (`duplicate: true`).
 */
export async function loadFactBatch(
  ctx: PlatformContext,
  user: Principal,
  input: BatchInput,
  opts: { ip?: string | null; read?: ImportReadOptions; rules?: FactSourceRules; correctionId?: number } = {},
): Promise<LoadResult> {
  const rules = opts.rules ?? factSources();
  const source = sourceById(rules, input.source);
  authorizeSource(user, source);
  const asOf = checkAsOf(ctx, input.asOf);
  const columns = sourceColumns(ctx, source);
  const limits = opts.read?.limits ?? importLimits(ctx.config);
  let rows: CheckedRow[];
  let format: 'xlsx' | 'csv' | 'api';
  let content: Buffer;
  if (input.file) {
    const isCsv = /\.csv$/i.test(input.file.name) || (input.file.data[0] !== 0x50 && input.file.data.length > 0); // an xlsx is a zip: "PK"
    format = isCsv ? 'csv' : 'xlsx';
    content = input.file.data;
    if (content.length > limits.maxBytes) throw new ValidationError([new KaifangError({ code: 'file_too_large', path: 'file', zh: '文件过大', en: 'the file is too large' })]);
    rows = isCsv
      ? csvRows(ctx, source, columns, content, limits.maxRows)
      : await readTableSheet(content, { columns, sheet: source.zh, what: { zh: `${source.zh}数据`, en: `${source.en} data` }, read: { ...opts.read, limits } }, (rc) => checkRow(ctx, source, rc));
  } else {
    format = 'api';
    rows = apiRows(ctx, source, columns, input.rows, limits.maxRows);
    content = Buffer.from(JSON.stringify(rows.map((r) => [r.uscc, r.year, Object.entries(r.values).sort()])));
  }
  // One enterprise-year once per batch: two rows saying different things of one enterprise cannot both be its value.
  const errors: KaifangError[] = [];
  const firstRow = new Map<string, number>();
  for (const r of rows) {
    const k = `${r.uscc}/${r.year}`;
    const first = firstRow.get(k);
    if (first !== undefined) errors.push(rowProblem(columns, r.row, 'uscc', 'duplicate_row', `与第${first}行是同一企业同一年度`, `the same enterprise and year as row ${first}`));
    else firstRow.set(k, r.row);
  }
  const usccs = [...new Set(rows.map((r) => r.uscc))];
  const known = new Set<string>();
  for (let i = 0; i < usccs.length; i += 5000) {
    const part = usccs.slice(i, i + 5000);
    for (const e of await ctx.db.selectFrom('enterprises').select('uscc').where('uscc', 'in', part).execute()) known.add(e.uscc);
  }
  for (const r of rows) {
    if (!known.has(r.uscc)) errors.push(rowProblem(columns, r.row, 'uscc', 'unknown_enterprise', `企业 ${r.uscc} 未在平台登记`, `enterprise ${r.uscc} is not registered on the platform`));
  }
  if (errors.length) throw new ValidationError(cappedErrors(errors));

  const contentHash = createHash('sha256').update(`${source.id}\n${asOf}\n`).update(content).digest('hex');
  const policyId = ctx.engine.policy.id;
  const valueCount = rows.reduce((n, r) => n + Object.keys(r.values).length, 0);
  return ctx.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('fact_batches')
      .values({
        policy_id: policyId,
        source_id: source.id,
        department_id: source.department,
        as_of: asOf,
        content_hash: contentHash,
        file_name: input.file?.name ?? null,
        format,
        row_count: rows.length,
        value_count: valueCount,
        correction_id: opts.correctionId ?? null,
        loaded_by: user.id,
      })
      .onConflict((oc) => oc.columns(['policy_id', 'source_id', 'content_hash']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted) {
      const existing = await trx.selectFrom('fact_batches').selectAll().where('policy_id', '=', policyId).where('source_id', '=', source.id).where('content_hash', '=', contentHash).executeTakeFirstOrThrow();
      return { batch: toBatch(existing), duplicate: true, enterprises: usccs };
    }
    const values = rows.flatMap((r) => Object.entries(r.values).map(([fact, value]) => ({ batch_id: inserted.id, enterprise_uscc: r.uscc, year: r.year, fact, value: toJsonb(value), as_of: asOf, row_no: r.row })));
    for (let i = 0; i < values.length; i += INSERT_CHUNK) await trx.insertInto('fact_values').values(values.slice(i, i + INSERT_CHUNK)).execute();
    await appendAudit(trx, actorOf(user, opts.ip), {
      action: 'facts.batch.load',
      entity: 'factBatch',
      entityId: inserted.id,
      details: { source: source.id, department: source.department, asOf, format, fileName: input.file?.name ?? null, rows: rows.length, values: valueCount, enterprises: usccs.length, contentHash, correctionId: opts.correctionId ?? null },
    });
    return { batch: toBatch(inserted), duplicate: false, enterprises: usccs };
  });
}

/** The batches of a source (a department sees its own; others who may read all data on file see every source). */
export async function listBatches(ctx: PlatformContext, user: Principal, filter: { source?: string; limit?: number } = {}): Promise<FactBatch[]> {
  const rules = factSources();
  let q = ctx.db
    .selectFrom('fact_batches as b')
    .leftJoin('users as u', 'u.id', 'b.loaded_by')
    .selectAll('b')
    .select('u.display_name as loaded_by_name')
    .where('b.policy_id', '=', ctx.engine.policy.id)
    .orderBy('b.id', 'desc')
    .limit(Math.min(filter.limit ?? 100, 500));
  if (filter.source) q = q.where('b.source_id', '=', sourceById(rules, filter.source).id);
  if (user.role === 'departmentReviewer') q = q.where('b.department_id', '=', user.departmentId ?? '');
  else if (user.role !== 'auditor' && user.role !== 'admin' && user.role !== 'finance') throw new KaifangError({ code: 'forbidden', zh: '无权查看部门数据批次', en: 'not allowed to read the departments\' batches' });
  return (await q.execute()).map(toBatch);
}

/** The downloadable template of a source: its columns, an example row and the guidance (which facts, units). */
export async function batchTemplate(ctx: PlatformContext, sourceId: string, format: 'xlsx' | 'csv' = 'xlsx'): Promise<Buffer> {
  const source = sourceById(factSources(), sourceId);
  const columns = sourceColumns(ctx, source);
  if (format === 'csv') return Buffer.from('\uFEFF' + columns.map((c) => (/[",\n]/.test(c.header) ? `"${c.header.replace(/"/g, '""')}"` : c.header)).join(',') + '\r\n', 'utf8');
  return tableWorkbook({
    sheet: source.zh,
    title: `${source.zh}数据报送模板`,
    columns,
    rows: [],
    guide: [
      `${source.zh}数据报送模板（免申即享）`,
      `报送单位：${ctx.engine.policy.agencies.get(source.department)?.name ?? source.department}。每行一家企业一个年度；空单元格表示“未掌握”，不是零。`,
      '金额以元填写（可写小数，最多到分），或写“120万元”；面积以平方米填写；是否类填“是”或“否”；年份列表以逗号分隔。',
      '上传时另填数据基准日（数据截至哪一天）。同一文件、同一基准日重复上传只算一个批次；新批次不会覆盖历史数据。',
      ...source.facts.map((f) => {
        const d = factDecl(ctx, f);
        return `· ${d.label}（${f}）${d.description ? `：${d.description}` : ''}`;
      }),
    ],
  });
}
