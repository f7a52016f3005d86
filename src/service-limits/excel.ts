/**
 * Service cases in Excel: a template to fill in, the import of a filled sheet (all rows or none), and the
 * compliance report as a workbook. Headers are Chinese, as the offices that keep these registers write them.
 *
 * The sheet 案件 of the template, one row per case (columns may come in any order; unknown ones are ignored and
 * reported):
 *   事项*      the limit: its label from the sheet 事项代码 (e.g. 用水报装（无增设管线的）) or its id
 *   受理编号*  the office's reference (案号), unique per limit
 *   办理对象*  the enterprise or project
 *   办理部门   department name (区水务局) or id; may stay empty when the limit has one owner
 *   受理日期*  a date, or a date and time (2020-05-20 10:30); Excel dates and text (2020/5/20, 2020年5月20日) both work
 *   补正开始 / 补正结束, 补正开始2 / 补正结束2 …  suspensions for supplementing materials (the clock stops)
 *   办结日期   completion; for half-day limits (0.5 个工作日) with its time
 *   简化程序   是 / 否: bankruptcy cases only, and required for them (the 40% share)
 *   纳税小时   tax time of the enterprise (办税缴费 only); 受理日期 is then any date in the year the hours are for
 * A row with a known limit and reference that is already stored is matched, and its new events are appended
 * (re-importing a register with this month's completions); a row that contradicts what is stored is an error.
 * The file is read as a stream under the platform's import limits (src/excel/read-workbook.ts): more than
 * KAIFANG_IMPORT_MAX_ROWS rows, or a workbook expanding past KAIFANG_IMPORT_MAX_BYTES, is refused as soon as it
 * is seen, without reading the rest.
 */
import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import { parseCivilDate, type CivilDate } from '../civil-date.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { importLimits, readSheet, tooManyRows, type ImportReadOptions } from '../excel/read-workbook.ts';
import { departmentLabel, isHalfDayLimit, limitLabel, recordingOf, targetText, type CaseBook } from './case-book.ts';
import {
  allCases,
  checkCaseInput,
  complianceReport,
  importCheckedCases,
  type CaseWriter,
  type ComplianceQuery,
  type ImportItem,
  type ImportOutcome,
  type NewCaseInput,
} from './case-store.ts';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const CASE_SHEET = '案件';
export const LIMIT_SHEET = '事项代码';
export const DEPARTMENT_SHEET = '部门代码';
const TEMPLATE_ROWS = 500;
const MAX_ERRORS = 200;

export const TEMPLATE_HEADERS = ['事项', '受理编号', '办理对象', '办理部门', '受理日期', '补正开始', '补正结束', '补正开始2', '补正结束2', '办结日期', '简化程序', '纳税小时'] as const;
const REQUIRED_HEADERS = ['事项', '受理编号', '办理对象', '受理日期'] as const;
const DATE_HEADERS = new Set(['受理日期', '办结日期']);
const SUSPENSION_RE = /^补正(开始|结束)(\d*)$/;

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
export const OVERDUE_FILL_ARGB = 'FFFFC7CE';
const OVERDUE_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: OVERDUE_FILL_ARGB } };
const OVERDUE_FONT: Partial<ExcelJS.Font> = { color: { argb: 'FF9C0006' } };

// ── Template ────────────────────────────────────────────────────────────────────────────────────────────────

function styleHeader(ws: ExcelJS.Worksheet, widths: number[]): void {
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.eachCell((c) => {
    c.fill = HEADER_FILL;
    c.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  });
  widths.forEach((w, i) => (ws.getColumn(i + 1).width = w));
  ws.views = [{ state: 'frozen', ySplit: 1 }];
}

