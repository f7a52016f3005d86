/**
 * Named prepared statements for the PostgreSQL server, under Kysely.
 *
 * Kysely's PostgresDriver sends every query as an unnamed statement, so the server parses and plans it again
 * on every call. Measured on the decision path (pg_stat_statements, `npm run bench:http`): planning alone was
 * ~0.5 ms of the ~1.7 ms of server CPU a decision cost. node-postgres prepares a statement once per connection
 * when the query carries a `name`; this wraps the pool so that each query text gets one, and later calls on the
 * same connection only bind and execute.
 *
 * Bounded: only texts up to MAX_TEXT characters and MAX_PARAMS parameters are named (a bulk insert of a
 * thousand rows is not worth a plan cache entry), and at most MAX_NAMED distinct texts in all — beyond that,
 * queries run unnamed as before, so memory on both sides stays bounded however many shapes queries take.
 *
 * Not for a connection pooler in transaction mode (PgBouncer before 1.21 forgets which server connection
 * prepared what): set KAIFANG_PG_PREPARED=off there.
 */
import type pg from 'pg';

const MAX_TEXT = 8_000;
const MAX_PARAMS = 100;
const MAX_NAMED = 2_000;

/** The part of pg.Pool that Kysely's PostgresDialect uses. */
export interface QueryPool {
  connect(): Promise<pg.PoolClient>;
  end(): Promise<void>;
}

export function preparingPool(pool: pg.Pool): QueryPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED) {
      name = `k${names.size + 1}`;
      names.set(text, name);
    }
    return name;
  };
  const patched = new WeakSet<pg.PoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      if (!patched.has(client)) {
        patched.add(client);
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        (client as { query: unknown }).query = (text: unknown, values?: unknown, ...rest: unknown[]) => {
          if (typeof text === 'string' && Array.isArray(values) && values.length <= MAX_PARAMS && text.length <= MAX_TEXT) {
            const name = nameOf(text);
            if (name) return query({ name, text, values }, ...rest);
          }
          return query(text, values, ...rest);
        };
      }
      return client;
    },
    end: () => pool.end(),
  };
}
