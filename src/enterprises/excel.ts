/**
 * Enterprises in Excel (.xlsx): import a list, export the register, and a blank template — one format for all
 * three, so an export imports back unchanged.
 *
 *   统一社会信用代码 | 企业名称 | 所属区镇 | 产业类别
 *
 * 所属区镇 takes the Chinese name (松陵街道, 吴江经济技术开发区, or its short form 吴江开发区, or 盛泽 without 镇),
 * the English name or the area id (shengze); 产业类别 takes 先导产业 / 高新技术产业 / 其他产业 (or 其他) or the ids
 * leading / highTech / other. Headers may also be the field names (uscc, name, areaId, industryClass).
 *
 * Import is all or nothing: every row is checked first (USCC check character, name, area, class, duplicates in
 * the file, codes already registered), every problem is reported with its Excel row number and column in
 * Chinese and English, and nothing is stored unless every row is good; then all rows are created in one
 * transaction, each with its audit record, plus one `enterprise.import` record.
 *
 * The file is read as a stream under the platform's import limits (src/excel/read-workbook.ts): more than
 * KAIFANG_IMPORT_MAX_ROWS enterprises, or a workbook expanding past KAIFANG_IMPORT_MAX_BYTES, is refused as
 * soon as it is seen, without reading the rest.
 */
import ExcelJS from 'exceljs';
import { appendAudit, type AuditActor } from '../audit/audit-log.ts';
import { INDUSTRY_CLASSES, type IndustryClass } from '../db/schema.ts';
import { inTransaction, type Db } from '../db/transaction.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { importLimits, readSheet, tooManyRows, type ImportReadOptions } from '../excel/read-workbook.ts';
import { listAreas, findArea } from './areas.ts';
import { createEnterprise, validateEnterprise, type EnterpriseView } from './enterprises.ts';

export type EnterpriseField = 'uscc' | 'name' | 'areaId' | 'industryClass';

export const ENTERPRISE_SHEET = '企业名录';
export const ENTERPRISE_COLUMNS: ReadonlyArray<{ field: EnterpriseField; header: string; headerEn: string; width: number }> = [
  { field: 'uscc', header: '统一社会信用代码', headerEn: 'unified social credit code', width: 24 },
  { field: 'name', header: '企业名称', headerEn: 'enterprise name', width: 40 },
  { field: 'areaId', header: '所属区镇', headerEn: 'town or zone', width: 26 },
  { field: 'industryClass', header: '产业类别', headerEn: 'industry class', width: 16 },
];

export const INDUSTRY_CLASS_LABELS: Record<IndustryClass, string> = { leading: '先导产业', highTech: '高新技术产业', other: '其他产业' };

/** At most this many row problems are listed; the rest are counted. */
export const MAX_REPORTED_ERRORS = 200;

export interface EnterpriseRow {
  /** the Excel row number (1 is the header) */
  row: number;
  uscc: string;
  name: string;
  areaId: string;
  industryClass: IndustryClass;
}

// ── Reading cells ────────────────────────────────────────────────────────────────────────────────────

type CellRead = { text: string; numeric: boolean };

/** A cell as text: rich text joined, formulas by their result, hyperlinks by their text, dates as YYYY-MM-DD. */
function readCell(value: ExcelJS.CellValue): CellRead {
  if (value === null || value === undefined) return { text: '', numeric: false };
  if (typeof value === 'string') return { text: value, numeric: false };
  if (typeof value === 'number') return { text: String(value), numeric: true };
  if (typeof value === 'boolean') return { text: String(value), numeric: false };
  if (value instanceof Date) return { text: value.toISOString().slice(0, 10), numeric: false };
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText)) return { text: value.richText.map((r) => r.text).join(''), numeric: false };
    if ('formula' in value || 'sharedFormula' in value) return readCell((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('text' in value && typeof (value as ExcelJS.CellHyperlinkValue).text === 'string') return { text: (value as ExcelJS.CellHyperlinkValue).text, numeric: false };
    if ('error' in value) return { text: String((value as ExcelJS.CellErrorValue).error), numeric: false };
  }
  return { text: String(value), numeric: false };
}

