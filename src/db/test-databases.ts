/**
 * Integration suites run on every database Kaifang supports: always on PGlite (in memory), and also on a
 * PostgreSQL server when DATABASE_URL is set. Each suite gets a fresh database: a new in-memory PGlite, or a
 * uniquely named database created on the server and dropped afterwards.
 *
 *   describeDatabases('enterprises', (t) => {
 *     it('stores one', async () => { await createEnterprise(t.db, …); });
 *   });
 *
 * PGlite suites start from a cached dump of a freshly migrated cluster (see migratedPGliteTemplate), which
 * saves initdb and the migrations in every suite.
 *
 * Without DATABASE_URL the server variant shows up as skipped, with the reason in its name, and a line is
 * printed. With KAIFANG_REQUIRE_POSTGRES=1 a missing DATABASE_URL fails the run instead (for CI, where a
 * silently skipped server suite would prove nothing).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { openDatabase, redactUrl, type DatabaseKind, type OpenedDatabase } from './open.ts';
import type { Database } from './schema.ts';

export interface TestDatabase {
  /** The suite's database; available inside tests and hooks (not while the suite is being collected). */
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  /** PostgreSQL variant: the URL of this suite's fresh database, to open more independent pools on it. */
  readonly url: string | undefined;
}

export function describeDatabases(name: string, body: (t: TestDatabase) => void): void {
  describe(`${name} · PGlite`, () => {
    body(useTestDatabase('pglite'));
  });

  const serverUrl = process.env.DATABASE_URL || undefined;
  if (!serverUrl && process.env.KAIFANG_REQUIRE_POSTGRES) {
    throw new Error(`KAIFANG_REQUIRE_POSTGRES is set but DATABASE_URL is not: the PostgreSQL variant of "${name}" cannot run`);
  }
  if (!serverUrl) {
    console.warn(`[kaifang] "${name}" runs on PGlite only — PostgreSQL variant skipped: DATABASE_URL not set`);
  }
  const title = serverUrl ? `${name} · PostgreSQL` : `${name} · PostgreSQL (skipped: DATABASE_URL not set)`;
  describe.skipIf(!serverUrl)(title, () => {
    body(useTestDatabase('postgres'));
  });
}

/** Registers beforeAll/afterAll hooks that create and drop one database for the enclosing suite. */
export function useTestDatabase(kind: DatabaseKind): TestDatabase {
  let opened: OpenedDatabase | undefined;
  let scratch: ScratchDatabase | undefined;

  beforeAll(async () => {
    if (kind === 'pglite') {
      opened = await openDatabase({ dataDir: 'memory://', pgliteLoadDataDir: await migratedPGliteTemplate() });
    } else {
      scratch = await createScratchDatabase(requireServerUrl());
      opened = await openDatabase({ url: scratch.url, poolSize: 20 });
    }
  });

  afterAll(async () => {
    await opened?.close();
    await scratch?.drop();
  });

  return {
    get db() {
      if (!opened) throw new Error('test database is not open yet: use t.db inside tests or hooks');
      return opened.db;
    },
    kind,
    get url() {
      return scratch?.url;
    },
  };
}

/**
 * A dump of a freshly migrated PGlite cluster, cached in the temp folder under a key of the PGlite version
 * and the migration sources. Starting from it takes about a second; running initdb and every migration
 * takes four or more, for every suite. A changed migration changes the key, so a stale schema is never used.
 */
export async function migratedPGliteTemplate(): Promise<Blob> {
  const file = path.join(os.tmpdir(), `kaifang-pglite-template-${templateKey()}.tar`);
  try {
    return new Blob([readFileSync(file)]);
  } catch {
    // not cached yet: build it below
  }
  const fresh = await openDatabase({ dataDir: 'memory://' });
  try {
    const dump = await fresh.pglite!.dumpDataDir('none');
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, new Uint8Array(await dump.arrayBuffer()));
    // rename is atomic: a concurrent worker reads either no file or a whole one.
    renameSync(partial, file);
    pruneOldTemplates(file);
    return dump;
  } finally {
    await fresh.close();
  }
}

/** Templates of earlier migration sets are 40 MB each; drop those unused for a day. */
function pruneOldTemplates(current: string): void {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(os.tmpdir())) {
    const file = path.join(os.tmpdir(), name);
    if (!name.startsWith('kaifang-pglite-template-') || file === current) continue;
    try {
      if (statSync(file).mtimeMs < dayAgo) rmSync(file, { force: true });
    } catch {
      // another worker removed it first
    }
  }
}

function templateKey(): string {
  const hash = createHash('sha256');
  const require = createRequire(import.meta.url);
  // The package does not export its package.json; it sits one folder above the entry point.
  const pgliteEntry = require.resolve('@electric-sql/pglite');
  hash.update(readFileSync(path.join(path.dirname(pgliteEntry), '..', 'package.json')));
  const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
  for (const name of readdirSync(migrationsDir).sort()) {
    hash.update(name).update(readFileSync(path.join(migrationsDir, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates a uniquely named empty database on the server of `serverUrl`. */
export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `kaifang_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    // FORCE ends connections a failed test may have leaked, so the drop cannot hang or leave litter.
    drop: () => adminQuery(serverUrl, `drop database if exists ${name} with (force)`),
  };
}

async function adminQuery(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`cannot reach the PostgreSQL server at ${redactUrl(serverUrl)}: ${(err as Error).message}`, { cause: err });
  }
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function requireServerUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  return url;
}
