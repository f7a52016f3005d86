// kaifang audit verify [--database-url URL | --data-dir DIR] [--json]: check the audit log's hash chain.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { sql } from 'kysely';
import { verifyAuditChain, type AuditChainReport } from '../../audit/audit-log.ts';
import { openDatabase, DEFAULT_DATA_DIR } from '../../db/open.ts';
import { CliError } from '../cli-error.ts';

interface VerifyOptions {
  databaseUrl?: string;
  dataDir?: string;
  json?: boolean;
}

export function register(program: Command) {
  const audit = program.command('audit').description('审计日志 / the audit log');
  audit
    .command('verify')
    .description('校验审计日志哈希链，报告第一条被篡改的记录 / verify the hash chain, report the first tampered record')
    .option('--database-url <url>', 'PostgreSQL server (default: $DATABASE_URL)')
    .option('--data-dir <dir>', `PGlite data folder (default: $KAIFANG_DATA_DIR or ${DEFAULT_DATA_DIR})`)
    .option('--json', 'print the machine-readable report')
    .action(async (opts: VerifyOptions) => {
      const report = await verifyDatabase(opts);
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      if (!report.ok) {
        throw new CliError(
          opts.json
            ? ''
            : `审计日志被篡改 / audit log BROKEN at record #${report.brokenSeq} (${report.problem})\n` +
                `${report.message}\n${report.records} records before it verified intact.`,
          1,
        );
      }
      if (!opts.json) {
        process.stdout.write(
          report.records === 0
            ? '审计日志为空 / audit log is empty\n'
            : `审计日志完好 / audit log intact: ${report.records} records (#1–#${report.headSeq})\n` +
                `head hash: ${report.headHash}\n` +
                'Keep the head hash elsewhere: it is what shows later that no newest records were cut off.\n',
        );
      }
    });
}

async function verifyDatabase(opts: VerifyOptions): Promise<AuditChainReport> {
  const url = opts.databaseUrl ?? (opts.dataDir ? undefined : process.env.DATABASE_URL || undefined);
  const dataDir = url ? undefined : (opts.dataDir ?? process.env.KAIFANG_DATA_DIR ?? DEFAULT_DATA_DIR);
  // Verifying must not change what it verifies: no migrations, and no new empty cluster in a mistyped folder.
  if (dataDir && !existsSync(dataDir)) throw new CliError(`no PGlite database at ${dataDir}`);
  const opened = await openDatabase({ url, dataDir, migrate: false });
  try {
    const { rows } = await sql<{ present: boolean }>`select to_regclass('audit_log') is not null as present`.execute(opened.db);
    if (!rows[0]?.present) throw new CliError(`${opened.location} has no audit log: the database was never initialised`);
    return await verifyAuditChain(opened.db);
  } finally {
    await opened.close();
  }
}
