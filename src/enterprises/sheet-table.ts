/**
 * A one-sheet Excel list (a header row, then one record per row) read and written the same way for every list the
 * district keeps in Excel besides the enterprise register: city awards (src/ledger/city-awards.ts) and credit lists
 * (src/credit/credit.ts). The enterprise register keeps its own reader (excel.ts), which predates this one.
 *
 * Reading goes through the streaming reader under the platform's import limits (src/excel/read-workbook.ts): the
 * import slot the caller took, KAIFANG_IMPORT_MAX_ROWS, KAIFANG_IMPORT_MAX_BYTES. Every problem is collected with its
 * Excel row number and column (path `rows[N].field`), in Chinese and English; rows are returned only when all are
 * good — the importers then write all of them in one transaction, or none.
 */
import ExcelJS from 'exceljs';
import { isCivilDate } from '../civil-date.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { importLimits, readSheet, tooManyRows, type ImportReadOptions } from '../excel/read-workbook.ts';

export interface TableColumn<F extends string> {
  field: F;
  header: string;
  headerEn: string;
  /** other ways the header may be written (the field name always works) */
  aliases?: string[];
  width?: number;
  /** optional columns may be missing from the file */
  optional?: boolean;
  /** the column holds codes or references: kept as text in the template */
  text?: boolean;
}

export type CellRead = { text: string; numeric: boolean; number?: number; date?: Date };

/** A cell as text: rich text joined, formulas by their result, hyperlinks by their text; numbers and dates kept too. */
export function readCell(value: ExcelJS.CellValue): CellRead {
  if (value === null || value === undefined) return { text: '', numeric: false };
  if (typeof value === 'string') return { text: value, numeric: false };
  if (typeof value === 'number') return { text: String(value), numeric: true, number: value };
  if (typeof value === 'boolean') return { text: String(value), numeric: false };
  if (value instanceof Date) return { text: value.toISOString().slice(0, 10), numeric: false, date: value };
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText)) return { text: value.richText.map((r) => r.text).join(''), numeric: false };
    if ('formula' in value || 'sharedFormula' in value) return readCell((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('text' in value && typeof (value as ExcelJS.CellHyperlinkValue).text === 'string') return { text: (value as ExcelJS.CellHyperlinkValue).text, numeric: false };
    if ('error' in value) return { text: String((value as ExcelJS.CellErrorValue).error), numeric: false };
  }
  return { text: String(value), numeric: false };
}

/** Trim, including full-width and non-breaking spaces. */
export const clean = (s: string) => s.replace(/^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$/g, '');
const headerKey = (s: string) => clean(s).normalize('NFKC').replace(/[\s*＊]/g, '').replace(/[（(][^)）]*[)）]/g, '').toLowerCase();

/** At most this many row problems are listed; the rest are counted. */
export const MAX_REPORTED_ERRORS = 200;

export interface RowContext<F extends string> {
  row: number;
  /** the cell of a column, as text (trimmed) and as read */
  text(field: F): string;
  cell(field: F): CellRead;
  /** records a problem of this row's column */
  error(field: F | null, code: string, zh: string, en: string): void;
  /** the problems of this row so far */
  readonly errorCount: number;
}

export interface TableSheetOptions<F extends string> {
  columns: ReadonlyArray<TableColumn<F>>;
  sheet: string;
  /** what one row is, for the empty-file message: 市级奖励 / city award */
  what: { zh: string; en: string };
  read?: ImportReadOptions;
}

function problem<F extends string>(columns: ReadonlyArray<TableColumn<F>>, row: number, field: F | null, code: string, zh: string, en: string): KaifangError {
  const column = field ? columns.find((c) => c.field === field) : undefined;
  return new KaifangError({
    code,
    path: field ? `rows[${row}].${field}` : `rows[${row}]`,
    zh: `第${row}行${column ? `「${column.header}」` : ''}：${zh}`,
    en: `row ${row}${column ? `, column ${column.header} (${column.headerEn})` : ''}: ${en}`,
    details: { row, column: column?.header ?? null, field },
  });
}

