// Enterprises in Excel on both databases: all-or-nothing import with row-numbered errors, export in the
// import format, and the round trip into a fresh database.
import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { describeDatabases, migratedPGliteTemplate } from '../db/test-databases.ts';
import { openDatabase } from '../db/open.ts';
import { SYSTEM_ACTOR } from '../audit/audit-log.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { acquireImportSlot, importsRunning, newReadStats } from '../excel/read-workbook.ts';
import { sheetWorkbook } from '../excel/test-workbooks.ts';
import { createEnterprise } from './enterprises.ts';
import { generateUscc, seededRandom, usccCheckCharacter } from './uscc.ts';
import { enterpriseTemplateWorkbook, exportEnterprisesWorkbook, importEnterprises, readEnterpriseWorkbook } from './excel.ts';

const HEAD = ['统一社会信用代码', '企业名称', '所属区镇', '产业类别'];

/** A workbook as an official would type it: one sheet, a header, rows of cells. */
async function xlsx(rows: unknown[][], head: string[] = HEAD, sheetName = 'Sheet1'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  ws.addRow(head);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function refusal(p: Promise<unknown>): Promise<ValidationError> {
  const e = await p.then(
    () => undefined,
    (err) => err,
  );
  expect(e).toBeInstanceOf(ValidationError);
  return e as ValidationError;
}

const count = async (db: Parameters<typeof importEnterprises>[0], table: 'enterprises' | 'audit_log') =>
  Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0].n);

/** A valid code with its last character changed: a wrong check character. */
function wrongCheck(code: string): string {
  const right = usccCheckCharacter(code.slice(0, 17));
  return code.slice(0, 17) + (right === '1' ? '2' : '1');
}

/** A million rows under the header (only the code filled in): about 8 MB holding 75 MB of XML. Made once. */
let millionFile: Promise<Buffer> | undefined;
const million = () => (millionFile ??= sheetWorkbook('企业名录', HEAD, 1_000_000, (n) => [String(n)]));
const MiB = 1024 * 1024;

