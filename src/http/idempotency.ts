/**
 * Idempotency keys for POSTs that create or change things. A client sends `Idempotency-Key: <uuid>`; the
 * first request with a key runs and its response is stored under (user, key) together with a hash of the
 * request; a repeat with the same key and the same request gets the stored response (header
 * `Idempotent-Replayed: true`) and creates nothing; the same key with a different request is 409
 * `idempotency_conflict`.
 *
 * Atomic: the key row is inserted first, in the same database transaction as the service's own writes and the
 * stored response. The services open their transactions with `ctx.db.transaction()`; here `ctx.db` is the
 * outer transaction, whose `transaction()` runs the work inside it (nested work joins the outer transaction).
 * So either the key, the effect and the response commit together, or none does: a failed request leaves no
 * key behind and can be retried with the same key. A concurrent repeat blocks on the key's primary key until
 * the first commits, then reads its response; if the first rolled back, the repeat runs.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import { canonicalJson } from '../audit/audit-log.ts';
import type { Database } from '../db/schema.ts';
import { toJsonb } from '../db/schema.ts';
import type { Db } from '../db/transaction.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import type { PlatformContext } from '../claims/context.ts';
import { requireUser } from './auth.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/**
 * A view of an open transaction that services can treat as a database: its `transaction().execute(fn)` runs
 * `fn` in the same transaction (Kysely refuses nested transactions), everything else is the transaction.
 */
export function joinedTransaction(trx: Transaction<Database>): Db {
  const joined: Db = new Proxy(trx, {
    get(target, prop) {
      if (prop === 'transaction') {
        const builder = {
          execute: <T>(fn: (t: Db) => Promise<T>) => fn(joined),
          setIsolationLevel: () => builder,
          setAccessMode: () => builder,
        };
        return () => builder;
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as unknown as Db;
  return joined;
}

/** What identifies a request: method, route, path parameters and body (in canonical JSON). */
export function requestHash(req: FastifyRequest, body: unknown = req.body): string {
  return createHash('sha256')
    .update(`${req.method} ${req.routeOptions.url ?? req.url}\n`)
    .update(canonicalJson(req.params ?? {}))
    .update('\n')
    .update(canonicalJson(body ?? null))
    .digest('hex');
}

function keyOf(req: FastifyRequest): string | undefined {
  const raw = req.headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new ValidationError([
      new KaifangError({ code: 'bad_idempotency_key', path: 'headers.idempotency-key', zh: 'Idempotency-Key 应为1至200个可见ASCII字符（建议使用UUID）', en: 'Idempotency-Key must be 1–200 visible ASCII characters (a UUID is best)' }),
    ]);
  }
  return key;
}

/**
 * Runs `work` at most once per (user, Idempotency-Key) and sends its result with `status`. Without the header
 * the work simply runs. `hash` overrides the request hash (multipart uploads hash the file instead of a body).
 */
export async function idempotent<T>(
  ctx: PlatformContext,
  req: FastifyRequest,
  reply: FastifyReply,
  work: (ctx: PlatformContext) => Promise<T>,
  opts: { status?: number | ((result: T) => number); hash?: string } = {},
): Promise<FastifyReply> {
  const statusOf = (result: T) => (typeof opts.status === 'function' ? opts.status(result) : (opts.status ?? 200));
  const key = keyOf(req);
  if (key === undefined) {
    const result = await work(ctx);
    return reply.code(statusOf(result)).send(result);
  }
  const user = requireUser(req);
  const hash = opts.hash ?? requestHash(req);
  const outcome = await ctx.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('idempotency_keys')
      .values({ user_id: user.id, key, request_hash: hash })
      .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (!claimed) {
      const prior = await trx.selectFrom('idempotency_keys').selectAll().where('user_id', '=', user.id).where('key', '=', key).executeTakeFirstOrThrow();
      if (prior.request_hash !== hash) {
        throw new KaifangError({
          code: 'idempotency_conflict',
          zh: '该 Idempotency-Key 已用于另一个不同的请求；新的请求请使用新的键',
          en: 'this Idempotency-Key was already used for a different request; use a new key for a new request',
        });
      }
      return { replayed: true, status: prior.response_status ?? 200, body: prior.response };
    }
    const result = await work({ ...ctx, db: joinedTransaction(trx as Transaction<Database>) });
    const body = result === undefined ? null : JSON.parse(JSON.stringify(result));
    const status = statusOf(result);
    await trx.updateTable('idempotency_keys').set({ response_status: status, response: toJsonb(body) }).where('user_id', '=', user.id).where('key', '=', key).execute();
    return { replayed: false, status, body };
  });
  if (outcome.replayed) reply.header('idempotent-replayed', 'true');
  return reply.code(outcome.status).send(outcome.body);
}

/**
 * Forgets the keys older than `hours` (KAIFANG_IDEMPOTENCY_HOURS, default 24): a client retries within minutes,
 * and without pruning the table would keep every response ever given. A request repeated after that runs again.
 * Run by the server every hour (server.ts). Returns how many keys it forgot.
 */
export async function pruneIdempotencyKeys(db: Db, hours: number, now: Date = new Date()): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('created_at', '<', new Date(now.getTime() - hours * 3_600_000)).executeTakeFirst();
  return Number(result.numDeletedRows);
}