export function rowProblem<F extends string>(columns: ReadonlyArray<TableColumn<F>>, row: number, field: F | null, code: string, zh: string, en: string): KaifangError {
  return problem(columns, row, field, code, zh, en);
}

export function cappedErrors(errors: KaifangError[]): KaifangError[] {
  if (errors.length <= MAX_REPORTED_ERRORS) return errors;
  const rest = errors.length - MAX_REPORTED_ERRORS;
  return [...errors.slice(0, MAX_REPORTED_ERRORS), new KaifangError({ code: 'more_errors', path: 'file', zh: `另有${rest}处错误未列出`, en: `${rest} more problems not listed` })];
}

const badFile = (reason: string) =>
  new KaifangError({ code: 'bad_file', path: 'file', zh: '无法读取该文件：请上传 Excel 工作簿（.xlsx 格式；旧版 .xls 请先另存为 .xlsx）', en: `cannot read the file as an Excel workbook (.xlsx; save an old .xls as .xlsx first): ${reason}` });
const noSheet = () => new KaifangError({ code: 'empty_file', path: 'file', zh: '工作簿中没有工作表', en: 'the workbook has no worksheet' });

/**
 * Reads every data row of the sheet `opts.sheet` (else the first sheet), giving each to `parse`; returns what
 * `parse` returned for the rows without problems, when no row had any. Otherwise throws a ValidationError listing
 * every problem by row and column.
 */
export async function readTableSheet<F extends string, R>(data: Buffer | Uint8Array | ArrayBuffer, opts: TableSheetOptions<F>, parse: (ctx: RowContext<F>) => R | undefined): Promise<Array<R & { row: number }>> {
  const limits = opts.read?.limits ?? importLimits();
  const { columns } = opts;
  return readSheet(data, { ...opts.read, limits, sheet: opts.sheet, headerRows: 1, notAWorkbook: badFile, noSheet }, async (ws) => {
    const errors: KaifangError[] = [];
    const out: Array<R & { row: number }> = [];
    let columnOf: Map<F, number> | undefined;
    let dataRows = 0;
    const header = (row: ExcelJS.Row | undefined) => {
      const found = new Map<F, number>();
      row?.eachCell((cell, col) => {
        const key = headerKey(readCell(cell.value).text);
        for (const c of columns) {
          if (!found.has(c.field) && [c.header, c.field, ...(c.aliases ?? [])].some((a) => headerKey(a) === key)) found.set(c.field, col);
        }
      });
      const missing = columns.filter((c) => !c.optional && !found.has(c.field));
      if (missing.length) {
        const all = columns.map((x) => x.header);
        throw new ValidationError(
          missing.map(
            (c) =>
              new KaifangError({
                code: 'missing_column',
                path: `columns.${c.field}`,
                zh: `第1行（表头）缺少“${c.header}”列；表头应为：${all.join('、')}`,
                en: `row 1 (the header) has no column "${c.header}" (${c.headerEn}); the headers are: ${all.join(', ')}`,
                details: { row: 1, column: c.header, field: c.field },
              }),
          ),
        );
      }
      return found;
    };
    for await (const row of ws.rows) {
      if (!columnOf) {
        columnOf = header(row.number === 1 ? row : undefined);
        if (row.number === 1) continue;
      }
      const cols = columnOf;
      const cells = new Map<F, CellRead>();
      for (const c of columns) {
        const col = cols.get(c.field);
        cells.set(c.field, col === undefined ? { text: '', numeric: false } : readCell(row.getCell(col).value));
      }
      if ([...cells.values()].every((v) => !clean(v.text))) continue; // a blank line
      dataRows++;
      if (dataRows > limits.maxRows) throw tooManyRows(limits.maxRows);
      let rowErrors = 0;
      const r = row.number;
      const parsed = parse({
        row: r,
        text: (f) => clean(cells.get(f)!.text),
        cell: (f) => cells.get(f)!,
        error: (f, code, zh, en) => {
          rowErrors++;
          errors.push(problem(columns, r, f, code, zh, en));
        },
        get errorCount() {
          return rowErrors;
        },
      });
      if (!rowErrors && parsed !== undefined) out.push({ ...parsed, row: r });
    }
    if (!columnOf) header(undefined);
    if (!dataRows) {
      throw new ValidationError([new KaifangError({ code: 'empty_file', path: 'file', zh: `工作表“${ws.name}”中没有数据（第1行为表头，从第2行起每行一条${opts.what.zh}）`, en: `the sheet "${ws.name}" holds no rows (row 1 is the header; one ${opts.what.en} per row from row 2)` })]);
    }
    if (errors.length) throw new ValidationError(cappedErrors(errors));
    return out;
  });
}

