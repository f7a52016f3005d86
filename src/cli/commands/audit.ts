// kaifang audit verify [--database-url URL | --data-dir DIR] [--no-seal] [--anchor FILE …] [--public-key FILE] [--json]:
// check the audit log's hash chain, and hold it to anchors kept outside the database (src/audit/anchor.ts).
// It first seals the records that wait to be chained (what the server does every moment; a record written by a
// server that stopped abruptly may wait), so that everything written so far is verified; --no-seal only reads.
// It never seals at or below an anchored seq, whether the database or a given anchor file names it.
//
// kaifang audit anchor [--out FILE] [--key FILE]: sign the chain's head now (key: $KAIFANG_ANCHOR_KEY).
// kaifang audit keygen --out FILE: a new Ed25519 key pair, FILE (private) and FILE.pub (for auditors to pin).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { sql } from 'kysely';
import { sealAuditChain, verifyAuditChain, type AuditChainReport } from '../../audit/audit-log.ts';
import {
  checkAuditAnchor,
  createAuditAnchor,
  keyFingerprint,
  loadAnchorKey,
  loadPublicKey,
  parseAnchor,
  writeAnchorKeyFiles,
  type AnchorCheck,
  type AuditAnchor,
} from '../../audit/anchor.ts';
import { openDatabase, DEFAULT_DATA_DIR, type OpenedDatabase } from '../../db/open.ts';
import { KaifangError } from '../../errors.ts';
import { CliError } from '../cli-error.ts';

interface DatabaseOptions {
  databaseUrl?: string;
  dataDir?: string;
}

