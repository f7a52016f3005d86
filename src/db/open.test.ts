import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from './migrations/index.ts';
import { openDatabase } from './open.ts';
import { migratedPGliteTemplate } from './test-databases.ts';

describe('openDatabase', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kaifang-open-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a URL that is not PostgreSQL', async () => {
    await expect(openDatabase({ url: 'mysql://root@localhost/x' })).rejects.toThrow(/postgres:\/\//);
  });

  it('keeps data in a PGlite folder across reopening, migrating once, even with DATABASE_URL set', async () => {
    const saved = process.env.DATABASE_URL;
    // An explicit dataDir wins over the environment: this unreachable URL must not be used.
    process.env.DATABASE_URL = 'postgres://nobody@127.0.0.1:1/none';
    try {
      const first = await openDatabase({ dataDir: path.join(dir, 'pg'), lockTimeoutMs: 300, pgliteLoadDataDir: await migratedPGliteTemplate() });
      expect(first.kind).toBe('pglite');
      await first.db.insertInto('budgets').values({ policy_id: 'p', measure_id: '16', year: 2020, amount_fen: 123 }).execute();

      // Inside a transaction, a query on `db` instead of `trx` waits for the connection its own transaction
      // holds: the timeout names the mistake instead of hanging.
      await expect(
        first.db.transaction().execute(async () => {
          await first.db.selectFrom('budgets').selectAll().execute();
        }),
      ).rejects.toThrow(/instead of the transaction handle `trx`/);
      // A second instance on the same folder would silently lose writes: refused while the first is open.
      await expect(openDatabase({ dataDir: path.join(dir, 'pg') })).rejects.toThrow(/in use by this process/);
      await first.close();

      const second = await openDatabase({ dataDir: path.join(dir, 'pg') });
      const row = await second.db.selectFrom('budgets').select('amount_fen').executeTakeFirstOrThrow();
      expect(row.amount_fen).toBe(123);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(second.db);
      expect(rows[0].n).toBe(Object.keys(migrations).length);
      await second.close();

      // A lock left behind by a process that has ended does not block the folder.
      writeFileSync(path.join(dir, 'pg.lock'), '999999999');
      const third = await openDatabase({ dataDir: path.join(dir, 'pg') });
      await third.close();
      expect(existsSync(path.join(dir, 'pg.lock'))).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });
});
