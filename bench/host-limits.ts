/**
 * The host's limits for the database, measured by bench:http in the same run as the HTTP figures, so that a
 * figure can be read as a ratio to what this machine can do at all and a slower host is not mistaken for a
 * regression (or a faster one for an improvement).
 *
 * Both probes go through exactly the path the server's queries take: a Kysely instance from `openDatabase` with
 * the options the server opens it with (src/server.ts), so the same `pg` driver, the same pool (its size is
 * the server's, reported as measured), named prepared statements, and for PGlite the same in-process instance
 * behind the same one-connection mutex. `workers` concurrent callers (as many as the load generator's HTTP
 * connections) share that pool, as the server's requests do.
 *   1. one round trip: `INSERT` of one row in autocommit (one statement, one commit);
 *   2. four round trips: `BEGIN; INSERT; INSERT; COMMIT` through `db.transaction()` (one commit), the shape of
 *      a decision's transaction without its reads, locks and indexes.
 * On PostgreSQL a round trip is a socket write and read between this process and a backend, plus the backend's
 * parse-free execution and, on COMMIT, its WAL flush. On PGlite there is no socket: the figures measure the
 * embedded (WASM) PostgreSQL executing the statements one at a time in this process, with its file I/O.
 *
 * The rows go into a scratch table created for the probe in the benchmark's scratch database (or data folder)
 * and dropped afterwards; the probe checks that every acknowledged insert is there.
 */
import { sql, type Kysely } from 'kysely';

export interface ProbeResult {
  /** operations per second (wall clock, first operation to last) */
  rps: number;
  ops: number;
  seconds: number;
  p50: number;
  p99: number;
  /** CPU seconds per operation: this process (driver + Kysely; with PGlite also the database) and the PostgreSQL backends */
  cpuClient: number;
  cpuDb: number;
}

export interface HostLimits {
  insert: ProbeResult;
  tx: ProbeResult;
  /** server connections the pool held while probing (PostgreSQL only; NaN for PGlite: one in-process connection) */
  connections: number;
}

export interface ProbeOptions {
  ops: number;
  workers: number;
  /** The backends connected to the scratch database, with their CPU seconds so far (PostgreSQL only). */
  backends?: () => Promise<{ count: number; cpu: () => number }>;
}

const TABLE = 'kaifang_bench_host_probe';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** `ops` calls of `op`, `workers` at a time; each call's latency (ms) kept for the percentiles. */
async function drive(ops: number, workers: number, op: (worker: number, i: number) => Promise<unknown>) {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = next++; i < ops; i = next++) {
        const t = performance.now();
        await op(w, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 10) / 10;
  return { seconds, p50: at(0.5), p99: at(0.99) };
}

export async function probeHostLimits(db: AnyDb, options: ProbeOptions): Promise<HostLimits> {
  const { ops, workers } = options;
  await sql`drop table if exists ${sql.table(TABLE)}`.execute(db);
  // A primary key, as every table the decision writes has: each insert also updates one btree index.
  await sql`create table ${sql.table(TABLE)} (id bigint generated always as identity primary key, worker integer not null, n integer not null, note text not null)`.execute(db);
  try {
    const insert = (q: AnyDb, w: number, i: number) => sql`insert into ${sql.table(TABLE)} (worker, n, note) values (${w}, ${i}, ${'host-limit probe'})`.execute(q);
    const oneTrip = (w: number, i: number) => insert(db, w, i);
    const fourTrips = (w: number, i: number) =>
      db.transaction().execute(async (trx) => {
        await insert(trx, w, i);
        await insert(trx, w, i);
      });
    // Warm-up: the pool's connections opened, the statements prepared on each, the JIT settled.
    const warm = Math.max(workers * 5, Math.ceil(ops / 10));
    await drive(warm, workers, oneTrip);
    await drive(warm, workers, fourTrips);
    const backends = await options.backends?.();

    const measure = async (op: (w: number, i: number) => Promise<unknown>): Promise<ProbeResult> => {
      const c0 = process.cpuUsage();
      const d0 = backends?.cpu() ?? NaN;
      const r = await drive(ops, workers, op);
      const c = process.cpuUsage(c0);
      return { rps: ops / r.seconds, ops, seconds: r.seconds, p50: r.p50, p99: r.p99, cpuClient: (c.user + c.system) / 1e6 / ops, cpuDb: ((backends?.cpu() ?? NaN) - d0) / ops };
    };
    const insertResult = await measure(oneTrip);
    const txResult = await measure(fourTrips);

    // Every acknowledged insert is in the table: a probe that lost writes would measure nothing.
    const expected = warm + 2 * warm + ops + 2 * ops;
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(TABLE)}`.execute(db);
    if (Number(rows[0].n) !== expected) throw new Error(`host-limit probe: ${rows[0].n} rows in ${TABLE}, expected ${expected}`);
    return { insert: insertResult, tx: txResult, connections: backends?.count ?? NaN };
  } finally {
    await sql`drop table if exists ${sql.table(TABLE)}`.execute(db);
  }
}
