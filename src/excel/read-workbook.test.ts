// The shared reader of Excel imports: a workbook's zip is checked before anything is inflated, the sheet is read
// row by row and no further than the caller reads, and only so many imports read at once.
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { KaifangError, ValidationError } from '../errors.ts';
import { failure } from '../test-support.ts';
import { acquireImportSlot, importLimits, importsRunning, MAX_RATIO, MAX_ZIP_ENTRIES, newReadStats, readSheet, type ImportLimits, type ReadSheetOptions, type SheetRows } from './read-workbook.ts';
import { bombWorkbook, bookParts, part, sheetWorkbook, streamedPart, zip } from './test-workbooks.ts';

const MiB = 1024 * 1024;
const LIMITS: ImportLimits = { maxRows: 10_000, maxBytes: 64 * MiB, atOnce: 2 };
const opts = (extra: Partial<ReadSheetOptions> = {}): ReadSheetOptions => ({
  limits: LIMITS,
  headerRows: 1,
  notAWorkbook: (reason) => new KaifangError({ code: 'not_a_workbook', zh: '不是工作簿', en: `not a workbook: ${reason}`, path: 'file' }),
  noSheet: () => new KaifangError({ code: 'no_sheet', zh: '没有工作表', en: 'no sheet', path: 'file' }),
  ...extra,
});

/** Every row's cell values, as an importer would read them. */
const allRows = async (s: SheetRows) => {
  const out: Array<{ row: number; values: unknown[] }> = [];
  for await (const row of s.rows) out.push({ row: row.number, values: (row.values as unknown[]).slice(1) });
  return out;
};

/** The ValidationError's one error. */
const only = (e: KaifangError) => {
  expect(e).toBeInstanceOf(ValidationError);
  expect((e as ValidationError).errors).toHaveLength(1);
  return (e as ValidationError).errors[0];
};

/** Chinese names of 1 to 40 characters: the inflated stream splits some of their 3-byte characters between chunks. */
const name = (n: number) => `苏州吴江${'测试丝绸光缆'.repeat(1 + (n % 6))}有限公司${n}`;

describe('reading a sheet', () => {
  it('reads every row of a workbook exceljs wrote — text, numbers, dates by their format, Chinese split across chunks — and the named sheet', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('说明').addRow(['这不是数据']);
    const ws = wb.addWorksheet('企业名录');
    ws.addRow(['名称', '数量', '日期']);
    for (let n = 1; n <= 3000; n++) ws.addRow([name(n), n, new Date(Date.UTC(2020, 4, 20))]);
    ws.getColumn(3).numFmt = 'yyyy-mm-dd';
    const file = Buffer.from(await wb.xlsx.writeBuffer());

    const stats = newReadStats();
    const rows = await readSheet(file, opts({ sheet: '企业名录', stats }), async (s) => {
      expect(s.name).toBe('企业名录');
      return allRows(s);
    });
    expect(rows).toHaveLength(3001);
    expect(rows[0]).toEqual({ row: 1, values: ['名称', '数量', '日期'] });
    for (let n = 1; n <= 3000; n++) {
      const r = rows[n];
      expect(r.row).toBe(n + 1);
      expect(r.values[0]).toBe(name(n));
      expect(r.values[1]).toBe(n);
      expect(r.values[2]).toEqual(new Date(Date.UTC(2020, 4, 20)));
    }
    // the guide sheet was never inflated
    expect(stats.partsRead.filter((p) => p.startsWith('xl/worksheets/'))).toHaveLength(1);
    // without the name: the first sheet
    expect(await readSheet(file, opts({ sheet: '案件' }), async (s) => [s.name, (await allRows(s)).length])).toEqual(['说明', 1]);
  });

  it('refuses a cell with a character no text may hold, naming the row and column, before the importer sees the row', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('企业名录');
    ws.addRow(['名称', '说明']);
    ws.addRow(['吴江丝绸有限公司', '第一行\n第二行']); // a line break inside a cell (Alt+Enter) is text
    ws.addRow(['吴江\u202Efdp.exe', '']); // a right-to-left override that makes the name read backwards
    ws.addRow(['吴江光缆有限公司', { richText: [{ text: '正常' }, { text: '\u0000' }] }]);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const seen: number[] = [];
    const e = await failure(readSheet(file, opts(), async (sheet) => {
      for await (const row of sheet.rows) seen.push(row.number);
    }));
    expect((e as ValidationError).errors.map((x) => [x.path, x.code])).toEqual([['rows[3].A', 'bad_characters']]);
    expect(e.messageZh).toContain('U+202E');
    expect(seen).toEqual([1, 2]); // the bad row never reached the importer
    // rich text is read run by run: a zero-width space hidden in the second run is found
    const hidden = new ExcelJS.Workbook();
    hidden.addWorksheet('x').addRow([{ richText: [{ text: '正常' }, { text: '文字\u200B' }] }]);
    const e2 = await failure(readSheet(Buffer.from(await hidden.xlsx.writeBuffer()), opts({ headerRows: 0 }), allRows));
    expect((e2 as ValidationError).errors.map((x) => x.path)).toEqual(['rows[1].A']);
  });

  it('refuses what is not a workbook, and a workbook without sheets, in the words of the importer', async () => {
    expect((await failure(readSheet(Buffer.from('not a workbook'), opts(), allRows))).code).toBe('not_a_workbook');
    expect((await failure(readSheet(zip([part('hello.txt', 'hi')]), opts(), allRows))).code).toBe('not_a_workbook');
    const noSheets = zip([
      part('xl/workbook.xml', '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>'),
      part('xl/_rels/workbook.xml.rels', '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'),
    ]);
    expect((await failure(readSheet(noSheets, opts(), allRows))).code).toBe('no_sheet');
    const brokenXml = zip(bookParts('Sheet1', [part('xl/worksheets/sheet1.xml', '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></nope>')]));
    expect((await failure(readSheet(brokenXml, opts(), allRows))).code).toBe('not_a_workbook');
  });
});

