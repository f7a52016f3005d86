import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** A database handle or a transaction on it: services accept either so callers can compose them in one transaction. */
export type Db = Kysely<Database>;

/**
 * Runs `fn` in a transaction: the caller's, when `db` already is one (so a service's writes and its audit
 * record commit or roll back with everything else the caller does), otherwise a new one.
 */
export function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute(fn);
}