describeDatabases('enterprise Excel import and export', (t) => {
  const random = seededRandom(42);
  const code = () => generateUscc({ random });

  it('imports every row in one go, reading area and class in any of their written forms', async () => {
    const codes = [code(), code(), code(), code(), code()];
    const file = await xlsx([
      [codes[0], '苏州测试光缆有限公司', '盛泽镇', '先导产业'],
      [codes[1].toLowerCase(), ' 吴江测试丝绸有限公司 ', '吴江开发区', '其他产业'],
      [codes[2], '苏州测试电子有限公司', 'fenhu-high-tech-zone', 'highTech'],
      [],
      [codes[3], '苏州测试装备有限公司', '松陵', '其他'],
      [codes[4], '苏州测试材料有限公司', 'east taihu lake ecological tourism resort', '高新技术产业'],
    ]);
    const { created } = await importEnterprises(t.db, file, { actor: SYSTEM_ACTOR, fileName: 'test.xlsx' });
    expect(created.map((e) => [e.uscc, e.name, e.areaId, e.industryClass])).toEqual([
      [codes[0], '苏州测试光缆有限公司', 'shengze', 'leading'],
      [codes[1], '吴江测试丝绸有限公司', 'wujiang-development-zone', 'other'],
      [codes[2], '苏州测试电子有限公司', 'fenhu-high-tech-zone', 'highTech'],
      [codes[3], '苏州测试装备有限公司', 'songling', 'other'],
      [codes[4], '苏州测试材料有限公司', 'east-taihu-resort', 'highTech'],
    ]);
    const audit = await t.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'enterprise.import').execute();
    expect(audit.at(-1)!.details).toEqual({ count: 5, fileName: 'test.xlsx' });
  });

  it('stores nothing when any row is bad, and names every bad row and column in Chinese and English', async () => {
    const good = code();
    const dup = code();
    const before = [await count(t.db, 'enterprises'), await count(t.db, 'audit_log')];
    const file = await xlsx([
      [good, '苏州正常企业有限公司', '同里镇', '其他产业'], // row 2: fine
      [wrongCheck(code()), '苏州校验码错误有限公司', '同里镇', '其他产业'], // row 3
      [code(), '苏州区镇错误有限公司', '苏州工业园区', '先导产业'], // row 4
      [913205091234567890, '苏州数字格式有限公司', '平望镇', '其他产业'], // row 5
      [dup, '苏州重复甲有限公司', '七都镇', '其他产业'], // row 6
      [dup, '苏州重复乙有限公司', '七都镇', '其他产业'], // row 7: repeats row 6
      [code(), '', '震泽镇', '传统产业'], // row 8: no name, bad class
    ]);
    const e = await refusal(importEnterprises(t.db, file, { actor: SYSTEM_ACTOR }));
    expect(e.errors.map((x) => [x.path, x.code])).toEqual([
      ['rows[3].uscc', 'invalid_uscc'],
      ['rows[4].areaId', 'unknown_area'],
      ['rows[5].uscc', 'uscc_as_number'],
      ['rows[7].uscc', 'duplicate_in_file'],
      ['rows[8].industryClass', 'invalid_industry_class'],
      ['rows[8].name', 'invalid_name'],
    ]);
    const first = e.errors[0];
    expect(first.messageZh).toMatch(/^第3行「统一社会信用代码」：.*第18位校验码/);
    expect(first.messageEn).toMatch(/^row 3, column 统一社会信用代码 \(unified social credit code\): .*check character/);
    expect(first.details).toMatchObject({ row: 3, column: '统一社会信用代码', field: 'uscc' });
    expect(e.errors[3].messageZh).toContain('与第6行重复');
    expect([await count(t.db, 'enterprises'), await count(t.db, 'audit_log')]).toEqual(before);
    expect(await t.db.selectFrom('enterprises').select('uscc').where('uscc', '=', good).executeTakeFirst()).toBeUndefined();
  });

  it('refuses codes already registered, by row, and stores none of the others', async () => {
    const existing = code();
    await createEnterprise(t.db, { uscc: existing, name: '苏州已登记有限公司', areaId: 'lili', industryClass: 'other' }, { actor: SYSTEM_ACTOR });
    const fresh = code();
    const e = await refusal(importEnterprises(t.db, await xlsx([[fresh, '苏州新企业有限公司', '黎里镇', '其他产业'], [existing, '苏州已登记有限公司', '黎里镇', '其他产业']]), { actor: SYSTEM_ACTOR }));
    expect(e.errors.map((x) => [x.path, x.code])).toEqual([['rows[3].uscc', 'enterprise_exists']]);
    expect(e.errors[0].messageZh).toContain('苏州已登记有限公司');
    expect(await t.db.selectFrom('enterprises').select('uscc').where('uscc', '=', fresh).executeTakeFirst()).toBeUndefined();
  });

  it('imports up to KAIFANG_IMPORT_MAX_ROWS enterprises at once and refuses one more, naming the limit', async () => {
    const limits = { maxRows: 3, maxBytes: 64 * MiB, atOnce: 2 };
    const rows = (n: number) => Array.from({ length: n }, (_, i) => [code(), `苏州限额测试${i}有限公司`, '平望镇', '其他产业']);
    const before = await count(t.db, 'enterprises');
    const e = await refusal(importEnterprises(t.db, await xlsx(rows(4)), { actor: SYSTEM_ACTOR, read: { limits } }));
    expect(e.errors.map((x) => [x.path, x.code, x.details])).toEqual([['file', 'too_many_rows', { limit: 3, setting: 'KAIFANG_IMPORT_MAX_ROWS' }]]);
    expect(e.errors[0].messageZh).toContain('一次最多导入 3 行');
    expect(await count(t.db, 'enterprises')).toBe(before);
    // blank lines in between are not rows
    const three = rows(3);
    const { created } = await importEnterprises(t.db, await xlsx([three[0], [], three[1], [], three[2]]), { actor: SYSTEM_ACTOR, read: { limits } });
    expect(created).toHaveLength(3);
  });

  it('refuses a million-row file without reading it: from the zip directory, or at the row limit', async () => {
    const file = await million();
    const before = [await count(t.db, 'enterprises'), await count(t.db, 'audit_log')];
    // the platform's limits: the sheet declares 77 MB, more than KAIFANG_IMPORT_MAX_BYTES (64 MB)
    const stats = newReadStats();
    const tooLarge = await refusal(importEnterprises(t.db, file, { actor: SYSTEM_ACTOR, read: { stats } }));
    expect(tooLarge.errors.map((x) => [x.path, x.code])).toEqual([['file', 'workbook_too_large']]);
    expect(stats.partsRead).not.toContain('xl/worksheets/sheet1.xml');
    // allowed the bytes, it stops at the 1,001st enterprise: 1,002 of 1,000,001 rows read (the header, 1,000
    // enterprises and the one too many), a few hundred KB of the sheet's 75 MB inflated
    const read = { stats: newReadStats(), limits: { maxRows: 1_000, maxBytes: 256 * MiB, atOnce: 2 } };
    const tooMany = await refusal(importEnterprises(t.db, file, { actor: SYSTEM_ACTOR, read }));
    expect(tooMany.errors.map((x) => [x.path, x.code])).toEqual([['file', 'too_many_rows']]);
    expect(read.stats.rowsDelivered).toBe(1_002);
    expect(read.stats.bytesInflated).toBeLessThan(MiB);
    expect([await count(t.db, 'enterprises'), await count(t.db, 'audit_log')]).toEqual(before);
  });

  it('is refused with import_busy while KAIFANG_IMPORTS_AT_ONCE imports read, and stores nothing', async () => {
    const limits = { maxRows: 10_000, maxBytes: 64 * MiB, atOnce: 1 };
    const file = await xlsx([[code(), '苏州繁忙测试有限公司', '盛泽镇', '其他产业']]);
    const before = await count(t.db, 'enterprises');
    const other = acquireImportSlot(limits);
    try {
      const busy = await importEnterprises(t.db, file, { actor: SYSTEM_ACTOR, read: { limits } }).catch((x: KaifangError) => x);
      expect(busy).toMatchObject({ code: 'import_busy', details: { limit: 1, setting: 'KAIFANG_IMPORTS_AT_ONCE' } });
      expect(await count(t.db, 'enterprises')).toBe(before);
    } finally {
      other.release();
    }
    expect((await importEnterprises(t.db, file, { actor: SYSTEM_ACTOR, read: { limits } })).created).toHaveLength(1);
    expect(importsRunning()).toBe(0);
  });

  it('says what is wrong with the file itself: not a workbook, a missing column, no rows', async () => {
    expect((await importEnterprises(t.db, Buffer.from('not a workbook'), { actor: SYSTEM_ACTOR }).catch((x) => x)).code).toBe('bad_file');
    const noClass = await refusal(readEnterpriseWorkbook(await xlsx([[code(), '某企业', '盛泽镇']], HEAD.slice(0, 3))));
    expect(noClass.errors.map((x) => [x.path, x.code])).toEqual([['columns.industryClass', 'missing_column']]);
    expect(noClass.errors[0].messageZh).toContain('产业类别');
    expect((await refusal(readEnterpriseWorkbook(await xlsx([])))).errors[0].code).toBe('empty_file');
    // English field names as headers work too
    const rows = await readEnterpriseWorkbook(await xlsx([[code(), '某企业', 'shengze', 'other']], ['uscc', 'name', 'areaId', 'industryClass']));
    expect(rows).toHaveLength(1);
  });

  it('exports the register in the import format, and the export imports into a fresh database unchanged', async () => {
    const { buffer, count: exported } = await exportEnterprisesWorkbook(t.db);
    const inDb = await t.db.selectFrom('enterprises').select(['uscc', 'name', 'area_id', 'industry_class']).execute();
    expect(exported).toBe(inDb.length);
    const read = await readEnterpriseWorkbook(buffer);
    const key = (x: { uscc: string; name: string; areaId: string; industryClass: string }) => `${x.uscc}|${x.name}|${x.areaId}|${x.industryClass}`;
    expect(read.map(key).sort()).toEqual(inDb.map((r) => key({ uscc: r.uscc, name: r.name, areaId: r.area_id, industryClass: r.industry_class })).sort());
    // The sheet shows the Chinese names officials read.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer as unknown as ExcelJS.Buffer);
    const ws = wb.getWorksheet('企业名录')!;
    expect(ws.getRow(1).values).toEqual([undefined, ...HEAD]);
    expect(['先导产业', '高新技术产业', '其他产业']).toContain(ws.getCell(2, 4).value);
    expect(ws.getCell(2, 3).value).toMatch(/街道|镇|区$/);
    expect(ws.getCell(2, 1).numFmt).toBe('@');
    // Into a fresh database: the same register.
    const fresh = await openDatabase({ dataDir: 'memory://', pgliteLoadDataDir: await migratedPGliteTemplate() });
    try {
      const { created } = await importEnterprises(fresh.db, buffer, { actor: SYSTEM_ACTOR, fileName: 'export.xlsx' });
      expect(created.map(key).sort()).toEqual(read.map(key).sort());
      const again = await exportEnterprisesWorkbook(fresh.db);
      expect((await readEnterpriseWorkbook(again.buffer)).map(key)).toEqual(read.map(key));
    } finally {
      await fresh.close();
    }
    // One area only
    const one = await exportEnterprisesWorkbook(t.db, { areaId: 'shengze' });
    expect(one.count).toBe(inDb.filter((r) => r.area_id === 'shengze').length);
    expect(one.count).toBeGreaterThan(0);
    expect((await readEnterpriseWorkbook(one.buffer)).every((r) => r.areaId === 'shengze')).toBe(true);
  });
});