/** Trim, including full-width and non-breaking spaces. */
const clean = (s: string) => s.replace(/^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$/g, '');
/** Header text compared loosely: no spaces, no required-marks, no notes in brackets, case-insensitive. */
const headerKey = (s: string) => clean(s).normalize('NFKC').replace(/[\s*＊]/g, '').replace(/[（(][^)）]*[)）]/g, '').toLowerCase();

const HEADER_ALIASES: Record<EnterpriseField, string[]> = {
  uscc: ['统一社会信用代码', '社会信用代码', '信用代码', 'uscc'],
  name: ['企业名称', '名称', 'name', 'enterprisename'],
  areaId: ['所属区镇', '区镇', '所在区镇', 'area', 'areaid'],
  industryClass: ['产业类别', '产业', 'industryclass', 'industry'],
};

let areaIndex: Map<string, string> | undefined;
/** Every way an area may be written → its id. */
function areaLookup(): Map<string, string> {
  if (areaIndex) return areaIndex;
  const m = new Map<string, string>();
  for (const a of listAreas()) {
    const names = [a.id, a.nameZh, a.nameEn, a.shortZh].filter((x): x is string => !!x);
    // 盛泽 for 盛泽镇, 松陵 for 松陵街道
    const bare = a.nameZh.replace(/(镇|街道)$/, '');
    if (bare !== a.nameZh) names.push(bare);
    for (const n of names) m.set(n.normalize('NFKC').replace(/\s+/g, '').toLowerCase(), a.id);
  }
  areaIndex = m;
  return m;
}

const CLASS_LOOKUP = new Map<string, IndustryClass>([
  ['先导产业', 'leading'],
  ['先导', 'leading'],
  ['高新技术产业', 'highTech'],
  ['高新技术', 'highTech'],
  ['高新', 'highTech'],
  ['其他产业', 'other'],
  ['其他', 'other'],
  ['其它产业', 'other'],
  ['其它', 'other'],
  ...INDUSTRY_CLASSES.map((c) => [c.toLowerCase(), c] as [string, IndustryClass]),
]);

function rowError(row: number, field: EnterpriseField | null, code: string, zh: string, en: string, details: Record<string, unknown> = {}): KaifangError {
  const column = field ? ENTERPRISE_COLUMNS.find((c) => c.field === field)! : null;
  return new KaifangError({
    code,
    path: field ? `rows[${row}].${field}` : `rows[${row}]`,
    zh: `第${row}行${column ? `「${column.header}」` : ''}：${zh}`,
    en: `row ${row}${column ? `, column ${column.header} (${column.headerEn})` : ''}: ${en}`,
    details: { row, column: column?.header ?? null, field, ...details },
  });
}

/** The file is not an .xlsx workbook (an old .xls, a renamed file, a damaged zip). */
function badFile(reason: string): KaifangError {
  return new KaifangError({ code: 'bad_file', path: 'file', zh: '无法读取该文件：请上传 Excel 工作簿（.xlsx 格式；旧版 .xls 请先另存为 .xlsx）', en: `cannot read the file as an Excel workbook (.xlsx; save an old .xls as .xlsx first): ${reason}` });
}

const noWorksheet = () => new ValidationError([new KaifangError({ code: 'empty_file', path: 'file', zh: '工作簿中没有工作表', en: 'the workbook has no worksheet' })]);

