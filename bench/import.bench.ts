/**
 * npm run bench:import — what an Excel import costs before its limits stop it, the old way and the new, side by
 * side in one run on the same files:
 *   full     exceljs' `xlsx.load` of the whole workbook, then the row limit (how both importers read until issue 9)
 *   stream   src/excel/read-workbook.ts with the platform's default limits (KAIFANG_IMPORT_MAX_* unset)
 *   stream*  the same with the byte limit raised to 1 GiB, so that only the row limit stops it
 * on three files: 1,000 ordinary rows, a million small rows (8 MB holding 75 MB of XML), and a zip bomb (a sheet
 * of 256 MiB of one letter in a 0.3 MB file; the review's 1 GiB bomb costs the full path 1 GB and more).
 * Each measurement runs in a child process of its own, so that its peak memory (maxRSS) is its own; the figures
 * are milliseconds and the growth of the peak RSS over the child's RSS once the file is in memory, with the ratio
 * of the full path's figures to each streaming one. Last, eight imports of the million-row file at once in one
 * process (bytes allowed): KAIFANG_IMPORTS_AT_ONCE (2) read, the rest are answered import_busy at once.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { KaifangError } from '../src/errors.ts';
import { importLimits, newReadStats, readSheet, type ImportLimits } from '../src/excel/read-workbook.ts';
import { bombWorkbook, sheetWorkbook } from '../src/excel/test-workbooks.ts';

const MiB = 1024 * 1024;
const HEAD = ['统一社会信用代码', '企业名称', '所属区镇', '产业类别'];

interface Outcome {
  outcome: string;
  rows: number;
  ms: number;
  rssMb: number;
  peakGrowthMb: number;
}

const notAWorkbook = (reason: string) => new KaifangError({ code: 'invalid_xlsx', zh: reason, en: reason });
const noSheet = () => new KaifangError({ code: 'empty_workbook', zh: '', en: '' });

/** The old way: the whole workbook in memory, then the row limit. */
async function full(data: Buffer, limits: ImportLimits): Promise<{ outcome: string; rows: number }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as unknown as ExcelJS.Buffer);
  const ws = wb.worksheets[0];
  if (ws.rowCount - 1 > limits.maxRows) return { outcome: 'too_many_rows', rows: ws.rowCount };
  let rows = 0;
  ws.eachRow(() => rows++);
  return { outcome: 'read', rows };
}

/** The new way: the importers' reader, stopping at the row limit as the importers do. */
async function stream(data: Buffer, limits: ImportLimits): Promise<{ outcome: string; rows: number }> {
  const stats = newReadStats();
  try {
    await readSheet(data, { limits, stats, headerRows: 1, notAWorkbook, noSheet }, async (s) => {
      let data = 0;
      for await (const row of s.rows) if (row.number > 1 && ++data > limits.maxRows) throw new KaifangError({ code: 'too_many_rows', zh: '', en: '' });
    });
    return { outcome: 'read', rows: stats.rowsDelivered };
  } catch (e) {
    if (e instanceof KaifangError) return { outcome: e.code, rows: stats.rowsDelivered };
    throw e;
  }
}

async function child(mode: string, file: string): Promise<void> {
  const data = readFileSync(file);
  const defaults = importLimits();
  globalThis.gc?.();
  const rss = process.memoryUsage().rss;
  const t0 = performance.now();
  let result: { outcome: string; rows: number };
  if (mode === 'full') result = await full(data, defaults).catch((e: Error) => ({ outcome: `error ${e.name}`, rows: 0 }));
  else if (mode === 'stream') result = await stream(data, defaults);
  else if (mode === 'stream-bytes') result = await stream(data, { ...defaults, maxBytes: 1024 * MiB });
  else if (mode === 'eight') {
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => stream(data, { ...defaults, maxBytes: 1024 * MiB })));
    const count = new Map<string, number>();
    for (const o of outcomes) count.set(o.outcome, (count.get(o.outcome) ?? 0) + 1);
    result = { outcome: [...count].map(([k, n]) => `${n}× ${k}`).join(', '), rows: outcomes.reduce((a, o) => a + o.rows, 0) };
  } else throw new Error(`unknown mode ${mode}`);
  const ms = performance.now() - t0;
  const peak = process.resourceUsage().maxRSS * 1024;
  const out: Outcome = { ...result, ms, rssMb: rss / MiB, peakGrowthMb: Math.max(0, peak - rss) / MiB };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function run(mode: string, file: string): Outcome {
  const self = fileURLToPath(import.meta.url);
  const stdout = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Outcome;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-bench-import-'));
  try {
    const files: Array<[string, string]> = [];
    const put = (name: string, data: Buffer) => {
      const f = path.join(dir, `${name}.xlsx`);
      writeFileSync(f, data);
      files.push([name, f]);
      return data.length;
    };
    const sizes = new Map<string, number>();
    sizes.set('1,000 rows', put('1,000 rows', await sheetWorkbook('企业名录', HEAD, 1000, (n) => [String(913205000000000000 + n), `苏州测试${n}有限公司`, '盛泽镇', '其他产业'])));
    sizes.set('1M rows', put('1M rows', await sheetWorkbook('企业名录', HEAD, 1_000_000, (n) => [String(n)])));
    sizes.set('bomb 256 MiB', put('bomb 256 MiB', bombWorkbook('企业名录', 256)));

    const fmt = (n: number, d = 0) => n.toFixed(d).padStart(8);
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`.padStart(10);
    console.log(`${'file'.padEnd(14)} ${'size'.padStart(10)} ${'path'.padEnd(8)} ${'outcome'.padEnd(20)} ${'rows'.padStart(8)} ${'ms'.padStart(8)} ${'+MB'.padStart(8)}  time×  memory×`);
    for (const [name, file] of files) {
      const base = run('full', file);
      const line = (mode: string, o: Outcome, ratio: boolean) =>
        console.log(
          `${name.padEnd(14)} ${kb(sizes.get(name) ?? 0)} ${mode.padEnd(8)} ${o.outcome.padEnd(20)} ${fmt(o.rows)} ${fmt(o.ms)} ${fmt(o.peakGrowthMb, 1)}` +
            (ratio ? `  ${(base.ms / o.ms).toFixed(1).padStart(5)}  ${(base.peakGrowthMb / Math.max(1, o.peakGrowthMb)).toFixed(1).padStart(7)}` : ''),
        );
      line('full', base, false);
      line('stream', run('stream', file), true);
      line('stream*', run('stream-bytes', file), true);
    }
    const eight = run('eight', files[1][1]);
    console.log(`\n8 imports of the 1M-row file at once, bytes allowed: ${eight.outcome}; ${eight.rows} rows read in all, ${eight.ms.toFixed(0)} ms, +${eight.peakGrowthMb.toFixed(1)} MB`);
    console.log('(time× and memory×: the full path\'s figure divided by this one; memory growth under 1 MB counts as 1 MB)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf('--child');
if (at >= 0) await child(process.argv[at + 1], process.argv[at + 2]);
else await main();
