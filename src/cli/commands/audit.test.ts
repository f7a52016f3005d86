import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../audit/audit-log.ts';
import { openDatabase, type OpenDatabaseOptions } from '../../db/open.ts';
import { createScratchDatabase, migratedPGliteTemplate, type ScratchDatabase } from '../../db/test-databases.ts';
import { register } from './audit.ts';
import { kaifangProcess as runProcess, runCommand } from '../test-cli.ts';

const kaifangProcess = (args: string[]) => runProcess(args, 60_000);

const kaifang = (args: string[]) => runCommand(register, args);

/** Writes three records, runs the CLI, tampers with record #2 behind the trigger, runs it again. */
async function tamperScenario(open: OpenDatabaseOptions, cliArgs: string[]) {
  const opened = await openDatabase(open);
  for (let i = 1; i <= 3; i++) {
    await appendAudit(opened.db, { userId: null, name: 'cli-test' }, { action: 'claim.decide', entity: 'claim', entityId: i, details: { amountFen: 100 * i } });
  }
  await opened.close();

  const readOnly = await kaifang(['audit', 'verify', '--no-seal', ...cliArgs]);
  expect(readOnly.code).toBe(0);
  expect(readOnly.stdout).toContain('audit log is empty');
  expect(readOnly.stdout).toContain('not yet sealed: 3 records');

  const intact = await kaifang(['audit', 'verify', ...cliArgs]);
  expect(intact.stdout).toContain('sealed 3 records that were waiting');
  expect(intact.stdout).toContain('audit log intact: 3 records (#1–#3)');
  expect(intact.stdout).not.toContain('not yet sealed');
  expect(intact.code).toBe(0);

  const again = await openDatabase({ url: open.url, dataDir: open.dataDir, migrate: false });
  await again.db.transaction().execute(async (trx) => {
    await sql`alter table audit_log disable trigger audit_log_append_only`.execute(trx);
    await trx.updateTable('audit_log').set({ details: JSON.stringify({ amountFen: 999_999 }) }).where('seq', '=', 2).execute();
    await sql`alter table audit_log enable trigger audit_log_append_only`.execute(trx);
  });
  await again.close();

  // From the checkpoint the first verify left at #3, a record before it edited in place (its stored hash kept) is
  // not recomputed: only the full walk sees it (README, "The audit chain: what is and is not detected").
  const incremental = await kaifang(['audit', 'verify', ...cliArgs]);
  expect(incremental.code).toBe(0);
  expect(incremental.stdout).toContain('recomputed 0 records after #3');
  const broken = await kaifang(['audit', 'verify', '--full', ...cliArgs]);
  expect(broken.code).toBe(1);
  expect(broken.stderr).toContain('audit log BROKEN at record #2 (hash)');
  expect(broken.stderr).toContain('1 records before it verified intact');

  const json = await kaifang(['audit', 'verify', '--full', '--json', ...cliArgs]);
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, brokenSeq: 2, problem: 'hash' });
}

/**
 * The review's attack through the command line: anchor, then (as a superuser) edit record #3 and clear the seals
 * of #3 onwards; then also delete the database's anchors. Only the anchor file catches the second step.
 */
