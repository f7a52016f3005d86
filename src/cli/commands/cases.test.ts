import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/open.ts';
import { createScratchDatabase, describeDatabases, migratedPGliteTemplate, type ScratchDatabase } from '../../db/test-databases.ts';
import { createCaseBook } from '../../service-limits/case-book.ts';
import { CASE_SHEET, TEMPLATE_HEADERS } from '../../service-limits/excel.ts';
import { CliError } from '../cli-error.ts';
import { describeError, importCommand, register, reportCommand } from './cases.ts';
import { runCommand } from '../test-cli.ts';
import { failure } from '../../test-support.ts';

const bin = fileURLToPath(new URL('../../../bin/kaifang.js', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-cases-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kaifang = (args: string[]) => runCommand(register, args);

async function fill(template: string, out: string, rows: Array<Partial<Record<(typeof TEMPLATE_HEADERS)[number], ExcelJS.CellValue>>>) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(template);
  const ws = wb.getWorksheet(CASE_SHEET)!;
  rows.forEach((r, i) => {
    for (const [h, v] of Object.entries(r)) ws.getRow(i + 2).getCell(TEMPLATE_HEADERS.indexOf(h as never) + 1).value = v;
  });
  await wb.xlsx.writeFile(out);
}

it('kaifang cases template writes the template (as a real `kaifang` process)', async () => {
  const out = path.join(dir, 'template.xlsx');
  const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(process.execPath, [bin, 'cases', 'template', '--out', out], { timeout: 60_000 }, (err, stdout) => resolve({ code: err ? 1 : 0, stdout }));
  });
  expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('template written') });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(out);
  expect((wb.getWorksheet(CASE_SHEET)!.getRow(1).values as unknown[]).slice(1)).toEqual([...TEMPLATE_HEADERS]);
});

const ROWS = [
  { 事项: '用水报装（无增设管线的）', 受理编号: 'CLI-1', 办理对象: '甲企业', 办理部门: '区水务局', 受理日期: '2020-01-20', 补正开始: '2020-01-22', 补正结束: '2020-02-04', 办结日期: '2020-02-07' },
  { 事项: '企业开办', 受理编号: 'CLI-2', 办理对象: '乙企业', 受理日期: '2020-05-20', 办结日期: '2020-05-21' },
];

async function caseList(file: string): Promise<Map<string, ExcelJS.Row>> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
  const list = wb.getWorksheet('案件清单')!;
  const byRef = new Map<string, ExcelJS.Row>();
  for (let r = 2; r <= list.rowCount; r++) byRef.set(String(list.getRow(r).getCell(1).value), list.getRow(r));
  return byRef;
}

let templateFile: string | undefined;
async function template(): Promise<string> {
  templateFile ??= path.join(dir, 'template-in-process.xlsx');
  expect((await kaifang(['cases', 'template', '--out', templateFile])).code).toBe(0);
  return templateFile;
}

describeDatabases('kaifang cases import/report', (t) => {
  it('refuses a sheet with a bad row (storing nothing), imports a good one, writes the report', async () => {
    const book = createCaseBook(t.db);
    const bad = path.join(dir, `${t.kind}-bad.xlsx`);
    const good = path.join(dir, `${t.kind}-good.xlsx`);
    await fill(await template(), bad, [...ROWS, { 事项: '企业开办', 受理编号: 'CLI-3', 办理对象: '丙企业', 受理日期: '2020-05-20', 办结日期: '2020-05-19' }]);
    await fill(await template(), good, ROWS);

    const rejected = await failure(importCommand(book, bad));
    const text = describeError(rejected);
    expect(text).toContain('第4行「办结日期」');
    expect(text).toContain('[event_before_acceptance]');
    expect(await importCommand(book, good, { dryRun: true })).toContain('checked, nothing stored: 2 行 rows — 新增 created 2');
    // had the bad sheet or the dry run stored anything, these would be unchanged
    expect(await importCommand(book, good)).toContain('created 2');
    expect(await importCommand(book, good)).toContain('unchanged 2');

    const report = path.join(dir, `${t.kind}-report.xlsx`);
    expect(await reportCommand(book, { asOf: '2020-12-31', out: report })).toContain('report written');
    const rows = await caseList(report);
    // suspended over the Spring Festival and finished a day after the pushed due date: late
    expect(rows.get('CLI-1')!.getCell(8).value).toEqual(new Date(Date.UTC(2020, 1, 6)));
    expect(rows.get('CLI-1')!.getCell(15).value).toBe('是');
    expect(rows.get('CLI-2')!.getCell(15).value).toBe('否');

    expect((await failure(importCommand(book, path.join(dir, 'text.xlsx'), {}, Buffer.from('not a workbook')))).code).toBe('invalid_xlsx');
    await expect(importCommand(book, good, { user: 'nobody' })).rejects.toThrow(new CliError('no active user nobody'));
  });
});