interface VerifyOptions extends DatabaseOptions {
  json?: boolean;
  /** commander's --no-seal */
  seal?: boolean;
  anchor?: string[];
  publicKey?: string;
  /** walk the whole chain from #1 instead of from the last verified checkpoint */
  full?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

const cliErrorOf = (e: unknown): never => {
  if (e instanceof KaifangError) throw new CliError(`${e.messageZh}\n${e.messageEn}`);
  throw e;
};

export function register(program: Command) {
  const audit = program.command('audit').description('审计日志 / the audit log');
  const withDatabase = (c: Command) =>
    c
      .option('--database-url <url>', 'PostgreSQL server (default: $DATABASE_URL)')
      .option('--data-dir <dir>', `PGlite data folder (default: $KAIFANG_DATA_DIR or ${DEFAULT_DATA_DIR})`);

  withDatabase(
    audit
      .command('verify')
      .description('校验审计日志哈希链（及锚点），报告第一条被篡改的记录 / verify the hash chain (and anchors), report the first tampered record'),
  )
    .option('--no-seal', '只校验，不先封存待入链的记录 / only read: do not first seal the records waiting to be chained')
    .option('--anchor <file>', '对照审计方保存的锚点文件（可多次）/ hold the chain to an anchor file auditors kept (repeatable)', collect)
    .option('--public-key <file>', '锚点签名公钥（固定信任）/ the public key the anchors must be signed with (keygen’s .pub)')
    .option('--full', '从第1条起重算全部哈希（默认从上次校验通过的位置起）/ recompute every hash from #1 (default: from the last verified checkpoint)')
    .option('--json', 'print the machine-readable report')
    .action(async (opts: VerifyOptions) => {
      const anchors = (opts.anchor ?? []).map((file) => readAnchorFile(file));
      if (opts.publicKey && !anchors.length) throw new CliError('--public-key pins the key of anchors: give them with --anchor FILE');
      const publicKey = opts.publicKey ? pinnedKey(opts.publicKey) : undefined;
      const { report, sealed, sealRefused, checks } = await verifyDatabase(opts, anchors, publicKey);
      const failed = !report.ok || sealRefused !== null || checks.some((c) => !c.ok);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ...report, ok: !failed, chainOk: report.ok, sealed, sealRefused, anchors: checks }, null, 2) + '\n');
        if (failed) throw new CliError('', 1);
        return;
      }
      const lines: string[] = [];
      if (sealed) lines.push(`已封存 ${sealed} 条待入链记录 / sealed ${sealed} records that were waiting`);
      if (sealRefused) lines.push(`拒绝封存 / sealing REFUSED: ${sealRefused}`);
      if (!report.ok) {
        lines.push(`审计日志被篡改 / audit log BROKEN at record #${report.brokenSeq} (${report.problem})`, report.message, `${report.records} records before it verified intact.`);
      } else if (report.records === 0) {
        lines.push('审计日志为空 / audit log is empty');
      } else {
        lines.push(`审计日志完好 / audit log intact: ${report.records} records (#1–#${report.headSeq})`, `head hash: ${report.headHash}`);
        if (report.fromSeq) {
          lines.push(
            `自上次校验通过的第 ${report.fromSeq} 条起重算了 ${report.walked} 条（其前各锚点及该位置的哈希已核对）/ recomputed ${report.walked} records after #${report.fromSeq}, verified before ` +
              '(the hash there and every anchor before it checked); `--full` recomputes every record from #1',
          );
        }
        if (report.lastAnchor) lines.push(`数据库内最新锚点 / newest anchor in the database: #${report.lastAnchor.seq}, ${report.lastAnchor.createdAt.toISOString()}`);
      }
      for (const [i, check] of checks.entries()) {
        lines.push(`锚点 / anchor ${opts.anchor![i]} (#${check.anchor.seq}, ${check.anchor.createdAt}):`, ...check.lines.map((l) => `  ${l}`));
        if (check.ok && report.ok && report.headSeq !== null && report.headSeq > check.anchor.seq) {
          lines.push(
            `  第 ${check.anchor.seq + 1}–${report.headSeq} 条在此锚点之后 / records #${check.anchor.seq + 1}–#${report.headSeq} came after it: ` +
              'only a newer anchor shows that none were cut off or forged after them',
          );
        }
      }
      if (!failed && !checks.length && report.ok && report.records) {
        lines.push(
          '未对照锚点 / no anchor given: a database owner who clears seals can have an edited history sealed again, and a cut tail',
          'does not show — keep anchors (kaifang audit anchor) outside the database and pass them with --anchor.',
        );
      }
      if (report.ok && report.pending.count) {
        lines.push(
          `待入链 / not yet sealed: ${report.pending.count} records, the oldest of ${report.pending.oldestAt?.toISOString()} (not covered by this check${sealRefused ? '' : '; run without --no-seal'})`,
        );
      }
      if (failed) throw new CliError(lines.join('\n'), 1);
      process.stdout.write(lines.join('\n') + '\n');
    });

  withDatabase(audit.command('anchor').description('签发审计链锚点：链头序号与哈希，以库外密钥签名 / sign the chain’s head with a key kept outside the database'))
    .option('--out <file>', '写入文件（不覆盖）；缺省时输出到标准输出 / write the anchor to FILE (never overwritten); default: stdout')
    .option('--key <file>', '签名私钥 / the private key (default: $KAIFANG_ANCHOR_KEY)')
    .action(async (opts: DatabaseOptions & { out?: string; key?: string }) => {
      const keyFile = opts.key ?? (process.env.KAIFANG_ANCHOR_KEY || undefined);
      if (!keyFile) throw new CliError('no signing key: give --key FILE or set KAIFANG_ANCHOR_KEY (create one with `kaifang audit keygen --out FILE`)');
      if (opts.out && existsSync(opts.out)) throw new CliError(`${opts.out} exists: an anchor file is never overwritten`);
      const key = (() => {
        try {
          return loadAnchorKey(keyFile);
        } catch (e) {
          return cliErrorOf(e);
        }
      })();
      const anchor = await withOpenedDatabase(opts, (opened) => createAuditAnchor(opened.db, key, { userId: null, name: 'cli' }).catch(cliErrorOf));
      const text = JSON.stringify(anchor, null, 2) + '\n';
      if (!opts.out) {
        process.stdout.write(text);
        return;
      }
      writeFileSync(opts.out, text, { mode: 0o444, flag: 'wx' });
      process.stdout.write(
        `已签发锚点 / anchored record #${anchor.seq} (${anchor.createdAt}) → ${opts.out}\n` +
          `hash: ${anchor.hash}\nkey:  ${keyFingerprint(anchor.publicKey)}\n` +
          'Keep this file where the database’s owner cannot rewrite it; check it later with `kaifang audit verify --anchor FILE --public-key KEY.pub`.\n',
      );
    });

  audit
    .command('keygen')
    .description('生成锚点签名密钥对 / create the Ed25519 key pair that signs anchors')
    .requiredOption('--out <file>', 'private key file; the public key goes to FILE.pub (neither is overwritten)')
    .action((opts: { out: string }) => {
      if (existsSync(opts.out) || existsSync(`${opts.out}.pub`)) throw new CliError(`${opts.out} or ${opts.out}.pub exists: a key is never overwritten (every anchor signed with it would be orphaned)`);
      const { privateFile, publicFile, publicKey } = writeAnchorKeyFiles(opts.out);
      process.stdout.write(
        `私钥 / private key: ${privateFile} (owner-readable only) — keep it off the database server, set KAIFANG_ANCHOR_KEY=${privateFile}\n` +
          `公钥 / public key:  ${publicFile} — give it to the auditors, who pass it as --public-key\n` +
          `fingerprint: ${keyFingerprint(publicKey)}\n`,
      );
    });
}

