import ExcelJS from 'exceljs';
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { acquireImportSlot, importsRunning, newReadStats } from '../excel/read-workbook.ts';
import { sheetWorkbook } from '../excel/test-workbooks.ts';
import { createCaseBook, limitLabel, type CaseBook } from './case-book.ts';
import { listCases, type CaseWriter } from './case-store.ts';
import {
  CASE_LIST_HEADERS,
  CASE_SHEET,
  LIMIT_SHEET,
  LIMIT_SUMMARY_HEADERS,
  OVERDUE_FILL_ARGB,
  TEMPLATE_HEADERS,
  caseTemplateWorkbook,
  complianceWorkbook,
  importCasesFromXlsx,
} from './excel.ts';

const admin: CaseWriter = { actor: { userId: null, name: 'excel-test' }, department: null };
const utc = (y: number, m: number, d: number, h = 0, min = 0) => new Date(Date.UTC(y, m - 1, d, h, min));

async function load(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as unknown as ArrayBuffer);
  return wb;
}

const headerRow = (ws: ExcelJS.Worksheet) => (ws.getRow(1).values as unknown[]).slice(1);

type Row = Partial<Record<(typeof TEMPLATE_HEADERS)[number], ExcelJS.CellValue>>;

/** A filled copy of the template: rows keyed by header. */
async function sheetWith(book: CaseBook, rows: Row[]): Promise<Buffer> {
  const wb = await load(await caseTemplateWorkbook(book));
  const ws = wb.getWorksheet(CASE_SHEET)!;
  rows.forEach((r, i) => {
    const row = ws.getRow(i + 2);
    for (const [h, v] of Object.entries(r)) row.getCell(TEMPLATE_HEADERS.indexOf(h as never) + 1).value = v;
    row.commit();
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function failure(p: Promise<unknown>): Promise<ValidationError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ValidationError) return e;
    if (e instanceof KaifangError) throw new Error(`expected a ValidationError, got ${e.code}: ${e.message}`);
    throw e;
  }
  throw new Error('expected a ValidationError, got success');
}

/** A million rows under the header (only 事项 filled in): about 8 MB holding 75 MB of XML. Made once. */
let millionFile: Promise<Buffer> | undefined;
const million = () => (millionFile ??= sheetWorkbook(CASE_SHEET, [...TEMPLATE_HEADERS], 1_000_000, (n) => [String(n)]));
const MiB = 1024 * 1024;

