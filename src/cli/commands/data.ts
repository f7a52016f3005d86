// Moving data in and out as real Excel files, and the demo data:
//
//   kaifang import enterprises FILE.xlsx                      企业名录导入（全部校验通过才写入）
//   kaifang export enterprises FILE.xlsx [--area ID]          企业名录导出（与导入格式相同）
//   kaifang export enterprises FILE.xlsx --template           空白导入模板
//   kaifang export publicity BATCH_ID FILE.xlsx               公示名单
//   kaifang export payments FILE.xlsx [--status awaiting|paid] 拨付清单
//   kaifang demo seed                                         演示数据（仅写入空数据库）
//
// Every command takes --data-dir DIR (PGlite folder) or --database-url URL; default $DATABASE_URL, else
// $KAIFANG_DATA_DIR or ./data/pglite — the database `kaifang serve` uses.
//
// Who acts: an import is done as the platform itself (SYSTEM_ACTOR, `system` in the audit log, with the file
// name in the `enterprise.import` record) — the operator at the terminal already holds the database. Exports
// write nothing; they read through the same services as the HTTP API (getPublicityBatch, listPayments) as
// CLI_READER, a synthetic read-only principal with the auditor's district-wide read scope, so the lists are
// exactly what an auditor would download. It is no user row (id 0): nothing may be written under it.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { sealAuditChain, SYSTEM_ACTOR } from '../../audit/audit-log.ts';
import { createPlatformContext, type PlatformContext } from '../../claims/context.ts';
import { getPublicityBatch } from '../../claims/publicity.ts';
import { listPayments } from '../../claims/payments.ts';
import { DEFAULT_DATA_DIR, openDatabase } from '../../db/open.ts';
import { seedDemo, formatDemoCredentials } from '../../demo/seed.ts';
import { Engine } from '../../engine/index.ts';
import { findArea } from '../../enterprises/areas.ts';
import { enterpriseTemplateWorkbook, exportEnterprisesWorkbook, importEnterprises } from '../../enterprises/excel.ts';
import { KaifangError, ValidationError } from '../../errors.ts';
import { paymentWorkbook, publicityWorkbook } from '../../excel/lists.ts';
import { importLimits, tooLarge } from '../../excel/read-workbook.ts';
import type { Principal } from '../../identity/users.ts';
import { CliError } from '../cli-error.ts';

interface DbOptions {
  dataDir?: string;
  databaseUrl?: string;
}

/** Reads for exports: the auditor's scope (everything, read-only). Not a stored user; never writes. */
export const CLI_READER: Principal = Object.freeze({ id: 0, username: 'cli', displayName: '命令行导出 / CLI export', role: 'auditor', enterpriseUscc: null, areaId: null, departmentId: null });

function dbOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', `PGlite data folder (default: $KAIFANG_DATA_DIR or ${DEFAULT_DATA_DIR}; ignored when a server URL is given)`)
    .option('--database-url <url>', 'PostgreSQL server (default: $DATABASE_URL)');
}

/**
 * Opens the database (migrating it to the current schema). `mustExist`: an export from a PGlite folder that
 * is not there is a mistyped path, not a reason to create an empty database.
 */
async function withContext<T>(opts: DbOptions, mustExist: boolean, fn: (ctx: PlatformContext) => Promise<T>): Promise<T> {
  const url = opts.databaseUrl ?? (opts.dataDir ? undefined : process.env.DATABASE_URL || undefined);
  const dataDir = url ? undefined : (opts.dataDir ?? process.env.KAIFANG_DATA_DIR ?? DEFAULT_DATA_DIR);
  if (mustExist && dataDir && !existsSync(dataDir)) throw new CliError(`没有数据库 / no PGlite database at ${dataDir}`);
  let opened;
  try {
    opened = await openDatabase({ url, dataDir });
  } catch (e) {
    throw new CliError(`无法打开数据库 / cannot open the database: ${(e as Error).message}`);
  }
  try {
    const result = await fn(createPlatformContext(opened.db, Engine.load()));
    await sealAuditChain(opened.db); // what this command wrote is chained before it exits
    return result;
  } catch (e) {
    throw toCliError(e);
  } finally {
    await opened.close();
  }
}

function toCliError(e: unknown): unknown {
  if (e instanceof ValidationError) {
    const lines = e.errors.map((x) => `  - ${x.messageZh}\n    ${x.messageEn} [${x.code}]`);
    return new CliError(['未写入任何数据 / nothing was stored:', ...lines].join('\n'));
  }
  if (e instanceof KaifangError) return new CliError(`${e.messageZh}\n${e.messageEn} [${e.code}]`);
  return e;
}