// ── Cells of a kind ─────────────────────────────────────────────────────────────────────────────────────────

/** A civil date from a date cell or `YYYY-MM-DD` text (also 2021/3/1, 2021.3.1); undefined if it is not one. */
export function cellDate(cell: CellRead): string | undefined {
  if (cell.date) {
    // exceljs gives a date cell as that day's midnight UTC
    const d = cell.date.toISOString().slice(0, 10);
    return isCivilDate(d) ? d : undefined;
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(clean(cell.text).normalize('NFKC'));
  if (!m) return undefined;
  const d = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  return isCivilDate(d) ? d : undefined;
}

/**
 * Money in 元 (a number cell, or text "12,345.67", "12345.67元") or 万元 ("100万元", "100万") as integer fen, exactly:
 * anything finer than a fen is refused (undefined), never rounded.
 */
export function cellMoneyFen(cell: CellRead): number | undefined {
  let text: string;
  let unit = '元';
  if (cell.numeric && cell.number !== undefined) {
    // a number cell is 元; a float such as 1234.56 is read back through its shortest decimal form
    text = String(cell.number);
    if (/e/i.test(text)) return undefined;
  } else {
    const m = /^([0-9][0-9,]*(?:\.[0-9]+)?)\s*(万元|万|元)?$/.exec(clean(cell.text).normalize('NFKC'));
    if (!m) return undefined;
    text = m[1].replace(/,/g, '');
    unit = m[2] === '万' || m[2] === '万元' ? '万元' : '元';
  }
  const [int, frac = ''] = text.split('.');
  const places = unit === '万元' ? 6 : 2; // 1万元 = 1,000,000 fen
  if (frac.replace(/0+$/, '').length > places) return undefined;
  const fen = BigInt(int) * 10n ** BigInt(places) + BigInt((frac + '0'.repeat(places)).slice(0, places) || '0');
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(fen);
}

// ── Writing ─────────────────────────────────────────────────────────────────────────────────────────────────

/** A workbook of one list: the header (bold, frozen), text columns kept as text, the rows, and a sheet of guidance. */
export async function tableWorkbook<F extends string>(opts: { sheet: string; title: string; columns: ReadonlyArray<TableColumn<F>>; rows: Array<Partial<Record<F, string | number | null>>>; guide?: string[]; spareRows?: number }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Kaifang 开放政策平台';
  wb.title = opts.title;
  const ws = wb.addWorksheet(opts.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = opts.columns.map((c) => ({ header: c.header, key: c.field, width: c.width ?? 20 }));
  const head = ws.getRow(1);
  head.font = { bold: true };
  head.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7E6E6' } };
  });
  for (const r of opts.rows) ws.addRow(r);
  const last = opts.rows.length + 1 + (opts.spareRows ?? 200);
  opts.columns.forEach((c, i) => {
    if (!c.text) return;
    // A code (USCC) or a reference must never become a number: Excel keeps 15 digits and rewrites the rest.
    ws.getColumn(i + 1).numFmt = '@';
    for (let r = 2; r <= last; r++) ws.getCell(r, i + 1).numFmt = '@';
  });
  if (opts.guide?.length) {
    const guide = wb.addWorksheet('填写说明');
    guide.getColumn(1).width = 110;
    opts.guide.forEach((l, i) => {
      const c = guide.getCell(i + 1, 1);
      c.value = l;
      if (i === 0) c.font = { bold: true, size: 13 };
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