/** The header row: each column found by its header; every missing one reported. */
function headerColumns(header: ExcelJS.Row | undefined): Map<EnterpriseField, number> {
  const columnOf = new Map<EnterpriseField, number>();
  header?.eachCell((cell, col) => {
    const key = headerKey(readCell(cell.value).text);
    for (const [field, aliases] of Object.entries(HEADER_ALIASES) as Array<[EnterpriseField, string[]]>) {
      if (!columnOf.has(field) && aliases.some((a) => headerKey(a) === key)) columnOf.set(field, col);
    }
  });
  const missing = ENTERPRISE_COLUMNS.filter((c) => !columnOf.has(c.field));
  if (missing.length) {
    throw new ValidationError(
      missing.map(
        (c) =>
          new KaifangError({
            code: 'missing_column',
            path: `columns.${c.field}`,
            zh: `第1行（表头）缺少“${c.header}”列；表头应为：${ENTERPRISE_COLUMNS.map((x) => x.header).join('、')}`,
            en: `row 1 (the header) has no column "${c.header}" (${c.headerEn}); the headers are: ${ENTERPRISE_COLUMNS.map((x) => x.header).join(', ')}`,
            details: { row: 1, column: c.header, field: c.field },
          }),
      ),
    );
  }
  return columnOf;
}

/**
 * Reads and checks every row of an enterprise workbook (the sheet 企业名录, or else the first sheet). Returns
 * the rows when all are good; otherwise throws a ValidationError listing every problem by row and column.
 * Does not look at the database (see importEnterprises for codes already registered).
 */