/** The import template: the 案件 sheet with pick lists, the limits and departments to pick from, and instructions. */
export async function caseTemplateWorkbook(book: Pick<CaseBook, 'limits' | 'departments'>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Kaifang';
  const cases = wb.addWorksheet(CASE_SHEET);
  const limitsWs = wb.addWorksheet(LIMIT_SHEET);
  const depts = wb.addWorksheet(DEPARTMENT_SHEET);
  const help = wb.addWorksheet('填写说明');

  const recordable = book.limits.limits.filter((l) => recordingOf(l) !== null);
  limitsWs.addRow(['事项（填写用）', '代码', '措施', '目标', '责任部门', '登记方式', '条款原文']);
  for (const l of recordable) {
    const how = recordingOf(l) === 'hours' ? '按企业年度登记纳税小时' : recordingOf(l) === 'population' ? '只计入占比，不计时' : isHalfDayLimit(l) ? '计时；办结须写时刻' : '计时';
    limitsWs.addRow([limitLabel(l), l.id, l.measure, targetText(l), l.owners.map((o) => departmentLabel(book, o)).join('、'), how, l.clause]);
  }
  styleHeader(limitsWs, [48, 36, 6, 18, 40, 22, 80]);

  const owners = [...new Set(recordable.flatMap((l) => l.owners))];
  depts.addRow(['部门名称', '代码']);
  for (const o of owners) depts.addRow([departmentLabel(book, o), o]);
  styleHeader(depts, [24, 36]);

  cases.addRow([...TEMPLATE_HEADERS]);
  styleHeader(cases, [44, 18, 30, 18, 18, 18, 18, 18, 18, 18, 10, 10]);
  const letter = (h: (typeof TEMPLATE_HEADERS)[number]) => cases.getColumn(TEMPLATE_HEADERS.indexOf(h) + 1).letter;
  const rows = (h: (typeof TEMPLATE_HEADERS)[number]) => `${letter(h)}2:${letter(h)}${TEMPLATE_ROWS + 1}`;
  // One validation per column range (the worksheet's range API is untyped in exceljs): per-cell ones make the
  // file slow to write and to open.
  const validations = (cases as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations;
  validations.add(rows('事项'), { type: 'list', allowBlank: true, formulae: [`'${LIMIT_SHEET}'!$A$2:$A$${recordable.length + 1}`], showErrorMessage: false });
  validations.add(rows('办理部门'), { type: 'list', allowBlank: true, formulae: [`'${DEPARTMENT_SHEET}'!$A$2:$A$${owners.length + 1}`], showErrorMessage: false });
  validations.add(rows('简化程序'), { type: 'list', allowBlank: true, formulae: ['"是,否"'] });
  TEMPLATE_HEADERS.forEach((h, i) => {
    if (DATE_HEADERS.has(h) || SUSPENSION_RE.test(h)) cases.getColumn(i + 1).numFmt = 'yyyy-mm-dd';
  });
  cases.getRow(1).eachCell((c) => (c.numFmt = 'General'));

  const lines = [
    '服务时限案件登记表：一行一个案件。带 * 的列必填：事项*、受理编号*、办理对象*、受理日期*。',
    '事项：从下拉列表选择（见“事项代码”表），也可填写时限代码。',
    '办理部门：时限只有一个责任部门时可不填；部门审核人员只能导入本部门的案件。',
    '日期：2020-05-20、2020/5/20、2020年5月20日 或 Excel 日期均可。需要时刻时写 2020-05-20 10:30（北京时间）。',
    '计时规则：受理当日不计，次日为第1个工作日；补正期间停止计时（补正开始当日计入，补正结束当日不计）；半个工作日的时限到次一工作日中午12:00止，办结须写时刻。',
    '多次补正：依次填写 补正开始/补正结束、补正开始2/补正结束2；可以自行增加 补正开始3/补正结束3 等列。',
    '破产案件须在“简化程序”列填写 是 或 否（计入简化程序审理占比）。',
    '纳税时间（办税缴费）：每行一户企业一个年度，在“纳税小时”列填写小时数（整分钟），受理日期填写该年度内任一日期。',
    '重复导入：已登记的案件（同一事项、同一受理编号）只追加新的补正、办结记录；与已登记内容不一致的行会报错。',
    '任一行有错时整张表都不会导入，错误信息会注明行号和列名。',
  ];
  help.getColumn(1).width = 120;
  help.addRow(['填写说明']).font = { bold: true, size: 14 };
  for (const l of lines) help.addRow([l]).alignment = { wrapText: true };

  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ── Reading cells ───────────────────────────────────────────────────────────────────────────────────────────

type Plain = string | number | boolean | Date | null;

function plain(v: ExcelJS.CellValue): Plain {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    if ('richText' in v) return plain(v.richText.map((t) => t.text).join(''));
    if ('formula' in v || 'sharedFormula' in v) return plain((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
    if ('text' in v) return plain((v as ExcelJS.CellHyperlinkValue).text);
    if ('error' in v) return `#ERROR ${String((v as ExcelJS.CellErrorValue).error)}`;
  }
  return String(v);
}

const normaliseHeader = (h: string) =>
  h
    .replace(/\s+/g, '')
    .replace(/[*＊]/g, '')
    .replace(/[（(][^）)]*[）)]$/, '');
const normaliseLabel = (s: string) => s.replace(/\s+/g, '').replace(/\(/g, '（').replace(/\)/g, '）');

const DATE_TEXT_RE = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*[T ]?\s*(\d{1,2})\s*[:：]\s*(\d{2})(?:[:：]\d{2})?)?$/;
const COMPACT_DATE_RE = /^(\d{4})(\d{2})(\d{2})$/;
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

interface DateCell {
  on: CivilDate;
  time: string | null;
}

const pad = (n: number | string) => String(n).padStart(2, '0');

function fromWallClock(d: Date): DateCell {
  // exceljs reads a date cell as the wall-clock time in UTC fields; round off the serial's float noise.
  const minutes = Math.round(d.getTime() / 60_000);
  const r = new Date(minutes * 60_000);
  const on = `${r.getUTCFullYear()}-${pad(r.getUTCMonth() + 1)}-${pad(r.getUTCDate())}`;
  const h = r.getUTCHours();
  const m = r.getUTCMinutes();
  return { on, time: h === 0 && m === 0 ? null : `${pad(h)}:${pad(m)}` };
}

function dateCell(v: Plain, column: string): DateCell {
  const bad = () =>
    new KaifangError({
      code: 'invalid_date',
      zh: `${JSON.stringify(v instanceof Date ? v.toISOString() : v)} 不是日期；请写 2020-05-20、2020/5/20 或 2020-05-20 10:30`,
      en: `${JSON.stringify(v instanceof Date ? v.toISOString() : v)} is not a date; write 2020-05-20, 2020/5/20 or 2020-05-20 10:30`,
      path: column,
    });
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw bad();
    return fromWallClock(v);
  }
  if (typeof v === 'number') {
    // a date typed into a General-format cell arrives as its serial number
    if (v < 20_000 || v > 80_000) throw bad();
    return fromWallClock(new Date(EXCEL_EPOCH_MS + v * 86_400_000));
  }
  if (typeof v !== 'string') throw bad();
  const m = DATE_TEXT_RE.exec(v) ?? COMPACT_DATE_RE.exec(v);
  if (!m) throw bad();
  const on = `${m[1]}-${pad(m[2])}-${pad(m[3])}`;
  try {
    parseCivilDate(on, column);
  } catch {
    throw bad();
  }
  if (m[4] === undefined) return { on, time: null };
  const h = Number(m[4]);
  const min = Number(m[5]);
  if (h > 23 || min > 59) throw bad();
  return { on, time: `${pad(h)}:${pad(min)}` };
}