async function anchorScenario(open: OpenDatabaseOptions, cliArgs: string[], dir: string) {
  const opened = await openDatabase(open);
  for (let i = 1; i <= 5; i++) {
    await appendAudit(opened.db, { userId: null, name: 'cli-test' }, { action: 'claim.decide', entity: 'claim', entityId: i, details: { amountFen: 100 * i } });
  }
  await opened.close();
  const key = path.join(dir, 'anchor-key.pem');
  const anchorFile = path.join(dir, 'anchor-1.json');

  const keygen = await kaifang(['audit', 'keygen', '--out', key]);
  expect(keygen.code).toBe(0);
  expect(keygen.stdout).toContain(`${key}.pub`);
  expect((await kaifang(['audit', 'keygen', '--out', key])).stderr).toContain('a key is never overwritten');
  expect((await kaifang(['audit', 'anchor', '--out', anchorFile, ...cliArgs])).stderr, 'no key, no anchor').toContain('no signing key');

  const anchored = await kaifang(['audit', 'anchor', '--out', anchorFile, '--key', key, ...cliArgs]);
  expect(anchored.code).toBe(0);
  expect(anchored.stdout).toContain('anchored record #5');
  expect(JSON.parse(readFileSync(anchorFile, 'utf8'))).toMatchObject({ format: 'kaifang-audit-anchor/1', seq: 5 });
  expect((await kaifang(['audit', 'anchor', '--out', anchorFile, '--key', key, ...cliArgs])).stderr).toContain('never overwritten');

  const pinned = ['--anchor', anchorFile, '--public-key', `${key}.pub`];
  const good = await kaifang(['audit', 'verify', ...pinned, ...cliArgs]);
  expect(good.code).toBe(0);
  expect(good.stdout).toContain('audit log intact: 6 records (#1–#6)'); // the 5, and the record of anchoring
  expect(good.stdout).toContain('signature valid, by the pinned key');
  expect(good.stdout).toContain('record #5 has the hash anchored at');

  const superuser = async (statements: string[]) => {
    const db = await openDatabase({ url: open.url, dataDir: open.dataDir, migrate: false });
    await db.db.transaction().execute(async (trx) => {
      for (const s of statements) await sql.raw(s).execute(trx);
    });
    await db.close();
  };
  await superuser([
    'alter table audit_log disable trigger audit_log_append_only',
    `update audit_log set details = '{"amountFen": 999999}' where seq = 3`,
    'update audit_log set seq = null, prev_hash = null, hash = null where seq >= 3',
    'alter table audit_log enable trigger audit_log_append_only',
  ]);
  // The database remembers its anchor: the sealer refuses, verify says why.
  const remembered = await kaifang(['audit', 'verify', ...cliArgs]);
  expect(remembered.code).toBe(1);
  expect(remembered.stderr).toContain('sealing REFUSED');
  expect(remembered.stderr).toContain('audit log BROKEN at record #3 (anchor)');

  await superuser([
    'alter table audit_anchors disable trigger audit_anchors_append_only',
    'delete from audit_anchors',
    'alter table audit_anchors enable trigger audit_anchors_append_only',
  ]);
  // The anchor file: its seq still stops the sealer, and the missing record is reported.
  const refused = await kaifang(['audit', 'verify', ...pinned, ...cliArgs]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('sealing REFUSED');
  expect(refused.stderr).toContain('record #5, anchored at');
  expect(refused.stderr).toContain('is missing or unsealed');

  // Without an anchor the forged history is sealed, and an earlier verify's checkpoint (audit_verified) still
  // catches it: #6 no longer has the hash verified there.
  const checkpointed = await kaifang(['audit', 'verify', ...cliArgs]);
  expect(checkpointed.code).toBe(1);
  expect(checkpointed.stderr).toContain('its hash is not the one an earlier verify found there');
  // The superuser deletes the checkpoints too: the forged history verifies — what the README says anchors are for.
  await superuser([
    'alter table audit_verified disable trigger audit_verified_append_only',
    'delete from audit_verified',
    'alter table audit_verified enable trigger audit_verified_append_only',
  ]);
  const fooled = await kaifang(['audit', 'verify', ...cliArgs]);
  expect(fooled.code).toBe(0);
  expect(checkpointed.stderr).toContain('sealed 4 records that were waiting');
  expect(fooled.stdout).toContain('no anchor given');

  const caught = await kaifang(['audit', 'verify', ...pinned, ...cliArgs]);
  expect(caught.code).toBe(1);
  expect(caught.stderr).toContain('audit log intact: 6 records');
  expect(caught.stderr).toContain('record #5 does NOT have the hash anchored');
  const json = await kaifang(['audit', 'verify', '--json', ...pinned, ...cliArgs]);
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, chainOk: true, anchors: [{ ok: false, record: 'differs', signatureValid: true, keyPinned: true }] });

  // An anchor file that was edited (its seq moved) is refused for its signature.
  const edited = path.join(dir, 'anchor-edited.json');
  writeFileSync(edited, JSON.stringify({ ...JSON.parse(readFileSync(anchorFile, 'utf8')), seq: 2 }));
  const bad = await kaifang(['audit', 'verify', '--no-seal', '--anchor', edited, ...cliArgs]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('signature INVALID');
}

describe('kaifang audit verify · PGlite', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-audit-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports an intact chain, then the tampered record', async () => {
    const dataDir = path.join(dir, 'db');
    await tamperScenario({ dataDir, pgliteLoadDataDir: await migratedPGliteTemplate() }, ['--data-dir', dataDir]);
  }, 120_000);

  it('holds the chain to an anchor file: the re-chaining attack is caught (anchor, keygen)', async () => {
    const dataDir = path.join(dir, 'anchored');
    await anchorScenario({ dataDir, pgliteLoadDataDir: await migratedPGliteTemplate() }, ['--data-dir', dataDir], mkdtempSync(path.join(dir, 'keys-')));
  }, 120_000); // a dozen commands, each opening the PGlite folder anew (seconds each when the CPUs are busy)

  it('refuses a folder that holds no database instead of creating one (as a real `kaifang` process)', async () => {
    const result = await kaifangProcess(['audit', 'verify', '--data-dir', path.join(dir, 'missing')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no PGlite database at');
  });
});

const serverUrl = process.env.DATABASE_URL;
describe.skipIf(!serverUrl)(
  serverUrl ? 'kaifang audit verify · PostgreSQL' : 'kaifang audit verify · PostgreSQL (skipped: DATABASE_URL not set)',
  () => {
    let scratch: ScratchDatabase | undefined;
    afterAll(() => scratch?.drop());

    it('reports an intact chain, then the tampered record', async () => {
      scratch = await createScratchDatabase(serverUrl!);
      await tamperScenario({ url: scratch.url }, ['--database-url', scratch.url]);
    });

    it('holds the chain to an anchor file: the re-chaining attack is caught (anchor, keygen)', async () => {
      const anchored = await createScratchDatabase(serverUrl!);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-audit-anchor-cli-'));
      try {
        await anchorScenario({ url: anchored.url }, ['--database-url', anchored.url], dir);
      } finally {
        await anchored.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