export async function readEnterpriseWorkbook(data: Buffer | Uint8Array | ArrayBuffer, read: ImportReadOptions = {}): Promise<EnterpriseRow[]> {
  const limits = read.limits ?? importLimits();
  // Streamed (src/excel/read-workbook.ts): reading stops at the first row past the limit.
  return readSheet(data, { ...read, limits, sheet: ENTERPRISE_SHEET, headerRows: 1, notAWorkbook: badFile, noSheet: noWorksheet }, async (ws) => {
    const errors: KaifangError[] = [];
    const rows: EnterpriseRow[] = [];
    const firstRowOf = new Map<string, number>();
    let dataRows = 0;
    let columnOf: Map<EnterpriseField, number> | undefined;
    for await (const row of ws.rows) {
      if (!columnOf) {
        columnOf = headerColumns(row.number === 1 ? row : undefined);
        if (row.number === 1) continue;
      }
      const r = row.number;
      const cell = (f: EnterpriseField) => readCell(row.getCell(columnOf!.get(f)!).value);
      const raw = { uscc: cell('uscc'), name: cell('name'), areaId: cell('areaId'), industryClass: cell('industryClass') };
      if (Object.values(raw).every((v) => !clean(v.text))) continue; // blank line
      dataRows++;
      if (dataRows > limits.maxRows) throw tooManyRows(limits.maxRows);
      const rowErrors: KaifangError[] = [];

      // 统一社会信用代码: text only (as a number Excel keeps 15 digits and rewrites the rest), full-width folded.
      let uscc: unknown = clean(raw.uscc.text).normalize('NFKC').replace(/[\s\u3000]+/g, '');
      if (raw.uscc.numeric) {
        rowErrors.push(rowError(r, 'uscc', 'uscc_as_number', '单元格是数字格式：Excel 的数字只保留15位有效数字，18位代码会被改写。请将该列设为“文本”格式后重新录入', 'the cell holds a number: Excel keeps only 15 significant digits and rewrites an 18-character code; format the column as Text and enter the code again'));
        uscc = undefined;
      } else if (uscc === '') {
        rowErrors.push(rowError(r, 'uscc', 'required', '请填写统一社会信用代码', 'the unified social credit code is required'));
        uscc = undefined;
      }

      const areaText = clean(raw.areaId.text);
      let areaId: string | undefined;
      if (!areaText) rowErrors.push(rowError(r, 'areaId', 'required', '请填写所属区镇', 'the town or zone is required'));
      else {
        areaId = areaLookup().get(areaText.normalize('NFKC').replace(/\s+/g, '').toLowerCase());
        if (!areaId) {
          rowErrors.push(rowError(r, 'areaId', 'unknown_area', `“${areaText}”不是吴江区的区镇；可填：${listAreas().map((a) => a.nameZh).join('、')}`, `"${areaText}" is not a town or zone of Wujiang; use one of: ${listAreas().map((a) => `${a.nameZh} (${a.id})`).join(', ')}`, { value: areaText }));
        }
      }

      const classText = clean(raw.industryClass.text);
      let industryClass: IndustryClass | undefined;
      if (!classText) rowErrors.push(rowError(r, 'industryClass', 'required', '请填写产业类别', 'the industry class is required'));
      else {
        industryClass = CLASS_LOOKUP.get(classText.normalize('NFKC').replace(/\s+/g, '')) ?? CLASS_LOOKUP.get(classText.toLowerCase());
        if (!industryClass) {
          rowErrors.push(rowError(r, 'industryClass', 'invalid_industry_class', `“${classText}”不是产业类别；可填：先导产业、高新技术产业、其他产业`, `"${classText}" is not an industry class; use 先导产业 (leading), 高新技术产业 (highTech) or 其他产业 (other)`, { value: classText }));
        }
      }

      // The register's own checks (USCC characters and check character, name length), reported by column.
      const reported = new Set(rowErrors.map((e) => (e.details as { field: string }).field));
      try {
        const valid = validateEnterprise({ uscc: uscc ?? '000000000000000000', name: clean(raw.name.text), areaId: areaId ?? listAreas()[0].id, industryClass: industryClass ?? 'other' });
        if (!rowErrors.length) rows.push({ row: r, ...valid });
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        for (const x of e.errors) {
          const field = (x.path ?? '') as EnterpriseField;
          if (reported.has(field)) continue;
          rowErrors.push(rowError(r, field, x.code, x.messageZh, x.messageEn, x.details && typeof x.details === 'object' ? (x.details as Record<string, unknown>) : {}));
        }
      }

      // The same code twice in one file.
      if (typeof uscc === 'string' && uscc) {
        const code = uscc.toUpperCase();
        const first = firstRowOf.get(code);
        if (first !== undefined) rowErrors.push(rowError(r, 'uscc', 'duplicate_in_file', `统一社会信用代码 ${code} 与第${first}行重复`, `unified social credit code ${code} repeats row ${first}`, { firstRow: first }));
        else firstRowOf.set(code, r);
      }
      if (rowErrors.length) {
        errors.push(...rowErrors);
        const last = rows.at(-1);
        if (last?.row === r) rows.pop();
      }
    }
    // no row at all: not even a header
    if (!columnOf) headerColumns(undefined);
    if (!dataRows) throw new ValidationError([new KaifangError({ code: 'empty_file', path: 'file', zh: `工作表“${ws.name}”中没有企业数据（第1行为表头，从第2行起每行一家企业）`, en: `the sheet "${ws.name}" holds no enterprises (row 1 is the header; one enterprise per row from row 2)` })]);
    if (errors.length) throw new ValidationError(capped(errors));
    return rows;
  });
}

function capped(errors: KaifangError[]): KaifangError[] {
  if (errors.length <= MAX_REPORTED_ERRORS) return errors;
  const rest = errors.length - MAX_REPORTED_ERRORS;
  return [...errors.slice(0, MAX_REPORTED_ERRORS), new KaifangError({ code: 'more_errors', path: 'file', zh: `另有${rest}处错误未列出`, en: `${rest} more problems not listed` })];
}

export interface ImportResult {
  created: EnterpriseView[];
}

/**
 * Imports a workbook of enterprises: all rows or none. Codes already registered are errors of their rows.
 * Runs in `db`'s transaction when it is one, else in a new one.
 */
