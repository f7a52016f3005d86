// kaifang audit verify [--database-url URL | --data-dir DIR] [--no-seal] [--json]: check the audit log's hash chain.
// It first seals the records that wait to be chained (what the server does every moment; a record written by a
// server that stopped abruptly may wait), so that everything written so far is verified; --no-seal only reads.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { sql } from 'kysely';
import { sealAuditChain, verifyAuditChain, type AuditChainReport } from '../../audit/audit-log.ts';
import { openDatabase, DEFAULT_DATA_DIR } from '../../db/open.ts';
import { CliError } from '../cli-error.ts';

interface VerifyOptions {
  databaseUrl?: string;
  dataDir?: string;
  json?: boolean;
  /** commander's --no-seal */
  seal?: boolean;
}

export function register(program: Command) {
  const audit = program.command('audit').description('审计日志 / the audit log');
  audit
    .command('verify')
    .description('校验审计日志哈希链，报告第一条被篡改的记录 / verify the hash chain, report the first tampered record')
    .option('--database-url <url>', 'PostgreSQL server (default: $DATABASE_URL)')
    .option('--data-dir <dir>', `PGlite data folder (default: $KAIFANG_DATA_DIR or ${DEFAULT_DATA_DIR})`)
    .option('--no-seal', '只校验，不先封存待入链的记录 / only read: do not first seal the records waiting to be chained')
    .option('--json', 'print the machine-readable report')
    .action(async (opts: VerifyOptions) => {
      const { report, sealed } = await verifyDatabase(opts);
      if (opts.json) process.stdout.write(JSON.stringify({ ...report, sealed }, null, 2) + '\n');
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
        const { pending } = report;
        process.stdout.write(
          (sealed ? `已封存 ${sealed} 条待入链记录 / sealed ${sealed} records that were waiting\n` : '') +
            (report.records === 0
              ? '审计日志为空 / audit log is empty\n'
              : `审计日志完好 / audit log intact: ${report.records} records (#1–#${report.headSeq})\n` +
                `head hash: ${report.headHash}\n` +
                'Keep the head hash elsewhere: it is what shows later that no newest records were cut off.\n') +
            (pending.count
              ? `待入链 / not yet sealed: ${pending.count} records, the oldest of ${pending.oldestAt?.toISOString()} (not covered by this check; run without --no-seal)\n`
              : ''),
        );
      }
    });
}

async function verifyDatabase(opts: VerifyOptions): Promise<{ report: AuditChainReport; sealed: number }> {
  const url = opts.databaseUrl ?? (opts.dataDir ? undefined : process.env.DATABASE_URL || undefined);
  const dataDir = url ? undefined : (opts.dataDir ?? process.env.KAIFANG_DATA_DIR ?? DEFAULT_DATA_DIR);
  // Verifying must not change what it verifies: no migrations, and no new empty cluster in a mistyped folder.
  // Sealing adds the waiting records to the chain and changes nothing recorded.
  if (dataDir && !existsSync(dataDir)) throw new CliError(`no PGlite database at ${dataDir}`);
  const opened = await openDatabase({ url, dataDir, migrate: false });
  try {
    const { rows } = await sql<{ present: boolean }>`select to_regclass('audit_log') is not null as present`.execute(opened.db);
    if (!rows[0]?.present) throw new CliError(`${opened.location} has no audit log: the database was never initialised`);
    const sealed = opts.seal === false ? 0 : await sealAuditChain(opened.db);
    return { report: await verifyAuditChain(opened.db), sealed };
  } finally {
    await opened.close();
  }
}
