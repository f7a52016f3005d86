// kaifang cases template|import|report: service cases against the time limits of measures 22–25, in Excel.
//   kaifang cases template --out FILE.xlsx
//   kaifang cases import FILE.xlsx [--dry-run] [--user USERNAME]
//   kaifang cases report [--as-of DATE] [--from DATE] [--to DATE] [--year YYYY] --out FILE.xlsx
// The database is the one `openDatabase()` picks (--database-url, --data-dir, $DATABASE_URL, $KAIFANG_DATA_DIR).
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { AuditActor } from '../../audit/audit-log.ts';
import { openDatabase, DEFAULT_DATA_DIR, type OpenedDatabase } from '../../db/open.ts';
import { sealAuditChain } from '../../audit/audit-log.ts';
import { KaifangError, ValidationError } from '../../errors.ts';
import { importLimits, tooLarge } from '../../excel/read-workbook.ts';
import { createCaseBook, policyTables, type CaseBook } from '../../service-limits/case-book.ts';
import type { CaseWriter, ComplianceQuery } from '../../service-limits/case-store.ts';
import { caseTemplateWorkbook, complianceWorkbook, importCasesFromXlsx } from '../../service-limits/excel.ts';
import { parseCivilDate } from '../../civil-date.ts';
import { CliError } from '../cli-error.ts';

interface DbOptions {
  databaseUrl?: string;
  dataDir?: string;
}

const CLI_ACTOR: AuditActor = Object.freeze({ userId: null, name: 'cli' });

const OPTION_OF: Record<string, string> = { asOf: '--as-of', acceptedFrom: '--from', acceptedTo: '--to', year: '--year' };

/** Every problem on its own line, in Chinese and English; row errors already name their row and column. */
export function describeError(e: KaifangError): string {
  const list = e instanceof ValidationError ? e.errors : [e];
  const lines = list.map((x) => {
    const where = x.path && !x.path.startsWith('row[') ? `${OPTION_OF[x.path] ?? x.path}: ` : '';
    return `  ${where}${x.messageZh}\n  ${where}${x.messageEn} [${x.code}]`;
  });
  return `${list.length} 处错误 / ${list.length} problem(s):\n${lines.join('\n')}`;
}

async function withBook<T>(opts: DbOptions, fn: (book: CaseBook) => Promise<T>): Promise<T> {
  let opened: OpenedDatabase;
  try {
    opened = await openDatabase({ url: opts.databaseUrl, dataDir: opts.dataDir });
  } catch (e) {
    throw new CliError(`cannot open the database: ${(e as Error).message}`);
  }
  try {
    const result = await fn(createCaseBook(opened.db));
    await sealAuditChain(opened.db); // what this command wrote is chained before it exits
    return result;
  } catch (e) {
    if (e instanceof KaifangError) throw new CliError(describeError(e), 2);
    throw e;
  } finally {
    await opened.close();
  }
}

/** The writer named by --user (a department reviewer or an admin), or the command line itself. */
async function writerFor(book: CaseBook, username: string | undefined): Promise<CaseWriter> {
  if (username === undefined) return { actor: CLI_ACTOR, department: null };
  const user = await book.db.selectFrom('users').selectAll().where('username', '=', username.trim().toLowerCase()).executeTakeFirst();
  if (!user || user.disabled_at) throw new CliError(`no active user ${username}`);
  if (user.role !== 'departmentReviewer' && user.role !== 'admin') {
    throw new CliError(`${username} is a ${user.role}: only department reviewers and admins record service cases`);
  }
  return { actor: { userId: user.id, name: user.username, ip: null }, department: user.role === 'departmentReviewer' ? user.department_id : null };
}

function withDbOptions(cmd: Command): Command {
  return cmd
    .option('--database-url <url>', 'PostgreSQL server (default: $DATABASE_URL)')
    .option('--data-dir <dir>', `PGlite data folder (default: $KAIFANG_DATA_DIR or ${DEFAULT_DATA_DIR})`);
}

function outFile(out: string | undefined): string {
  if (!out) throw new CliError('--out FILE.xlsx is required', 2);
  if (!out.toLowerCase().endsWith('.xlsx')) throw new CliError(`--out: ${out} should end in .xlsx`, 2);
  return path.resolve(out);
}