describe('a million-row sheet', () => {
  let million: Buffer;
  beforeAll(async () => {
    // about 8 MB holding 77 MB of XML: the review's "5 MB file of 1M small rows"
    million = await sheetWorkbook('Sheet1', ['编号'], 1_000_000, (n) => [String(n)]);
  }, 60_000);

  it('is refused from the zip directory alone when its sheet declares more than the byte limit', async () => {
    const stats = newReadStats();
    const e = only(await failure(readSheet(million, opts({ stats }), allRows)));
    expect(e).toMatchObject({ code: 'workbook_too_large', path: 'file', details: { limit: 64 * MiB, setting: 'KAIFANG_IMPORT_MAX_BYTES', part: 'xl/worksheets/sheet1.xml' } });
    expect(e.messageZh).toContain('64 MB');
    expect(e.messageEn).toContain('64 MB');
    expect(stats.partsRead).not.toContain('xl/worksheets/sheet1.xml');
    expect(stats.bytesInflated).toBeLessThan(2048);
  });

  it('under a larger byte limit, is read no further than the caller reads: the rest is neither inflated nor parsed', async () => {
    const stats = newReadStats();
    const limits = { ...LIMITS, maxBytes: 256 * MiB };
    // an importer stopping at its limit, as both importers do
    const e = only(
      await failure(
        readSheet(million, opts({ stats, limits }), async (s) => {
          let data = 0;
          for await (const row of s.rows) if (row.number > 1 && ++data > limits.maxRows) throw new ValidationError([new KaifangError({ code: 'too_many_rows', zh: '行数过多', en: 'too many rows' })]);
        }),
      ),
    );
    expect(e.code).toBe('too_many_rows');
    expect(stats.rowsDelivered).toBe(limits.maxRows + 2);
    // 10,002 of 1,000,001 rows: a few hundred KB of the sheet's 77 MB
    expect(stats.bytesInflated).toBeLessThan(2 * MiB);
    expect(importsRunning()).toBe(0);
  });

  it('stops a caller that reads on regardless at the row limit and the rows allowed above the data', async () => {
    const stats = newReadStats();
    const limits = { ...LIMITS, maxBytes: 256 * MiB, maxRows: 500 };
    const e = only(await failure(readSheet(million, opts({ stats, limits, headerRows: 10 }), allRows)));
    expect(e).toMatchObject({ code: 'too_many_rows', path: 'file', details: { limit: 500, setting: 'KAIFANG_IMPORT_MAX_ROWS' } });
    expect(e.messageZh).toContain('500 行');
    expect(stats.rowsDelivered).toBe(511);
    expect(stats.bytesInflated).toBeLessThan(MiB);
  });
});