export async function importEnterprises(db: Db, data: Buffer | Uint8Array | ArrayBuffer, options: { actor: AuditActor; fileName?: string; read?: ImportReadOptions }): Promise<ImportResult> {
  const rows = await readEnterpriseWorkbook(data, options.read);
  const registered = await registeredNames(db, rows.map((r) => r.uscc));
  const taken = rows.filter((r) => registered.has(r.uscc));
  if (taken.length) {
    throw new ValidationError(capped(taken.map((r) => rowError(r.row, 'uscc', 'enterprise_exists', `统一社会信用代码 ${r.uscc} 的企业已登记（${registered.get(r.uscc)}）`, `an enterprise with unified social credit code ${r.uscc} is already registered (${registered.get(r.uscc)})`))));
  }
  return inTransaction(db, async (trx) => {
    const created: EnterpriseView[] = [];
    for (const r of rows) {
      try {
        created.push(await createEnterprise(trx, r, { actor: options.actor }));
      } catch (e) {
        // Registered meanwhile by someone else: the whole import rolls back, naming the row.
        if (e instanceof KaifangError && e.code === 'enterprise_exists') throw new ValidationError([rowError(r.row, 'uscc', e.code, e.messageZh, e.messageEn)]);
        throw e;
      }
    }
    await appendAudit(trx, options.actor, { action: 'enterprise.import', entity: 'enterprise', entityId: null, details: { count: created.length, fileName: options.fileName ?? null } });
    return { created };
  });
}

async function registeredNames(db: Db, codes: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < codes.length; i += 1000) {
    const chunk = codes.slice(i, i + 1000);
    if (!chunk.length) continue;
    for (const r of await db.selectFrom('enterprises').select(['uscc', 'name']).where('uscc', 'in', chunk).execute()) out.set(r.uscc, r.name);
  }
  return out;
}

// ── Writing ──────────────────────────────────────────────────────────────────────────────────────────

const OPTIONS_SHEET = '选项';
/** Rows below the data that get the drop-down lists too, for adding enterprises by hand. */
const SPARE_ROWS = 200;