const YES = new Set(['是', 'y', 'yes', 'true', '1', '√', '✓']);
const NO = new Set(['否', 'n', 'no', 'false', '0', '×', '✗']);

function yesNo(v: Plain, column: string): boolean {
  if (typeof v === 'boolean') return v;
  const t = String(v).trim().toLowerCase();
  if (YES.has(t)) return true;
  if (NO.has(t)) return false;
  throw new KaifangError({ code: 'invalid_boolean', zh: `${JSON.stringify(v)} 应为“是”或“否”`, en: `${JSON.stringify(v)} should be 是 (yes) or 否 (no)`, path: column });
}

function numberCell(v: Plain, column: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new KaifangError({ code: 'invalid_count', zh: `${JSON.stringify(v)} 不是数字`, en: `${JSON.stringify(v)} is not a number`, path: column });
  return n;
}

// ── Import ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface ImportResult {
  sheet: string;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
  outcomes: ImportOutcome[];
  /** headers of the sheet that the import does not read */
  ignoredColumns: string[];
}

/** 'row[5].受理日期' → the message says 第5行「受理日期」 too, for people who read the message and not the path. */
function rowError(e: KaifangError): KaifangError {
  const m = /^row\[(\d+)\]\.(.+)$/.exec(e.path ?? '');
  if (!m) return e;
  return new KaifangError({ code: e.code, path: e.path, zh: `第${m[1]}行「${m[2]}」：${e.messageZh}`, en: `row ${m[1]}, ${m[2]}: ${e.messageEn}`, details: e.details });
}