describe('zip bombs and other crafted files', () => {
  it('refuses a 1 MB file whose sheet inflates to 1 GB before inflating any of it', async () => {
    const bomb = bombWorkbook('Sheet1', 1024);
    expect(bomb.length).toBeLessThan(1.1 * MiB);
    const stats = newReadStats();
    const e = only(await failure(readSheet(bomb, opts({ stats }), allRows)));
    expect(e).toMatchObject({ code: 'workbook_too_large', details: { part: 'xl/worksheets/sheet1.xml' } });
    expect((e.details as { declaredBytes: number }).declaredBytes).toBeGreaterThan(1024 * MiB);
    expect(stats.partsRead).not.toContain('xl/worksheets/sheet1.xml');

    // Allowed any size, its compression still gives it away.
    const lax = newReadStats();
    const ratio = only(await failure(readSheet(bomb, opts({ stats: lax, limits: { ...LIMITS, maxBytes: 2048 * MiB } }), allRows)));
    expect(ratio).toMatchObject({ code: 'suspicious_compression', details: { part: 'xl/worksheets/sheet1.xml', limit: MAX_RATIO } });
    expect(lax.partsRead).not.toContain('xl/worksheets/sheet1.xml');
  });

  it('stops a bomb whose directory lies about its size at the size it declared', async () => {
    const stats = newReadStats();
    const liar = bombWorkbook('Sheet1', 1024, 10_000);
    expect((await failure(readSheet(liar, opts({ stats }), allRows))).code).toBe('not_a_workbook');
    // one inflated chunk past the declared 10,000 bytes, not 1 GB
    expect(stats.bytesInflated).toBeLessThan(100_000);
  });

  it('counts what it inflates against the byte limit, all parts together', async () => {
    // two honest parts of 0.6 MB each (text that does not compress much), under a limit of 1 MB
    let seed = 7;
    const noise = (n: number) => Array.from({ length: n }, () => ((seed = (seed * 48271) % 2147483647), String.fromCharCode(0x4e00 + (seed % 2000)))).join('');
    const strings = await streamedPart('xl/sharedStrings.xml', [`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>${noise(200_000)}</t></si></sst>`]);
    const sheet = await streamedPart('xl/worksheets/sheet1.xml', [`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>${noise(200_000)}</t></is></c></row></sheetData></worksheet>`]);
    const both = zip(bookParts('Sheet1', [strings, sheet]));
    const limits = { ...LIMITS, maxBytes: MiB };
    expect(both.length).toBeLessThan(limits.maxBytes);
    const stats = newReadStats();
    const e = only(await failure(readSheet(both, opts({ limits, stats }), allRows)));
    expect(e).toMatchObject({ code: 'workbook_too_large', details: { part: 'xl/worksheets/sheet1.xml', declaredBytes: sheet.size } });
    expect(stats.partsRead).not.toContain('xl/sharedStrings.xml');
    // the sheet alone is read
    expect(await readSheet(zip(bookParts('Sheet1', [sheet])), opts({ limits }), async (s) => (await allRows(s)).length)).toBe(1);
  });

  it('refuses a file larger than the byte limit, and a zip of more entries than a workbook has, before reading entries', async () => {
    const file = await sheetWorkbook('Sheet1', ['编号'], 100, (n) => [String(n)]);
    expect(only(await failure(readSheet(file, opts({ limits: { ...LIMITS, maxBytes: file.length - 1 } }), allRows)))).toMatchObject({ code: 'workbook_too_large', details: { fileBytes: file.length } });
    expect(await readSheet(file, opts({ limits: { ...LIMITS, maxBytes: file.length * 20 } }), async (s) => (await allRows(s)).length)).toBe(101);

    const many = zip([...bookParts('Sheet1'), ...Array.from({ length: MAX_ZIP_ENTRIES }, (_, i) => part(`xl/media/x${i}.txt`, ''))]);
    expect(only(await failure(readSheet(many, opts(), allRows)))).toMatchObject({ code: 'too_many_zip_entries', details: { limit: MAX_ZIP_ENTRIES } });
  });
});

describe('imports at once', () => {
  it('refuses one more than KAIFANG_IMPORTS_AT_ONCE with import_busy, uses a place handed to it, and frees its place however the read ends', async () => {
    const file = await sheetWorkbook('Sheet1', ['编号'], 3, (n) => [String(n)]);
    const rows = async (s: SheetRows) => (await allRows(s)).length;
    const limits = { ...LIMITS, atOnce: 2 };
    const held = [acquireImportSlot(limits), acquireImportSlot(limits)];
    expect(importsRunning()).toBe(2);
    const busy = await failure(readSheet(file, opts({ limits }), rows));
    expect(busy).toMatchObject({ code: 'import_busy', details: { limit: 2, setting: 'KAIFANG_IMPORTS_AT_ONCE', retryAfterSeconds: 5 } });
    expect(busy.messageZh).toContain('同时最多 2 个');
    expect((await failure(Promise.resolve().then(() => acquireImportSlot(limits)))).code).toBe('import_busy');
    // a route that took its place before reading the upload reads with it
    expect(await readSheet(file, opts({ limits, slot: held[0] }), rows)).toBe(4);
    expect(importsRunning()).toBe(2);
    held[0].release();
    held[0].release(); // twice is harmless
    expect(importsRunning()).toBe(1);
    expect(await readSheet(file, opts({ limits }), rows)).toBe(4);
    expect(importsRunning()).toBe(1);
    held[1].release();

    // freed after a refusal of the file and after the caller's own error
    await failure(readSheet(Buffer.from('nope'), opts({ limits }), rows));
    await expect(
      readSheet(file, opts({ limits }), async () => {
        throw new Error('the caller failed');
      }),
    ).rejects.toThrow('the caller failed');
    expect(importsRunning()).toBe(0);
  });

  it('takes its limits from the platform settings', () => {
    expect(importLimits({ importMaxRows: 7, importMaxBytes: 8, importsAtOnce: 9 })).toEqual({ maxRows: 7, maxBytes: 8, atOnce: 9 });
    expect(importLimits()).toEqual({ maxRows: 10_000, maxBytes: 64 * MiB, atOnce: 2 });
  });
});