describe('enterprise import template', () => {
  let template: Buffer;
  beforeAll(async () => {
    template = await enterpriseTemplateWorkbook();
  });

  it('has the headers, a text code column, drop-down lists and instructions, and no rows', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(template as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['企业名录', '选项', '填写说明']);
    const ws = wb.getWorksheet('企业名录')!;
    expect(ws.getRow(1).values).toEqual([undefined, ...HEAD]);
    expect(ws.getCell(2, 1).numFmt).toBe('@');
    expect(ws.getCell(2, 3).dataValidation).toMatchObject({ type: 'list' });
    expect(ws.getCell(2, 4).dataValidation).toMatchObject({ type: 'list' });
    expect((await refusal(readEnterpriseWorkbook(template))).errors[0].code).toBe('empty_file');
  });

  it('filled in, it imports', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(template as unknown as ExcelJS.Buffer);
    const ws = wb.getWorksheet('企业名录')!;
    const uscc = generateUscc({ random: seededRandom(7) });
    ws.getRow(2).values = [uscc, '苏州模板企业有限公司', '桃源镇', '其他产业'];
    const rows = await readEnterpriseWorkbook(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(rows).toEqual([{ row: 2, uscc, name: '苏州模板企业有限公司', areaId: 'taoyuan', industryClass: 'other' }]);
  });
});