function sheetError(code: string, zh: string, en: string): KaifangError {
  return new ValidationError([new KaifangError({ code, zh, en, path: 'file' })]);
}

const notAWorkbook = () => sheetError('invalid_xlsx', '文件不是有效的 Excel（.xlsx）工作簿', 'the file is not a valid Excel (.xlsx) workbook') as KaifangError;
const noSheet = () => sheetError('empty_workbook', '工作簿中没有工作表', 'the workbook has no sheet') as KaifangError;
/** The header is looked for in the first rows (titles may stand above it). */
const HEADER_SEARCH_ROWS = 10;

interface Columns {
  byHeader: Map<string, number>;
  suspensions: Array<{ n: number; start?: { col: number; header: string }; end?: { col: number; header: string } }>;
  ignored: string[];
  headerRow: number;
}

/** The header row among the first rows read, or undefined when none of them is one (yet). */
function findColumns(row: ExcelJS.Row): Columns | undefined {
  const r = row.number;
  const headers = new Map<number, string>();
  row.eachCell((cell, col) => {
    const v = plain(cell.value);
    if (typeof v === 'string') headers.set(col, normaliseHeader(v));
  });
  const names = [...headers.values()];
  if (!names.includes('事项') || !names.includes('受理编号')) return undefined;

  const byHeader = new Map<string, number>();
  const pairs = new Map<number, Columns['suspensions'][number]>();
  const ignored: string[] = [];
  const problems: KaifangError[] = [];
  for (const [col, h] of headers) {
    if (byHeader.has(h) || [...pairs.values()].some((p) => p.start?.header === h || p.end?.header === h)) {
      problems.push(new KaifangError({ code: 'duplicate_column', zh: `第${r}行的列名“${h}”出现了两次`, en: `the column ${h} appears twice in row ${r}`, path: `row[${r}].${h}` }));
      continue;
    }
    const s = SUSPENSION_RE.exec(h);
    if (s) {
      const n = s[2] === '' ? 1 : Number(s[2]);
      const pair = pairs.get(n) ?? { n };
      pair[s[1] === '开始' ? 'start' : 'end'] = { col, header: h };
      pairs.set(n, pair);
    } else if ((TEMPLATE_HEADERS as readonly string[]).includes(h)) byHeader.set(h, col);
    else ignored.push(h);
  }
  const missing = REQUIRED_HEADERS.filter((h) => !byHeader.has(h));
  if (missing.length) {
    problems.push(new KaifangError({ code: 'missing_columns', zh: `缺少必填列：${missing.join('、')}`, en: `required columns missing: ${missing.join(', ')}`, path: `row[${r}]` }));
  }
  if (problems.length) throw new ValidationError(problems);
  return { byHeader, suspensions: [...pairs.values()].sort((a, b) => a.n - b.n), ignored, headerRow: r };
}

const noHeader = () => sheetError('missing_columns', `找不到表头：前${HEADER_SEARCH_ROWS}行中没有同时含“事项”和“受理编号”的行`, `no header row: none of the first ${HEADER_SEARCH_ROWS} rows has both 事项 and 受理编号`);