describe('kaifang cases (the command line)', () => {
  it('checks options before opening any database', async () => {
    const never = path.join(dir, 'never-created');
    const badDate = await kaifang(['cases', 'report', '--as-of', '2020-02-30', '--out', path.join(dir, 'r.xlsx'), '--data-dir', never]);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--as-of: ');
    expect((await kaifang(['cases', 'report', '--out', path.join(dir, 'x.csv'), '--data-dir', never])).code).toBe(2);
    expect(await kaifang(['cases', 'import', path.join(dir, 'nope.xlsx'), '--data-dir', never])).toMatchObject({ code: 1, stderr: expect.stringContaining('cannot read') });
    expect(existsSync(never)).toBe(false);
  });

  it('refuses a file past KAIFANG_IMPORT_MAX_BYTES before reading it or opening any database', async () => {
    const never = path.join(dir, 'never-created');
    const big = path.join(dir, 'big.xlsx');
    writeFileSync(big, Buffer.alloc(2001));
    const saved = process.env.KAIFANG_IMPORT_MAX_BYTES;
    process.env.KAIFANG_IMPORT_MAX_BYTES = '2000';
    try {
      const run = await kaifang(['cases', 'import', big, '--data-dir', never]);
      expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('[workbook_too_large]') });
      expect(run.stderr).toContain('2000');
    } finally {
      if (saved === undefined) delete process.env.KAIFANG_IMPORT_MAX_BYTES;
      else process.env.KAIFANG_IMPORT_MAX_BYTES = saved;
    }
    expect(existsSync(never)).toBe(false);
  });

  it('imports into and reports from a PGlite data folder', async () => {
    const dataDir = path.join(dir, 'db');
    // start from a migrated cluster: initdb and migrations in a fresh folder take many seconds
    const seed = await openDatabase({ dataDir, pgliteLoadDataDir: await migratedPGliteTemplate() });
    await seed.close();
    const good = path.join(dir, 'disk-good.xlsx');
    await fill(await template(), good, ROWS);
    expect(await kaifang(['cases', 'import', good, '--data-dir', dataDir])).toMatchObject({ code: 0, stdout: expect.stringContaining('created 2') });
    const report = path.join(dir, 'disk-report.xlsx');
    expect((await kaifang(['cases', 'report', '--as-of', '2020-12-31', '--out', report, '--data-dir', dataDir])).code).toBe(0);
    expect([...(await caseList(report)).keys()].sort()).toEqual(['CLI-1', 'CLI-2']);
  });
});

const serverUrl = process.env.DATABASE_URL;
describe.skipIf(!serverUrl)(serverUrl ? 'kaifang cases (the command line) · PostgreSQL' : 'kaifang cases (the command line) · PostgreSQL (skipped: DATABASE_URL not set)', () => {
  let scratch: ScratchDatabase | undefined;
  afterAll(() => scratch?.drop());

  it('imports into and reports from a server given by --database-url', async () => {
    scratch = await createScratchDatabase(serverUrl!);
    const good = path.join(dir, 'server-good.xlsx');
    await fill(await template(), good, ROWS);
    expect(await kaifang(['cases', 'import', good, '--database-url', scratch.url])).toMatchObject({ code: 0, stdout: expect.stringContaining('created 2') });
    const report = path.join(dir, 'server-report.xlsx');
    expect((await kaifang(['cases', 'report', '--as-of', '2020-12-31', '--out', report, '--database-url', scratch.url])).code).toBe(0);
    expect([...(await caseList(report)).keys()].sort()).toEqual(['CLI-1', 'CLI-2']);
  });
});
