import { mkdtempSync, rmSync } from 'node:fs';
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

  const broken = await kaifang(['audit', 'verify', ...cliArgs]);
  expect(broken.code).toBe(1);
  expect(broken.stderr).toContain('audit log BROKEN at record #2 (hash)');
  expect(broken.stderr).toContain('1 records before it verified intact');

  const json = await kaifang(['audit', 'verify', '--json', ...cliArgs]);
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, brokenSeq: 2, problem: 'hash' });
}

describe('kaifang audit verify · PGlite', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-audit-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports an intact chain, then the tampered record', async () => {
    const dataDir = path.join(dir, 'db');
    await tamperScenario({ dataDir, pgliteLoadDataDir: await migratedPGliteTemplate() }, ['--data-dir', dataDir]);
  });

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
  },
);