function readXlsx(file: string): Buffer {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
  // A file past the import's byte limit is refused before it is read into memory (the importer would refuse it).
  const { maxBytes } = importLimits();
  if (size > maxBytes) throw new CliError(describeError(tooLarge(maxBytes, { fileBytes: size })));
  try {
    return readFileSync(file);
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

/** `kaifang cases import`: what it prints. Errors: CliError (file) or KaifangError (sheet, rows). */
export async function importCommand(book: CaseBook, file: string, opts: { dryRun?: boolean; user?: string } = {}, data = readXlsx(file)): Promise<string> {
  const result = await importCasesFromXlsx(book, await writerFor(book, opts.user), data, { dryRun: opts.dryRun, fileName: path.basename(file) });
  const verb = result.dryRun ? '检查通过（未导入）/ checked, nothing stored' : '已导入 / imported';
  return (
    `${verb}: ${result.rows} 行 rows — 新增 created ${result.created}, 追加事件 updated ${result.updated}, 无变化 unchanged ${result.unchanged}\n` +
    (result.ignoredColumns.length ? `未读取的列 / columns not read: ${result.ignoredColumns.join(', ')}\n` : '')
  );
}

export interface ReportOptions {
  asOf?: string;
  from?: string;
  to?: string;
  year?: string;
  out: string;
}

/** Checks the options of `kaifang cases report` before any database is opened. */
export function checkReportOptions(opts: ReportOptions): { file: string; query: ComplianceQuery } {
  const file = outFile(opts.out);
  const date = (value: string | undefined, option: string) => {
    if (value === undefined) return undefined;
    try {
      return parseCivilDate(value, option);
    } catch (e) {
      throw new CliError(describeError(e as KaifangError), 2);
    }
  };
  if (opts.year !== undefined && !/^\d{4}$/.test(opts.year)) throw new CliError(`--year: ${opts.year} is not a year`, 2);
  return {
    file,
    query: { asOf: date(opts.asOf, '--as-of'), acceptedFrom: date(opts.from, '--from'), acceptedTo: date(opts.to, '--to'), year: opts.year === undefined ? undefined : Number(opts.year) },
  };
}

/** `kaifang cases report`: writes the workbook and says where. */
export async function reportCommand(book: CaseBook, opts: ReportOptions): Promise<string> {
  const { file, query } = checkReportOptions(opts);
  writeFileSync(file, await complianceWorkbook(book, query));
  return `报告已写入 / report written: ${file}\n`;
}

export function register(program: Command) {
  const cases = program.command('cases').description('服务时限案件（措施22–25）：Excel 模板、导入、达标报告 / service cases against their time limits');

  cases
    .command('template')
    .description('生成导入模板 / write the Excel import template')
    .requiredOption('--out <file>', 'the .xlsx file to write')
    .action(async (opts: { out: string }) => {
      const file = outFile(opts.out);
      // The template needs no database: the limits and departments come from the policy files.
      writeFileSync(file, await caseTemplateWorkbook(policyTables()));
      process.stdout.write(`模板已写入 / template written: ${file}\n`);
    });

  withDbOptions(
    cases
      .command('import')
      .description('从 Excel 导入案件：任一行有错则全部不导入 / import cases from .xlsx; any bad row and nothing is stored')
      .argument('<file>', 'the .xlsx file (layout: kaifang cases template)')
      .option('--dry-run', 'check and report, store nothing')
      .option('--user <username>', 'record as this department reviewer or admin (default: "cli", any department)'),
  ).action(async (file: string, opts: DbOptions & { dryRun?: boolean; user?: string }) => {
    const data = readXlsx(file); // before the database is opened: a mistyped name fails at once
    process.stdout.write(await withBook(opts, (book) => importCommand(book, file, opts, data)));
  });

  withDbOptions(
    cases
      .command('report')
      .description('导出达标报告 Excel / export the compliance report to .xlsx')
      .option('--as-of <date>', 'YYYY-MM-DD (default: today in Asia/Shanghai)')
      .option('--from <date>', 'only cases accepted on or after this date')
      .option('--to <date>', 'only cases accepted on or before this date')
      .option('--year <year>', 'the year of tax-time totals (default: the year of --as-of)')
      .requiredOption('--out <file>', 'the .xlsx file to write'),
  ).action(async (opts: DbOptions & ReportOptions) => {
    checkReportOptions(opts);
    process.stdout.write(await withBook(opts, (book) => reportCommand(book, opts)));
  });
}