function readInputFile(file: string): Buffer {
  if (!existsSync(file)) throw new CliError(`找不到文件 / no such file: ${file}`);
  // A file past the import's byte limit is refused before it is read into memory (the importer would refuse it).
  const { maxBytes } = importLimits();
  const size = statSync(file).size;
  if (size > maxBytes) {
    const [e] = tooLarge(maxBytes, { fileBytes: size }).errors;
    throw new CliError(`${e.messageZh}\n${e.messageEn} [${e.code}]`);
  }
  return readFileSync(file);
}

function writeOutputFile(file: string, data: Buffer): void {
  const dir = path.dirname(path.resolve(file));
  if (!existsSync(dir)) throw new CliError(`目录不存在 / no such folder: ${dir}`);
  writeFileSync(file, data);
}

const say = (line: string) => process.stdout.write(line + '\n');

export function register(program: Command) {
  const imp = program.command('import').description('从 Excel 导入 / import from Excel (.xlsx)');
  dbOptions(
    imp
      .command('enterprises <file>')
      .description('导入企业名录：表头 统一社会信用代码、企业名称、所属区镇、产业类别；任何一行有误则全部不导入 / import enterprises; all rows or none'),
  ).action(async (file: string, opts: DbOptions) => {
    const data = readInputFile(file);
    const result = await withContext(opts, false, (ctx) => importEnterprises(ctx.db, data, { actor: SYSTEM_ACTOR, fileName: path.basename(file) }));
    say(`已导入${result.created.length}家企业 / imported ${result.created.length} enterprise(s) from ${file}`);
  });

  const exp = program.command('export').description('导出为 Excel / export to Excel (.xlsx)');
  dbOptions(
    exp
      .command('enterprises <file>')
      .description('导出企业名录（与导入格式相同，可改后再导入新库） / export the enterprise register in the import format')
      .option('--area <id>', '只导出一个区镇 / only one town or zone (area id)')
      .option('--template', '只写空白导入模板，不读数据库 / write the blank import template (no database)'),
  ).action(async (file: string, opts: DbOptions & { area?: string; template?: boolean }) => {
    if (opts.template) {
      writeOutputFile(file, await enterpriseTemplateWorkbook());
      say(`已生成导入模板 / template written: ${file}`);
      return;
    }
    if (opts.area && !findArea(opts.area)) throw new CliError(`区镇“${opts.area}”不存在 / unknown area "${opts.area}"`);
    const { buffer, count } = await withContext(opts, true, (ctx) => exportEnterprisesWorkbook(ctx.db, { areaId: opts.area }));
    writeOutputFile(file, buffer);
    say(`已导出${count}家企业 / exported ${count} enterprise(s) to ${file}`);
  });

  dbOptions(exp.command('publicity <batchId> <file>').description('导出公示名单 / export the list of a 公示 batch')).action(async (batchId: string, file: string, opts: DbOptions) => {
    const id = Number(batchId);
    if (!Number.isSafeInteger(id) || id <= 0) throw new CliError(`公示批次编号应为正整数 / the batch id must be a positive integer, got "${batchId}"`);
    const { buffer, batch } = await withContext(opts, true, async (ctx) => {
      const batch = await getPublicityBatch(ctx, CLI_READER, id);
      return { buffer: await publicityWorkbook(batch), batch };
    });
    writeOutputFile(file, buffer);
    say(`已导出公示名单“${batch.title}”（${batch.items.length}项） / exported publicity batch ${id} (${batch.items.length} item(s)) to ${file}`);
  });

  dbOptions(
    exp
      .command('payments <file>')
      .description('导出拨付清单 / export the payment list')
      .option('--status <status>', 'awaiting（待拨付，默认）| paid（已拨付）', 'awaiting'),
  ).action(async (file: string, opts: DbOptions & { status: string }) => {
    if (opts.status !== 'awaiting' && opts.status !== 'paid') throw new CliError(`--status 应为 awaiting 或 paid / --status must be awaiting or paid, got "${opts.status}"`);
    const status = opts.status;
    const { buffer, count } = await withContext(opts, true, async (ctx) => {
      const rows = await listPayments(ctx, CLI_READER, status);
      return { buffer: await paymentWorkbook(rows, { status, asOf: ctx.today() }), count: rows.length };
    });
    writeOutputFile(file, buffer);
    say(`已导出${status === 'paid' ? '已拨付' : '待拨付'}清单（${count}项） / exported ${count} ${status} payment(s) to ${file}`);
  });

  const demo = program.command('demo').description('演示数据 / demo data');
  dbOptions(
    demo
      .command('seed')
      .description('向空数据库写入演示数据（企业、各角色账号、各状态申报）并列出演示账号 / load the demo data into an empty database and list the demo accounts')
      .option('--json', 'print the summary as JSON'),
  ).action(async (opts: DbOptions & { json?: boolean }) => {
    const summary = await withContext(opts, false, (ctx) => seedDemo(ctx));
    process.stdout.write(opts.json ? JSON.stringify(summary, null, 2) + '\n' : formatDemoCredentials(summary));
  });
}