function enterpriseWorkbook(rows: Array<{ uscc: string; name: string; areaId: string; industryClass: IndustryClass }>, withGuide: boolean): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Kaifang 开放政策平台';
  wb.title = '企业名录';
  const ws = wb.addWorksheet(ENTERPRISE_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = ENTERPRISE_COLUMNS.map((c) => ({ header: c.header, key: c.field, width: c.width }));
  // The code is text: an 18-character code must never become a number.
  ws.getColumn(1).numFmt = '@';
  const head = ws.getRow(1);
  head.font = { bold: true };
  head.alignment = { horizontal: 'center', vertical: 'middle' };
  head.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7E6E6' } };
  });
  for (const r of rows) {
    ws.addRow({ uscc: r.uscc, name: r.name, areaId: findArea(r.areaId)?.nameZh ?? r.areaId, industryClass: INDUSTRY_CLASS_LABELS[r.industryClass] });
  }

  // Drop-down lists for area and class, from a sheet of options.
  const opts = wb.addWorksheet(OPTIONS_SHEET);
  opts.columns = [
    { header: '所属区镇', key: 'area', width: 26 },
    { header: '区镇代码 id', key: 'id', width: 28 },
    { header: '产业类别', key: 'cls', width: 16 },
    { header: '类别代码 id', key: 'clsId', width: 14 },
  ];
  opts.getRow(1).font = { bold: true };
  const areas = listAreas();
  areas.forEach((a, i) => {
    opts.getCell(i + 2, 1).value = a.nameZh;
    opts.getCell(i + 2, 2).value = a.id;
  });
  INDUSTRY_CLASSES.forEach((c, i) => {
    opts.getCell(i + 2, 3).value = INDUSTRY_CLASS_LABELS[c];
    opts.getCell(i + 2, 4).value = c;
  });
  const last = rows.length + 1 + SPARE_ROWS;
  for (let r = 2; r <= last; r++) {
    ws.getCell(r, 1).numFmt = '@';
    ws.getCell(r, 3).dataValidation = { type: 'list', allowBlank: true, formulae: [`'${OPTIONS_SHEET}'!$A$2:$A$${areas.length + 1}`], showErrorMessage: false };
    ws.getCell(r, 4).dataValidation = { type: 'list', allowBlank: true, formulae: [`'${OPTIONS_SHEET}'!$C$2:$C$${INDUSTRY_CLASSES.length + 1}`], showErrorMessage: true, errorTitle: '产业类别', error: '请选择：先导产业、高新技术产业、其他产业' };
  }

  if (withGuide) {
    const guide = wb.addWorksheet('填写说明');
    guide.getColumn(1).width = 110;
    const lines = [
      '企业名录导入模板 — 填写说明 / how to fill in the enterprise template',
      '',
      `1. 在“${ENTERPRISE_SHEET}”工作表中，从第2行起每行填写一家企业；第1行表头请勿修改。`,
      '2. 统一社会信用代码：18位，按 GB 32100-2015 校验第18位校验码；该列已设为文本格式，请勿改为数字（否则后几位会被改写）。',
      `3. 所属区镇：从下拉列表选择，或填写区镇名称（如“盛泽镇”“吴江开发区”）或代码（如 shengze），详见“${OPTIONS_SHEET}”工作表。`,
      '4. 产业类别：先导产业、高新技术产业、其他产业（措施16按类别确定奖补比例）。',
      '5. 导入时逐行校验：任何一行有误，整份文件都不会导入，并按“第N行「列名」”列出全部错误；改正后重新导入即可。',
      '6. 已登记的企业不能重复导入。',
      '',
      `1. One enterprise per row of the sheet "${ENTERPRISE_SHEET}" from row 2; keep the header row as it is.`,
      '2. 统一社会信用代码: 18 characters with a valid check character; the column is Text — do not turn it into numbers.',
      '3. 所属区镇: pick from the list, or write the Chinese name, its short form, or the area id (e.g. shengze).',
      '4. 产业类别: 先导产业 (leading), 高新技术产业 (highTech) or 其他产业 (other).',
      '5. Every row is checked; if any row is wrong nothing is imported and every problem is listed by row and column.',
    ];
    lines.forEach((l, i) => {
      const c = guide.getCell(i + 1, 1);
      c.value = l;
      if (i === 0) c.font = { bold: true, size: 13 };
    });
  }
  return wb;
}

async function toBuffer(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The register (or one area of it) as a workbook in the import format: what it writes imports back unchanged. */
export async function exportEnterprisesWorkbook(db: Db, filter: { areaId?: string; industryClass?: IndustryClass; q?: string } = {}): Promise<{ buffer: Buffer; count: number }> {
  let q = db.selectFrom('enterprises').select(['uscc', 'name', 'area_id', 'industry_class']);
  if (filter.areaId) q = q.where('area_id', '=', filter.areaId);
  if (filter.industryClass) q = q.where('industry_class', '=', filter.industryClass);
  if (filter.q?.trim()) {
    // the list page's search, so that the export is what the page shows
    const like = `%${filter.q.trim().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    q = q.where((eb) => eb.or([eb('name', 'ilike', like), eb('uscc', 'ilike', like)]));
  }
  const rows = await q.orderBy('name').orderBy('uscc').execute();
  // In the district's order of areas (streets, towns, zones), then by name.
  const order = new Map(listAreas().map((a, i) => [a.id, i]));
  rows.sort((a, b) => (order.get(a.area_id) ?? 99) - (order.get(b.area_id) ?? 99));
  const buffer = await toBuffer(enterpriseWorkbook(rows.map((r) => ({ uscc: r.uscc, name: r.name, areaId: r.area_id, industryClass: r.industry_class })), false));
  return { buffer, count: rows.length };
}

/** A blank import template: the header, text-formatted code column, drop-down lists and a sheet of instructions. */
export async function enterpriseTemplateWorkbook(): Promise<Buffer> {
  return toBuffer(enterpriseWorkbook([], true));
}