/** Problems by row, then by column as the sheet has them: the order a person fixes them in. */
function inSheetOrder(problems: KaifangError[], cols: Columns): KaifangError[] {
  const position = new Map<string, number>(cols.byHeader);
  for (const p of cols.suspensions) {
    if (p.start) position.set(p.start.header, p.start.col);
    if (p.end) position.set(p.end.header, p.end.col);
  }
  const key = (e: KaifangError): [number, number] => {
    const m = /^row\[(\d+)\]\.(.+)$/.exec(e.path ?? '');
    return m ? [Number(m[1]), position.get(m[2]) ?? Number.MAX_SAFE_INTEGER] : [0, 0];
  };
  return problems
    .map((e, i) => ({ e, i, k: key(e) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.i - b.i)
    .map((x) => x.e);
}

function findLimit(book: CaseBook, v: Plain): string {
  const wanted = normaliseLabel(String(v));
  const hit = book.limits.limits.find((l) => l.id === v || normaliseLabel(limitLabel(l)) === wanted);
  if (!hit) {
    throw new KaifangError({
      code: 'unknown_limit',
      zh: `“${String(v)}”不是“${LIMIT_SHEET}”表中的事项或代码`,
      en: `"${String(v)}" is neither a limit label nor a limit id of the sheet ${LIMIT_SHEET}`,
      path: '事项',
    });
  }
  return hit.id;
}

function findDepartment(book: CaseBook, v: Plain): string {
  const name = String(v).trim();
  if (book.departments.has(name)) return name;
  for (const [id, d] of book.departments) if (d.name === name || d.fullName === name) return id;
  throw new KaifangError({
    code: 'unknown_department',
    zh: `“${name}”不是“${DEPARTMENT_SHEET}”表中的部门名称或代码`,
    en: `"${name}" is neither a department name nor a department id of the sheet ${DEPARTMENT_SHEET}`,
    path: '办理部门',
  });
}

/**
 * Reads the 案件 sheet (or the first sheet) of an .xlsx file and stores every row, or nothing when any row is
 * bad: the ValidationError then lists every problem with its row and column (path 'row[5].受理日期').
 */
export async function importCasesFromXlsx(
  book: CaseBook,
  writer: CaseWriter,
  data: Buffer | Uint8Array,
  opts: { dryRun?: boolean; fileName?: string; read?: ImportReadOptions } = {},
): Promise<ImportResult> {
  const limits = opts.read?.limits ?? importLimits();
  // Streamed (src/excel/read-workbook.ts): reading stops at the first row past the limit.
  const { sheetName, cols, items, rows } = await readSheet(
    data,
    { ...opts.read, limits, sheet: CASE_SHEET, headerRows: HEADER_SEARCH_ROWS, notAWorkbook, noSheet },
    async (ws) => {
      let cols: Columns | undefined;
      const problems: KaifangError[] = [];
      const items: ImportItem[] = [];
      let rows = 0;
      let dataRows = 0;
      for await (const row of ws.rows) {
        if (!cols) {
          if (row.number > HEADER_SEARCH_ROWS) throw noHeader();
          cols = findColumns(row);
          continue;
        }
        const r = row.number;
        // every row below the header that holds a value counts, read or not (rows that are only formatted are not
        // delivered): the limit is on the work of reading
        if (++dataRows > limits.maxRows) throw tooManyRows(limits.maxRows);
        const columns = cols;
        const cell = (header: string): Plain => {
          const c = columns.byHeader.get(header);
          return c === undefined ? null : plain(row.getCell(c).value);
        };
        const read = (col: number) => plain(row.getCell(col).value);
        const allCols = [...columns.byHeader.values(), ...columns.suspensions.flatMap((p) => [p.start?.col, p.end?.col]).filter((c): c is number => c !== undefined)];
        if (allCols.every((c) => read(c) === null)) continue;
        rows++;

        const at = (column: string) => `row[${r}].${column}`;
        const cellProblems: KaifangError[] = [];
        const parse = <T>(column: string, fn: () => T): T | undefined => {
          try {
            return fn();
          } catch (e) {
            if (!(e instanceof KaifangError)) throw e;
            cellProblems.push(new KaifangError({ code: e.code, zh: e.messageZh, en: e.messageEn, path: at(column), details: e.details }));
            return undefined;
          }
        };

        // events in the order of the columns: each suspension pair, then the completion
        const eventColumns: string[] = [];
        const events: Array<{ kind: string; on: string; at?: string }> = [];
        let eventCells = 0;
        const addEvent = (kind: string, header: string, v: Plain) => {
          if (v === null) return;
          eventCells++;
          const d = parse(header, () => dateCell(v, header));
          if (!d) return;
          events.push({ kind, on: d.on, ...(d.time ? { at: d.time } : {}) });
          eventColumns.push(header);
        };
        for (const p of columns.suspensions) {
          if (p.start) addEvent('suspended', p.start.header, read(p.start.col));
          if (p.end) addEvent('resumed', p.end.header, read(p.end.col));
        }
        addEvent('completed', '办结日期', cell('办结日期'));

        const accepted = cell('受理日期') === null ? undefined : parse('受理日期', () => dateCell(cell('受理日期'), '受理日期'));
        const limitCell = cell('事项');
        const limitId = limitCell === null ? undefined : parse('事项', () => findLimit(book, limitCell));
        const departmentCell = cell('办理部门');
        const departmentId = departmentCell === null ? undefined : parse('办理部门', () => findDepartment(book, departmentCell));
        const simplifiedCell = cell('简化程序');
        const hoursCell = cell('纳税小时');
        const input: NewCaseInput = {
          limitId,
          departmentId,
          reference: cell('受理编号') ?? undefined,
          subject: cell('办理对象') ?? undefined,
          acceptedOn: accepted?.on,
          acceptedAt: accepted?.time ?? undefined,
          simplified: simplifiedCell === null ? undefined : parse('简化程序', () => yesNo(simplifiedCell, '简化程序')),
          hours: hoursCell === null ? undefined : parse('纳税小时', () => numberCell(hoursCell, '纳税小时')),
          events,
        };
        // A cell that could not be read is reported once: the checks below skip its column, and skip the order of
        // events when one of them is missing.
        const failed = new Set(cellProblems.map((e) => e.path));
        problems.push(...cellProblems);
        if (eventColumns.length < eventCells) input.events = [];
        const column = (field: string): string => {
          const ev = /^events\[(\d+)\]\.(\w+)$/.exec(field);
          if (ev) return eventColumns[Number(ev[1])] ?? '办结日期';
          const byField: Record<string, string> = {
            limitId: '事项',
            departmentId: '办理部门',
            reference: '受理编号',
            subject: '办理对象',
            acceptedOn: '受理日期',
            acceptedAt: '受理日期',
            simplified: '简化程序',
            hours: '纳税小时',
            events: '办结日期',
          };
          return byField[field] ?? field;
        };
        const path = (field: string) => at(column(field));
        try {
          const checked = checkCaseInput(book, input, { defaultDepartment: writer.department, path });
          if (failed.size === 0) items.push({ row: r, case: checked, path });
        } catch (e) {
          if (!(e instanceof KaifangError)) throw e;
          const errors = e instanceof ValidationError ? e.errors : [e];
          problems.push(...errors.filter((x) => !failed.has(x.path)));
        }

      }
      if (!cols) throw noHeader();
      if (problems.length) throw new ValidationError(inSheetOrder(problems, cols).slice(0, MAX_ERRORS).map(rowError));
      if (rows === 0) throw sheetError('empty_sheet', `工作表“${ws.name}”中没有案件`, `the sheet ${ws.name} has no cases`);
      return { sheetName: ws.name, cols, items, rows };
    },
  );

  let outcomes: ImportOutcome[];
  try {
    outcomes = await importCheckedCases(book, writer, items, {
      dryRun: opts.dryRun,
      audit: { fileName: opts.fileName ?? null, sha256: createHash('sha256').update(data).digest('hex'), sheet: sheetName, rows },
    });
  } catch (e) {
    if (e instanceof ValidationError) throw new ValidationError(e.errors.slice(0, MAX_ERRORS).map(rowError));
    throw e;
  }
  return {
    sheet: sheetName,
    rows,
    created: outcomes.filter((o) => o.action === 'created').length,
    updated: outcomes.filter((o) => o.action === 'updated').length,
    unchanged: outcomes.filter((o) => o.action === 'unchanged').length,
    dryRun: opts.dryRun ?? false,
    outcomes,
    ignoredColumns: cols.ignored,
  };
}

// ── Export of the compliance report ─────────────────────────────────────────────────────────────────────────

export const LIMIT_SUMMARY_HEADERS = ['措施', '事项', '代码', '目标', '责任部门', '案件数', '已办结', '办理中', '补正中', '按时办结', '超时办结', '在办超时', '按时率(%)', '平均用时', '计时单位', '简化程序占比(%)', '是否达标', '无法计算'] as const;
export const DEPARTMENT_SUMMARY_HEADERS = ['部门', '代码', '事项', '目标', '案件数', '按时办结', '超时办结', '在办超时', '按时率(%)', '平均用时', '简化程序占比(%)', '是否达标'] as const;
export const CASE_LIST_HEADERS = ['受理编号', '事项', '代码', '办理部门', '办理对象', '受理日期', '补正用时', '到期日', '到期时刻', '办结日期', '状态', '已用', '剩余', '计时单位', '是否超时', '简化程序', '说明'] as const;
export const HOURS_HEADERS = ['办理对象', '年度', '合计小时', '限额（小时）', '剩余小时', '是否超限'] as const;

/** A civil date as an Excel date (a serial number shown yyyy-mm-dd), independent of the machine's time zone. */
function excelDate(date: CivilDate): Date {
  return new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))));
}