function readAnchorFile(file: string): AuditAnchor {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read anchor ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return parseAnchor(text, file);
  } catch (e) {
    return cliErrorOf(e);
  }
}

function pinnedKey(file: string): string {
  try {
    return loadPublicKey(file);
  } catch (e) {
    return cliErrorOf(e);
  }
}

async function withOpenedDatabase<T>(opts: DatabaseOptions, fn: (opened: OpenedDatabase) => Promise<T>): Promise<T> {
  const url = opts.databaseUrl ?? (opts.dataDir ? undefined : process.env.DATABASE_URL || undefined);
  const dataDir = url ? undefined : (opts.dataDir ?? process.env.KAIFANG_DATA_DIR ?? DEFAULT_DATA_DIR);
  // Checking must not change what it checks: no migrations, and no new empty cluster in a mistyped folder.
  // Sealing adds the waiting records to the chain and changes nothing recorded.
  if (dataDir && !existsSync(dataDir)) throw new CliError(`no PGlite database at ${dataDir}`);
  const opened = await openDatabase({ url, dataDir, migrate: false });
  try {
    const { rows } = await sql<{ log: boolean; anchors: boolean }>`
      select to_regclass('audit_log') is not null as log, to_regclass('audit_anchors') is not null as anchors`.execute(opened.db);
    if (!rows[0]?.log) throw new CliError(`${opened.location} has no audit log: the database was never initialised`);
    if (!rows[0]?.anchors) throw new CliError(`${opened.location} predates audit anchors (migration 0008): start the server once on it, which migrates it`);
    return await fn(opened);
  } finally {
    await opened.close();
  }
}

async function verifyDatabase(
  opts: VerifyOptions,
  anchors: AuditAnchor[],
  publicKey: string | undefined,
): Promise<{ report: AuditChainReport; sealed: number; sealRefused: string | null; checks: AnchorCheck[] }> {
  return withOpenedDatabase(opts, async ({ db }) => {
    let sealed = 0;
    let sealRefused: string | null = null;
    if (opts.seal !== false) {
      // The anchors given count as much as the database's own: a chain cut below one is never sealed again.
      const anchoredSeq = Math.max(0, ...anchors.map((a) => a.seq));
      try {
        sealed = await sealAuditChain(db, { anchoredSeq });
      } catch (e) {
        if (!(e instanceof KaifangError) || e.code !== 'audit_chain_tampered') throw e;
        sealRefused = `${e.messageZh}\n${e.messageEn}`;
      }
    }
    const report = await verifyAuditChain(db, { fromCheckpoint: !opts.full, recordCheckpoint: true });
    const checks: AnchorCheck[] = [];
    for (const anchor of anchors) checks.push(await checkAuditAnchor(db, anchor, { publicKey }));
    return { report, sealed, sealRefused, checks };
  });
}
