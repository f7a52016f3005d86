import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './open.ts';
import { createScratchDatabase, type ScratchDatabase } from './test-databases.ts';

const serverUrl = process.env.DATABASE_URL;

describe.skipIf(!serverUrl)(serverUrl ? 'prepared statements · PostgreSQL' : 'prepared statements · PostgreSQL (skipped: DATABASE_URL not set)', () => {
  let scratch: ScratchDatabase | undefined;
  afterAll(() => scratch?.drop());

  /** The statements this connection has prepared (one connection: a pool of one). */
  const preparedOn = async (prepared: boolean) => {
    scratch ??= await createScratchDatabase(serverUrl!);
    const opened = await openDatabase({ url: scratch.url, poolSize: 1, preparedStatements: prepared });
    try {
      for (let i = 0; i < 3; i++) await opened.db.selectFrom('enterprises').select('uscc').where('uscc', '=', `no-${i}`).execute();
      // a bulk statement past the parameter bound stays unnamed
      await sql`select 1 where 1 in (${sql.join(Array.from({ length: 150 }, (_, i) => i))})`.execute(opened.db);
      const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(opened.db);
      return rows;
    } finally {
      await opened.close();
    }
  };

  it('prepares each query text once per connection and reuses it', async () => {
    const rows = await preparedOn(true);
    const enterpriseLookups = rows.filter((r) => r.statement.includes('from "enterprises"'));
    expect(enterpriseLookups).toHaveLength(1);
    expect(rows.some((r) => r.statement.includes('where 1 in ('))).toBe(false);
  });

  it('prepares nothing when turned off (for a transaction-mode connection pooler)', async () => {
    expect(await preparedOn(false)).toEqual([]);
  });
});