const UNIT_ZH: Record<string, string> = { workingDays: '工作日', calendarDays: '自然日' };
const met = (v: boolean | null) => (v === null ? '无数据' : v ? '达标' : '未达标');

function highlight(row: ExcelJS.Row, columns: number): void {
  for (let c = 1; c <= columns; c++) {
    const cell = row.getCell(c);
    cell.fill = OVERDUE_FILL;
    cell.font = OVERDUE_FONT;
  }
}

function setDates(row: ExcelJS.Row, headers: readonly string[], names: readonly string[]): void {
  for (const n of names) {
    const cell = row.getCell(headers.indexOf(n) + 1);
    if (cell.value instanceof Date) cell.numFmt = 'yyyy-mm-dd';
  }
}

/** The compliance report as a workbook: 说明, 按时限, 按部门, 案件清单 (overdue rows in red), 纳税时间. */
export async function complianceWorkbook(book: CaseBook, query: ComplianceQuery = {}): Promise<Buffer> {
  const report = await complianceReport(book, query);
  const cases = (await allCases(book, { asOf: report.asOf, acceptedFrom: report.acceptedFrom ?? undefined, acceptedTo: report.acceptedTo ?? undefined })).filter(
    (c) => c.recording !== 'hours',
  );
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Kaifang';

  const about = wb.addWorksheet('说明');
  about.addRow(['服务时限达标情况']).font = { bold: true, size: 14 };
  about.addRow(['截至日期', excelDate(report.asOf)]).getCell(2).numFmt = 'yyyy-mm-dd';
  about.addRow(['受理期间', report.acceptedFrom || report.acceptedTo ? `${report.acceptedFrom ?? '…'} 至 ${report.acceptedTo ?? report.asOf}` : '全部']);
  about.addRow(['纳税时间年度', report.year]);
  about.addRow(['计时规则', '受理当日不计，次日为第1个工作日；补正期间停止计时；工作日依国务院办公厅放假安排（calendars/cn-workdays.yaml）；“以内/不超过”含本数。']);
  about.addRow(['按时率', '按时办结 ÷（已办结 + 在办已超时）；平均类时限以已办结案件的平均用时对照目标。']);
  if (report.unknownLimitCases.length) about.addRow(['未计入', `时限已不在 service-limits.yaml 中的案件：${report.unknownLimitCases.join('、')}`]);
  about.getColumn(1).width = 16;
  about.getColumn(2).width = 100;

  const byLimit = wb.addWorksheet('按时限');
  byLimit.addRow([...LIMIT_SUMMARY_HEADERS]);
  for (const l of report.byLimit) {
    const row = byLimit.addRow([
      l.measure,
      l.label,
      l.limitId,
      l.target,
      l.owners.map((o) => o.name).join('、'),
      l.cases,
      l.kind === 'share' ? null : l.completed,
      l.kind === 'share' ? null : l.open,
      l.kind === 'share' ? null : l.suspended,
      l.kind === 'perCase' ? l.onTime : null,
      l.kind === 'perCase' ? l.late : null,
      l.kind === 'perCase' ? l.openOverdue : null,
      l.onTimeShare?.percent ?? null,
      l.averageElapsed,
      l.kind === 'share' ? null : (UNIT_ZH[l.countUnit ?? ''] ?? null),
      l.share?.percent ?? null,
      met(l.targetMet),
      l.undetermined.length ? l.undetermined.map((u) => `${u.caseId}：${u.messageZh}`).join('；') : null,
    ]);
    if (l.targetMet === false) highlight(row, LIMIT_SUMMARY_HEADERS.length);
  }
  styleHeader(byLimit, [6, 44, 34, 16, 30, 8, 8, 8, 8, 10, 10, 10, 10, 10, 10, 14, 10, 40]);

  const byDept = wb.addWorksheet('按部门');
  byDept.addRow([...DEPARTMENT_SUMMARY_HEADERS]);
  for (const d of report.byDepartment) {
    const perCase = d.limits.filter((l) => l.kind === 'perCase');
    const total = byDept.addRow([
      d.name,
      d.departmentId,
      '（合计）',
      d.targetsMet.denominator ? `${d.targetsMet.numerator}/${d.targetsMet.denominator} 项平均或占比目标达标` : null,
      d.limits.filter((l) => l.kind !== 'share').reduce((s, l) => s + l.cases, 0),
      perCase.reduce((s, l) => s + l.onTime, 0),
      perCase.reduce((s, l) => s + l.late, 0),
      perCase.reduce((s, l) => s + l.openOverdue, 0),
      d.onTimeShare.percent,
      null,
      null,
      null,
    ]);
    total.font = { bold: true };
    for (const l of d.limits) {
      const row = byDept.addRow([
        d.name,
        d.departmentId,
        l.label,
        l.target,
        l.cases,
        l.kind === 'perCase' ? l.onTime : null,
        l.kind === 'perCase' ? l.late : null,
        l.kind === 'perCase' ? l.openOverdue : null,
        l.onTimeShare?.percent ?? null,
        l.averageElapsed,
        l.share?.percent ?? null,
        met(l.targetMet),
      ]);
      if (l.targetMet === false) highlight(row, DEPARTMENT_SUMMARY_HEADERS.length);
    }
  }
  styleHeader(byDept, [18, 34, 44, 24, 8, 10, 10, 10, 10, 10, 14, 10]);

  const list = wb.addWorksheet('案件清单');
  list.addRow([...CASE_LIST_HEADERS]);
  for (const c of cases) {
    const s = c.status;
    const completed = c.events.find((e) => e.kind === 'completed' && e.on <= c.asOf);
    const row = list.addRow([
      c.reference,
      c.limitLabel,
      c.limitId,
      c.departmentName,
      c.subject,
      excelDate(c.acceptedOn),
      s ? s.suspendedDays : null,
      s ? excelDate(s.due.date) : null,
      s ? (s.due.at === 'noon' ? '12:00' : '当日结束') : null,
      completed ? excelDate(completed.on) : null,
      s ? { open: '办理中', suspended: '补正中', completed: '已办结' }[s.state] : c.recording === 'population' ? (completed ? '已办结' : '办理中') : null,
      s ? s.elapsed : null,
      s ? s.remaining : null,
      s ? UNIT_ZH[s.countUnit] : null,
      s?.overdue === null || s?.overdue === undefined ? null : s.overdue ? '是' : '否',
      c.simplified === null ? null : c.simplified ? '是' : '否',
      c.undetermined?.messageZh ?? (c.recording === 'population' ? '只计入简化程序占比' : s?.kind === 'average' && s.exceedsTarget ? '本案用时超过平均目标（按平均值考核）' : null),
    ]);
    setDates(row, CASE_LIST_HEADERS, ['受理日期', '到期日', '办结日期']);
    if (s?.overdue) highlight(row, CASE_LIST_HEADERS.length);
  }
  styleHeader(list, [18, 44, 34, 16, 30, 12, 10, 12, 10, 12, 8, 8, 8, 8, 8, 8, 50]);
  list.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: CASE_LIST_HEADERS.length } };

  const hours = wb.addWorksheet('纳税时间');
  hours.addRow([...HOURS_HEADERS]);
  for (const a of report.annualTotals) {
    for (const t of a.totals) {
      const row = hours.addRow([t.subjectId, t.year, t.totalHours, t.limitHours, t.remainingHours, t.exceeded ? '是' : '否']);
      if (t.exceeded) highlight(row, HOURS_HEADERS.length);
    }
  }
  styleHeader(hours, [36, 8, 12, 12, 12, 10]);

  return Buffer.from(await wb.xlsx.writeBuffer());
}
