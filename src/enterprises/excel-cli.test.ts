// The data commands (src/cli/commands/data.ts) against a PGlite data folder: the commands run in this process
// (as src/cli/main.ts runs them); one run of the real `kaifang` process proves the wiring and the exit code.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open.ts';
import { migratedPGliteTemplate } from '../db/test-databases.ts';
import { register } from '../cli/commands/data.ts';
import { generateUscc, seededRandom } from './uscc.ts';
import { readEnterpriseWorkbook } from './excel.ts';
import { kaifangProcess as runProcess, runCommand } from '../cli/test-cli.ts';

const kaifangProcess = (args: string[]) => runProcess(args, 120_000);

const kaifang = (args: string[]) => runCommand(register, args);

/** A migrated PGlite data folder, from the cached template (no initdb in the test). */
async function dataFolder(dir: string): Promise<string> {
  const opened = await openDatabase({ dataDir: dir, pgliteLoadDataDir: await migratedPGliteTemplate() });
  await opened.close();
  return dir;
}

async function cellsOf(file: string): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(file) as unknown as ExcelJS.Buffer);
  const out: string[] = [];
  wb.worksheets[0].eachRow((row) => out.push((row.values as unknown[]).map((v) => String(v ?? '')).join('|')));
  return out.join('\n');
}

describe('kaifang import / export / demo seed', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kaifang-data-cli-'));
  const f = (name: string) => path.join(tmp, name);
  let seeded: string;
  let empty: string;
  beforeAll(async () => {
    seeded = await dataFolder(f('seeded'));
    empty = f('empty');
    cpSync(seeded, empty, { recursive: true }); // a closed PGlite folder is plain files

  }, 240_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('seeds the demo once, prints the accounts, and exports the 公示 and payment lists', async () => {
    const first = await kaifang(['demo', 'seed', '--data-dir', seeded]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('kaifang2020!');
    expect(first.stdout).toMatch(/dept-industry\s+部门审核/);
    const second = await kaifang(['demo', 'seed', '--data-dir', seeded, '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ seeded: false });

    expect((await kaifang(['export', 'publicity', '1', f('pub.xlsx'), '--data-dir', seeded])).stdout).toContain('2020年度科技创新券');
    expect(await cellsOf(f('pub.xlsx'))).toContain('拟奖励金额（元）');
    const paid = await kaifang(['export', 'payments', f('paid.xlsx'), '--status', 'paid', '--data-dir', seeded]);
    expect(paid.stdout).toMatch(/exported 8 paid payment/);
    expect(await cellsOf(f('paid.xlsx'))).toMatch(/记-\d{8}-001/);
    expect((await kaifang(['export', 'payments', f('awaiting.xlsx'), '--data-dir', seeded])).code).toBe(0);
    expect((await kaifang(['export', 'payments', f('x.xlsx'), '--status', 'later', '--data-dir', seeded])).stderr).toContain('--status');
    expect((await kaifang(['export', 'publicity', '999', f('x.xlsx'), '--data-dir', seeded])).stderr).toContain('not_found');
    expect((await kaifang(['export', 'enterprises', f('x.xlsx'), '--data-dir', f('nowhere')])).stderr).toContain('no PGlite database');

    const ent = await kaifang(['export', 'enterprises', f('enterprises.xlsx'), '--data-dir', seeded]);
    expect(ent.stdout).toMatch(/exported 30 enterprise/);
    expect(await readEnterpriseWorkbook(readFileSync(f('enterprises.xlsx')))).toHaveLength(30);
  }, 240_000);

  it('imports an export into another database; the kaifang process refuses a bad file naming the row', async () => {
    const ok = await kaifang(['import', 'enterprises', f('enterprises.xlsx'), '--data-dir', empty]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/imported 30 enterprise/);

    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('企业名录');
    ws.addRow(['统一社会信用代码', '企业名称', '所属区镇', '产业类别']);
    ws.addRow([generateUscc({ random: seededRandom(99) }), '苏州好企业有限公司', '盛泽镇', '先导产业']);
    ws.addRow(['91320509MA1XK7C3X1', '苏州坏代码有限公司', '盛泽镇', '先导产业']);
    await wb.xlsx.writeFile(f('bad.xlsx'));
    const bad = await kaifangProcess(['import', 'enterprises', f('bad.xlsx'), '--data-dir', empty]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('未写入任何数据');
    expect(bad.stderr).toContain('第3行「统一社会信用代码」');
    expect(bad.stderr).toContain('row 3, column 统一社会信用代码');

    // Still exactly the 30 imported: the good row of the bad file was not stored either.
    expect((await kaifang(['export', 'enterprises', f('after.xlsx'), '--data-dir', empty])).stdout).toMatch(/exported 30 enterprise/);
  }, 240_000);
});

describe('kaifang import enterprises: a file past KAIFANG_IMPORT_MAX_BYTES', () => {
  it('is refused before it is read or any database is opened', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'kaifang-import-size-'));
    const saved = process.env.KAIFANG_IMPORT_MAX_BYTES;
    try {
      writeFileSync(path.join(tmp, 'big.xlsx'), Buffer.alloc(2001));
      process.env.KAIFANG_IMPORT_MAX_BYTES = '2000';
      const never = path.join(tmp, 'never-created');
      const run = await kaifang(['import', 'enterprises', path.join(tmp, 'big.xlsx'), '--data-dir', never]);
      expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('[workbook_too_large]') });
      expect(run.stderr).toContain('导入上限');
      expect(existsSync(never)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.KAIFANG_IMPORT_MAX_BYTES;
      else process.env.KAIFANG_IMPORT_MAX_BYTES = saved;
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
