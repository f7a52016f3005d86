/**
 * Opening the one database of Kaifang: PGlite embedded in a data folder by default (nothing to install,
 * `npm start` just works), or a PostgreSQL server when a URL is given. Both get the same migrations, the
 * same type parsing and the same session time zone, so services cannot tell them apart.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrate.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { preparingPool } from './prepared-statements.ts';
import type { Database } from './schema.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export interface OpenDatabaseOptions {
  /** postgres:// URL of a server. Wins over dataDir. */
  url?: string;
  /** PGlite data folder, or 'memory://' for a throwaway in-memory database. */
  dataDir?: string;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /** Server connections in the pool (default 10). */
  poolSize?: number;
  /** Server only: prepare each query once per connection (default true; KAIFANG_PG_PREPARED=off turns it off). */
  preparedStatements?: boolean;
  /** PGlite only: how long a query may queue for the single connection (default 60 s). */
  lockTimeoutMs?: number;
  /** PGlite only: start from this data-folder dump (from `dumpDataDir`) instead of an empty cluster. */
  pgliteLoadDataDir?: Blob;
}

export interface OpenedDatabase {
  db: Kysely<Database>;
  kind: DatabaseKind;
  /** Where the data lives: the PGlite folder, or the server URL without its password. */
  location: string;
  close(): Promise<void>;
  /** The embedded instance, when kind is 'pglite' (for dumps and backups). */
  pglite?: PGlite;
}

export const DEFAULT_DATA_DIR = './data/pglite';

/** The session time zone of every connection: SQL date arithmetic then agrees with the domain's civil dates. */
export const DATABASE_TIME_ZONE = 'Asia/Shanghai';

/**
 * Which database to open, in order: `options.url`; else `options.dataDir` (PGlite); else the environment's
 * `DATABASE_URL`; else PGlite in `KAIFANG_DATA_DIR` or ./data/pglite.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  const url = options.url ?? (options.dataDir ? undefined : process.env.DATABASE_URL || undefined);
  const opened = url
    ? openPostgres(url, options)
    : await openPGlite(options.dataDir ?? process.env.KAIFANG_DATA_DIR ?? DEFAULT_DATA_DIR, options);
  if (options.migrate ?? true) {
    try {
      await migrateToLatest(opened.db);
    } catch (err) {
      await opened.close();
      throw err;
    }
  }
  return opened;
}

/** bigint → number, refusing to round: a value past 2^53 is a bug to report, never a silent wrong amount. */
export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint value ${text} exceeds JavaScript's safe integer range`);
  return n;
}

/**
 * numeric → number. No column stores numeric; it arises from sum() over bigint fen (and avg). Left as text,
 * `total + amount` would concatenate strings in a cap check, so: integers exactly (or an error past 2^53),
 * fractions (averages, never money) as the nearest double.
 */
export function parseNumeric(text: string): number {
  if (/^-?\d+$/.test(text)) return parseInt8(text);
  const n = Number(text);
  if (Number.isNaN(n) && text !== 'NaN') throw new RangeError(`cannot read numeric value ${text}`);
  return n;
}

/** date → the 'YYYY-MM-DD' text itself; a JS Date would shift it by the process's time zone. */
const parseCivilDate = (text: string): string => text;

const INT8_OID = 20;
const DATE_OID = 1082;
const NUMERIC_OID = 1700;

function openPostgres(url: string, options: OpenDatabaseOptions): OpenedDatabase {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(`DATABASE_URL must be a postgres:// or postgresql:// URL, got "${redactUrl(url)}"`);
  }
  const getTypeParser = ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return parseInt8;
    if (oid === DATE_OID) return parseCivilDate;
    if (oid === NUMERIC_OID) return parseNumeric;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: { getTypeParser },
    options: `-c TimeZone=${DATABASE_TIME_ZONE}`,
  });
  // An idle client whose server connection dies emits 'error' on the pool; unhandled, that would crash the
  // process. The next query gets a fresh connection (or its own error), so nothing is lost by listening.
  pool.on('error', () => {});
  const prepared = options.preparedStatements ?? process.env.KAIFANG_PG_PREPARED !== 'off';
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: prepared ? (preparingPool(pool) as unknown as pg.Pool) : pool }) });
  return { db, kind: 'postgres', location: redactUrl(url), close: () => db.destroy() };
}

async function openPGlite(dataDir: string, options: OpenDatabaseOptions): Promise<OpenedDatabase> {
  let location = dataDir;
  let unlock = () => {};
  if (!dataDir.startsWith('memory://')) {
    location = path.resolve(dataDir);
    mkdirSync(location, { recursive: true });
    unlock = lockDataDir(location);
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(location, {
      parsers: { [INT8_OID]: parseInt8, [DATE_OID]: parseCivilDate, [NUMERIC_OID]: parseNumeric },
      loadDataDir: options.pgliteLoadDataDir,
    });
    await pglite.query(`set time zone '${DATABASE_TIME_ZONE}'`);
  } catch (err) {
    unlock();
    throw err;
  }
  const db = new Kysely<Database>({
    dialect: new PGliteDialect({ pglite, closeOnDestroy: true, lockTimeoutMs: options.lockTimeoutMs }),
  });
  const close = async () => {
    try {
      await db.destroy();
    } finally {
      unlock();
    }
  };
  return { db, kind: 'pglite', location, close, pglite };
}

/**
 * PGlite keeps its buffers in the process that opened the folder: two processes (or two instances in one)
 * on one folder silently lose each other's writes. A lock file beside the folder, naming the holder's pid,
 * turns that into an error; a lock left by a process that no longer runs is taken over.
 */
function lockDataDir(location: string): () => void {
  const lockFile = `${location}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
        throw new Error(
          `the PGlite data folder ${location} is in use by ${holder === process.pid ? 'this process' : `process ${holder}`}. ` +
            'PGlite serves one process at a time: stop the other one, or share a PostgreSQL server through DATABASE_URL.',
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`cannot lock the PGlite data folder ${location} (${lockFile})`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