describeDatabases('service cases in Excel', (t) => {
  let book: CaseBook;
  const count = async () => Number((await t.db.selectFrom('service_cases').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(() => {
    book = createCaseBook(t.db, { today: () => '2021-06-30' });
  });

  it('writes a template with Chinese headers, pick lists and the limits to pick from', async () => {
    const wb = await load(await caseTemplateWorkbook(book));
    expect(wb.worksheets.map((w) => w.name)).toEqual([CASE_SHEET, LIMIT_SHEET, '部门代码', '填写说明']);
    const cases = wb.getWorksheet(CASE_SHEET)!;
    expect(headerRow(cases)).toEqual([...TEMPLATE_HEADERS]);
    const limits = wb.getWorksheet(LIMIT_SHEET)!;
    const ids = limits.getColumn(2).values.slice(2);
    expect(ids).toContain('water-no-new-pipeline');
    expect(ids).not.toContain('customs-clearance-time'); // measured from statistics, not recorded per case
    expect(limits.getColumn(1).values).toContain('用水报装（无增设管线的）');
    expect(cases.getCell('A2').dataValidation).toMatchObject({ type: 'list', formulae: [`'${LIMIT_SHEET}'!$A$2:$A$${ids.length + 1}`] });
    expect(cases.getCell('K2').dataValidation).toMatchObject({ type: 'list', formulae: ['"是,否"'] });
  });

  it('imports every row (Excel dates, text dates, times, suspensions, 简化程序, hours) and re-imports only what is new', async () => {
    const water = limitLabel(book.limits.get('water-no-new-pipeline'));
    const rows: Row[] = [
      // suspended over the 2020 Spring Festival, dates as Excel dates
      { 事项: water, 受理编号: 'XL-W1', 办理对象: '吴江丝韵纺织有限公司', 办理部门: '区水务局', 受理日期: utc(2020, 1, 20), 补正开始: utc(2020, 1, 22), 补正结束: utc(2020, 2, 4), 办结日期: utc(2020, 2, 6) },
      // green channel with times, as text; the only owner is the department when none is named
      { 事项: 'business-startup-green-channel', 受理编号: 'XL-G1', 办理对象: '苏州长缆光通信有限公司', 受理日期: '2020/5/20 15:00', 办结日期: '2020年5月21日 11:30' },
      { 事项: '破产案件审理（无产可破或债务人主要财产已在执行阶段处理完毕的破产案件）', 受理编号: '(2020)苏0509破1号', 办理对象: '吴江某机械有限公司', 受理日期: '2020-07-01', 简化程序: '是' },
      { 事项: '办税缴费', 受理编号: 'XL-T1', 办理对象: '913205847589632150', 受理日期: '2020-12-31', 纳税小时: 80 },
      // a water case still open: the export marks it overdue
      { 事项: water, 受理编号: 'XL-W2', 办理对象: '吴江某电子有限公司', 办理部门: 'water-affairs-bureau', 受理日期: utc(2020, 6, 1) },
    ];
    const result = await importCasesFromXlsx(book, admin, await sheetWith(book, rows), { fileName: 'cases.xlsx' });
    expect(result).toMatchObject({ sheet: CASE_SHEET, rows: 5, created: 5, updated: 0, unchanged: 0, ignoredColumns: [] });

    const all = (await listCases(book, { asOf: '2020-12-31', q: 'XL-', pageSize: 100 })).items;
    const w1 = all.find((c) => c.reference === 'XL-W1')!;
    expect(w1.status).toMatchObject({ suspendedDays: 3, due: { date: '2020-02-06' }, onTime: true });
    const g1 = all.find((c) => c.reference === 'XL-G1')!;
    expect(g1).toMatchObject({ departmentId: 'administrative-approval-bureau', acceptedAt: '2020-05-20T15:00:00+08:00' });
    expect(g1.status).toMatchObject({ due: { date: '2020-05-21', at: 'noon' }, onTime: true });
    const bk = (await listCases(book, { asOf: '2020-12-31', q: '苏0509破1号' })).items[0];
    expect(bk).toMatchObject({ simplified: true, departmentId: 'wujiang-court', status: { countUnit: 'calendarDays' } });

    // The same register a month later: W2 completed, a new row; the rest unchanged.
    const later = [...rows];
    later[4] = { ...rows[4], 办结日期: utc(2020, 6, 10) };
    later.push({ 事项: water, 受理编号: 'XL-W3', 办理对象: '新企业', 办理部门: '区水务局', 受理日期: utc(2020, 6, 15), 办结日期: utc(2020, 6, 18) });
    const again = await importCasesFromXlsx(book, admin, await sheetWith(book, later));
    expect(again).toMatchObject({ rows: 6, created: 1, updated: 1, unchanged: 4 });
    const w2 = (await listCases(book, { asOf: '2020-12-31', q: 'XL-W2' })).items[0];
    expect(w2.status).toMatchObject({ state: 'completed', elapsed: 7, onTime: false, overdue: true });

    // A register that contradicts what is stored is refused as a whole.
    const before = await count();
    const contradicting = [...later];
    contradicting[0] = { ...later[0], 补正结束: utc(2020, 2, 5) };
    const e = await failure(importCasesFromXlsx(book, admin, await sheetWith(book, contradicting)));
    expect(e.errors.map((x) => `${x.path}:${x.code}`)).toEqual(['row[2].补正结束:conflict']);
    expect(e.errors[0].messageZh).toMatch(/^第2行「补正结束」：/);
    expect(await count()).toBe(before);
  });

  it('a sheet with bad rows stores nothing and names each row and column', async () => {
    const before = await count();
    const water = limitLabel(book.limits.get('water-no-new-pipeline'));
    const rows: Row[] = [
      { 事项: water, 受理编号: 'BAD-1', 办理对象: '好的一行', 办理部门: '区水务局', 受理日期: '2020-05-20', 办结日期: '2020-05-22' },
      { 事项: water, 受理编号: 'BAD-2', 办理对象: '日期不存在', 办理部门: '区水务局', 受理日期: '2020-02-30' },
      { 事项: '用水报装（不存在的类别）', 受理编号: 'BAD-3', 办理对象: '事项不存在', 受理日期: '2020-05-20' },
      { 事项: water, 受理编号: 'BAD-4', 办理对象: '补正结束早于补正开始', 办理部门: '区水务局', 受理日期: '2020-05-20', 补正开始: '2020-05-25', 补正结束: '2020-05-22' },
      { 事项: water, 受理编号: 'BAD-1', 办理对象: '重复', 办理部门: '区水务局', 受理日期: '2020-05-20' },
      { 事项: '破产案件审理（只计入简化程序占比）', 受理编号: 'BAD-6', 办理对象: '缺简化程序', 受理日期: '2020-05-20', 简化程序: '也许' },
      { 事项: water, 受理编号: 'BAD-7', 办理对象: '多个责任部门未填部门', 受理日期: '2020-05-20' },
    ];
    const e = await failure(importCasesFromXlsx(book, admin, await sheetWith(book, rows)));
    expect(e.errors.map((x) => `${x.path}:${x.code}`)).toEqual([
      'row[3].受理日期:invalid_date',
      'row[4].事项:unknown_limit',
      'row[5].补正结束:event_out_of_order',
      'row[7].简化程序:invalid_boolean',
      'row[8].办理部门:department_required',
    ]);
    expect(e.messageZh).toContain('第3行「受理日期」');
    expect(e.errors[0].messageEn).toMatch(/^row 3, 受理日期: /);
    expect(await count()).toBe(before);

    // with the cell errors fixed, the duplicate row is still caught before anything is stored
    const fixed = [rows[0], rows[4]];
    const dup = await failure(importCasesFromXlsx(book, admin, await sheetWith(book, fixed)));
    expect(dup.errors.map((x) => `${x.path}:${x.code}`)).toEqual(['row[3].受理编号:duplicate_row']);
    expect(await count()).toBe(before);
  });

  it('refuses what is not a case register', async () => {
    expect((await failure(importCasesFromXlsx(book, admin, Buffer.from('not a workbook')))).code).toBe('invalid_xlsx');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1').addRow(['事项', '受理编号', '备注']);
    const e = await failure(importCasesFromXlsx(book, admin, Buffer.from(await wb.xlsx.writeBuffer())));
    expect(e.code).toBe('missing_columns');
    expect(e.messageZh).toContain('办理对象、受理日期');
    const empty = await failure(importCasesFromXlsx(book, admin, await sheetWith(book, [])));
    expect(empty.code).toBe('empty_sheet');
  });

  it('finds the header below title rows, within the first 10 rows', async () => {
    const water = limitLabel(book.limits.get('water-no-new-pipeline'));
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet(CASE_SHEET);
    ws.addRow(['区水务局服务案件登记表']);
    ws.addRow(['2020年6月']);
    ws.addRow([...TEMPLATE_HEADERS]);
    ws.addRow([water, 'HDR-1', '标题下的案件', '区水务局', '2020-06-01']);
    const result = await importCasesFromXlsx(book, admin, Buffer.from(await wb.xlsx.writeBuffer()), { dryRun: true });
    expect(result).toMatchObject({ rows: 1, created: 1, dryRun: true });
    expect(result.outcomes[0]).toMatchObject({ row: 4 });

    const late = new ExcelJS.Workbook();
    const titles = late.addWorksheet(CASE_SHEET);
    for (let i = 1; i <= 10; i++) titles.addRow([`说明${i}`]);
    titles.addRow([...TEMPLATE_HEADERS]);
    expect((await failure(importCasesFromXlsx(book, admin, Buffer.from(await late.xlsx.writeBuffer())))).code).toBe('missing_columns');
  });

  it('imports up to KAIFANG_IMPORT_MAX_ROWS rows at once and refuses one more; the template\'s empty formatted rows are not rows', async () => {
    const water = limitLabel(book.limits.get('water-no-new-pipeline'));
    const limits = { maxRows: 2, maxBytes: 64 * MiB, atOnce: 2 };
    const row = (n: number): Row => ({ 事项: water, 受理编号: `LIM-${n}`, 办理对象: '限额测试', 办理部门: '区水务局', 受理日期: '2020-06-01' });
    const before = await count();
    const three = await failure(importCasesFromXlsx(book, admin, await sheetWith(book, [row(1), row(2), row(3)]), { read: { limits } }));
    expect(three.errors.map((x) => [x.path, x.code, x.details])).toEqual([['file', 'too_many_rows', { limit: 2, setting: 'KAIFANG_IMPORT_MAX_ROWS' }]]);
    expect(three.messageEn).toContain('at most 2 rows');
    expect(await count()).toBe(before);
    // the template carries 500 formatted rows; two filled ones are two rows (a dry run: the report below counts
    // the water cases)
    expect(await importCasesFromXlsx(book, admin, await sheetWith(book, [row(1), row(2)]), { dryRun: true, read: { limits } })).toMatchObject({ rows: 2, created: 2 });
  });

  it('refuses a million-row register without reading it: from the zip directory, or at the row limit', async () => {
    const file = await million();
    const before = await count();
    const stats = newReadStats();
    const tooLarge = await failure(importCasesFromXlsx(book, admin, file, { read: { stats } }));
    expect(tooLarge.errors.map((x) => [x.path, x.code])).toEqual([['file', 'workbook_too_large']]);
    expect(stats.partsRead).not.toContain('xl/worksheets/sheet1.xml');
    // allowed the bytes, it stops at the 1,001st row: the header, 1,000 rows and the one too many are all it reads
    const read = { stats: newReadStats(), limits: { maxRows: 1_000, maxBytes: 256 * MiB, atOnce: 2 } };
    const tooMany = await failure(importCasesFromXlsx(book, admin, file, { read }));
    expect(tooMany.errors.map((x) => [x.path, x.code])).toEqual([['file', 'too_many_rows']]);
    expect(read.stats.rowsDelivered).toBe(1_002);
    expect(read.stats.bytesInflated).toBeLessThan(MiB);
    expect(await count()).toBe(before);
  });

  it('is refused with import_busy while KAIFANG_IMPORTS_AT_ONCE imports read', async () => {
    const limits = { maxRows: 10_000, maxBytes: 64 * MiB, atOnce: 1 };
    const water = limitLabel(book.limits.get('water-no-new-pipeline'));
    const file = await sheetWith(book, [{ 事项: water, 受理编号: 'BUSY-1', 办理对象: '繁忙测试', 办理部门: '区水务局', 受理日期: '2020-06-01' }]);
    const other = acquireImportSlot(limits);
    try {
      const busy = await importCasesFromXlsx(book, admin, file, { read: { limits } }).catch((x: KaifangError) => x);
      expect(busy).toMatchObject({ code: 'import_busy', details: { limit: 1 } });
    } finally {
      other.release();
    }
    expect(await importCasesFromXlsx(book, admin, file, { dryRun: true, read: { limits } })).toMatchObject({ rows: 1 });
    expect(importsRunning()).toBe(0);
  });

  it('exports the compliance report: a sheet per view, Chinese headers, real dates, overdue rows in red', async () => {
    const buffer = await complianceWorkbook(book, { asOf: '2020-12-31' });
    const wb = await load(buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['说明', '按时限', '按部门', '案件清单', '纳税时间']);
    expect(wb.getWorksheet('说明')!.getCell('B2').value).toEqual(utc(2020, 12, 31));

    const byLimit = wb.getWorksheet('按时限')!;
    expect(headerRow(byLimit)).toEqual([...LIMIT_SUMMARY_HEADERS]);
    const limitRow = (id: string) => {
      for (let r = 2; r <= byLimit.rowCount; r++) if (byLimit.getRow(r).getCell(3).value === id) return byLimit.getRow(r);
      throw new Error(`no row for ${id}`);
    };
    const col = (h: (typeof LIMIT_SUMMARY_HEADERS)[number]) => LIMIT_SUMMARY_HEADERS.indexOf(h) + 1;
    const water = limitRow('water-no-new-pipeline');
    // W1 and W3 on time, W2 late: 2 of 3
    expect([water.getCell(col('案件数')).value, water.getCell(col('按时办结')).value, water.getCell(col('超时办结')).value]).toEqual([3, 2, 1]);
    expect(water.getCell(col('按时率(%)')).value).toBe(66.7);
    expect(water.getCell(col('是否达标')).value).toBe('未达标');
    expect((water.getCell(1).fill as ExcelJS.FillPattern).fgColor?.argb).toBe(OVERDUE_FILL_ARGB);
    const share = limitRow('bankruptcy-simplified-share');
    expect([share.getCell(col('简化程序占比(%)')).value, share.getCell(col('是否达标')).value]).toEqual([100, '达标']);

    const list = wb.getWorksheet('案件清单')!;
    expect(headerRow(list)).toEqual([...CASE_LIST_HEADERS]);
    const lc = (h: (typeof CASE_LIST_HEADERS)[number]) => CASE_LIST_HEADERS.indexOf(h) + 1;
    const rows = new Map<string, ExcelJS.Row>();
    for (let r = 2; r <= list.rowCount; r++) rows.set(String(list.getRow(r).getCell(1).value), list.getRow(r));
    const w2 = rows.get('XL-W2')!;
    expect(w2.getCell(lc('受理日期')).value).toEqual(utc(2020, 6, 1));
    expect(w2.getCell(lc('受理日期')).numFmt).toBe('yyyy-mm-dd');
    expect(w2.getCell(lc('到期日')).value).toEqual(utc(2020, 6, 5));
    expect(w2.getCell(lc('办结日期')).value).toEqual(utc(2020, 6, 10));
    expect(w2.getCell(lc('是否超时')).value).toBe('是');
    expect((w2.getCell(lc('受理编号')).fill as ExcelJS.FillPattern).fgColor?.argb).toBe(OVERDUE_FILL_ARGB);
    const w1 = rows.get('XL-W1')!;
    expect([w1.getCell(lc('补正用时')).value, w1.getCell(lc('是否超时')).value, w1.getCell(lc('状态')).value]).toEqual([3, '否', '已办结']);
    expect(w1.getCell(1).fill).toBeUndefined();
    const g1 = rows.get('XL-G1')!;
    expect([g1.getCell(lc('到期日')).value, g1.getCell(lc('到期时刻')).value]).toEqual([utc(2020, 5, 21), '12:00']);
    expect(rows.has('XL-T1')).toBe(false); // hours go to 纳税时间

    const hours = wb.getWorksheet('纳税时间')!;
    expect(hours.getRow(2).values).toEqual([undefined, '913205847589632150', 2020, 80, 100, 20, '否']);
  });
});
