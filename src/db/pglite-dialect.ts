/**
 * A Kysely dialect for PGlite (PostgreSQL compiled to WebAssembly, embedded in this process).
 *
 * PGlite speaks real PostgreSQL, so Kysely's Postgres adapter, introspector and query compiler apply
 * unchanged; only the driver differs. PGlite has exactly one session, so the driver hands out that one
 * connection under a FIFO mutex: a transaction holds it from BEGIN to COMMIT and concurrent callers queue,
 * like a pool of size one.
 *
 * Consequence to keep in mind: inside `db.transaction().execute(async (trx) => …)` every query must go
 * through `trx`. A query on `db` would wait for the connection its own transaction holds; on a PostgreSQL
 * server it would run on a second connection outside the transaction, which is just as wrong, only silent.
 * The lock timeout turns that mistake into an error that names it instead of a hang.
 */
import type { PGlite, Results } from '@electric-sql/pglite';
import {
  AbortedTransactionError,
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { Mutex } from './mutex.ts';

export interface PGliteDialectConfig {
  pglite: PGlite;
  /** How long a query may wait for the single connection before failing (ms). */
  lockTimeoutMs?: number;
  /** Close the PGlite instance when Kysely is destroyed. */
  closeOnDestroy?: boolean;
}

export class PGliteDialect implements Dialect {
  readonly #config: PGliteDialectConfig;
  constructor(config: PGliteDialectConfig) {
    this.#config = config;
  }
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.#config);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

class PGliteDriver implements Driver {
  readonly #config: PGliteDialectConfig;
  readonly #mutex = new Mutex();
  readonly #connection: PGliteConnection;
  #destroyed = false;

  constructor(config: PGliteDialectConfig) {
    this.#config = config;
    this.#connection = new PGliteConnection(config.pglite);
  }

  async init(): Promise<void> {
    await this.#config.pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const timeoutMs = this.#config.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    await this.#mutex.lock(
      timeoutMs,
      () =>
        new Error(
          `PGlite connection busy for ${timeoutMs} ms (${this.#mutex.waiting} queries waiting). ` +
            'If this happened inside a transaction, a query used `db` instead of the transaction handle `trx`.',
        ),
    );
    if (this.#destroyed) {
      this.#mutex.unlock();
      throw new Error('database has been closed');
    }
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let statement = 'begin';
    if (settings.isolationLevel || settings.accessMode) {
      statement = 'start transaction';
      if (settings.isolationLevel) statement += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode) statement += ` ${settings.accessMode}`;
    }
    await connection.executeQuery(CompiledQuery.raw(statement));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const { rows } = await connection.executeQuery<{ command?: string }>(CompiledQuery.raw('commit'));
    // PostgreSQL answers COMMIT with a ROLLBACK tag when an earlier statement aborted the transaction.
    if (rows[0]?.command === 'ROLLBACK') throw new AbortedTransactionError();
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdent(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdent(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdent(name)}`));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (this.#config.closeOnDestroy && !this.#config.pglite.closed) await this.#config.pglite.close();
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;
  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    let result: Results<R>;
    try {
      result = await this.#pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters]);
    } catch (err) {
      // PGlite's error carries no stack into the caller's code; keep the caller's frames for debugging.
      if (err instanceof Error) err.stack = `${err.stack ?? err.message}\n${new Error().stack?.split('\n').slice(1).join('\n')}`;
      throw err;
    }
    const { command } = result;
    if (command === 'COMMIT' || command === 'ROLLBACK') return { rows: [{ command } as R] };
    const changes = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
    return {
      numAffectedRows: changes ? BigInt(result.rowCount ?? result.affectedRows ?? 0) : undefined,
      rows: result.rows ?? [],
    };
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    // PGlite has no cursors over this interface; the rows are in memory already, so yield them in chunks.
    const { rows } = await this.executeQuery<R>(compiledQuery);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
