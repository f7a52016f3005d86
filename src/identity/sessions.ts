/**
 * Login, lockout and sessions.
 *
 * - A wrong password counts against the account *and the client address it came from* (an IPv6 client by its
 *   /64 network, which one host can change at will); `maxFailedLogins` in a row from that client lock the account
 *   for that client for `lockoutMinutes`. While locked, even the right password from that client is refused
 *   (otherwise the lock would not slow a guesser down) — but the owner signing in from their own office is not:
 *   a lock on the whole account let anyone who knew the name `finance` shut the finance bureau out with five
 *   wrong passwords. A failure more than `lockoutMinutes` after the previous one starts the count again.
 *   What this leaves open: a guesser with many addresses gets `maxFailedLogins` guesses per address and lockout
 *   period, bounded by the per-address rate limit (http/auth.ts) and the cost of scrypt; behind a reverse proxy
 *   the client address is the proxy's unless KAIFANG_TRUST_PROXY names it, and then all clients share one lock.
 *   The attempt is counted under the user's row lock, so parallel guesses cannot slip past the limit.
 * - An unknown username gets the same answer as a wrong password, after the same scrypt work, so neither
 *   the message nor the timing tells which usernames exist.
 * - A session token is 32 random bytes, given to the client once; the database keeps only its sha256.
 *   A session ends after `sessionIdleMinutes` without use, or `sessionMaxHours` after login.
 * - Every outcome is audited (login, failure, lockout, logout) in the same transaction as its effect.
 *
 * Times come from `now` (default: the clock) so tests can move time instead of waiting.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { appendAudit, type AuditActor } from '../audit/audit-log.ts';
import { inTransaction, type Db } from '../db/transaction.ts';
import { KaifangError } from '../errors.ts';
import { hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { securityConfig, type SecurityConfig } from './security-config.ts';
import { forgetSession, recentSession, rememberSession } from './recent-sessions.ts';
import { toPrincipal, type Principal } from './users.ts';

export interface LoginInput {
  username: string;
  password: string;
  ip?: string | null;
  userAgent?: string | null;
}

export interface ClockOptions {
  config?: SecurityConfig;
  now?: Date;
}

export interface LoginResult {
  /** The bearer token: give it to the client (cookie) and never store or log it. */
  token: string;
  expiresAt: Date;
  user: Principal;
}

const MINUTE = 60_000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

let dummyHash: Promise<string> | undefined;
let dummyHashParams = '';

/** A hash to verify against when the username is unknown, so that answer costs the same time. */
function dummyPasswordHash(config: SecurityConfig): Promise<string> {
  const key = JSON.stringify(config.scrypt);
  if (!dummyHash || dummyHashParams !== key) {
    dummyHashParams = key;
    dummyHash = hashPassword(randomBytes(16).toString('hex'), config.scrypt);
  }
  return dummyHash;
}

/**
 * The client a login attempt is counted against: an IPv4 address as it is (also when written IPv4-mapped,
 * ::ffff:a.b.c.d), an IPv6 address by its /64 network — one host is given a whole /64 and can pick any address
 * in it, so counting per address would give it 2^64 fresh counters. '' when the address is unknown.
 */
export function loginClient(ip: string | null | undefined): string {
  const a = (ip ?? '').trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(a)) return a;
  if (!isIPv6(a)) return a.slice(0, 100);
  const [head, tail = ''] = a.split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = a.includes('::') && tail ? tail.split(':') : [];
  // an embedded IPv4 tail (::a.b.c.d) lies beyond the first four groups: only the prefix is kept
  const groups = a.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

type Outcome =
  | { kind: 'ok'; result: LoginResult }
  | { kind: 'invalid' }
  | { kind: 'locked'; until: Date };

/**
 * Checks the password and opens a session; throws KaifangError `invalid_credentials` or `account_locked`.
 * Failure counts and lockouts are committed even though the call throws.
 */
export async function login(db: Db, input: LoginInput, options: ClockOptions = {}): Promise<LoginResult> {
  const config = options.config ?? securityConfig();
  const now = options.now ?? new Date();
  const username = String(input.username ?? '').trim().toLowerCase();
  const password = String(input.password ?? '');
  const actor = (userId: number | null): AuditActor => ({ userId, name: username.slice(0, 64) || '(empty)', ip: input.ip ?? null });
  const client = loginClient(input.ip);

  // scrypt runs before the transaction: on PGlite a transaction holds the only connection, and ~0.1 s of
  // hashing inside it would stall every other request. The counting below re-reads the row under lock.
  const candidate = await db.selectFrom('users').select(['id', 'password_hash']).where('username', '=', username).executeTakeFirst();
  const passwordOk = await verifyPassword(password, candidate?.password_hash ?? (await dummyPasswordHash(config)));

  const outcome = await inTransaction(db, async (trx): Promise<Outcome> => {
    const user = await trx.selectFrom('users').selectAll().where('username', '=', username).forUpdate().executeTakeFirst();

    if (!user || user.disabled_at) {
      await appendAudit(trx, actor(user?.id ?? null), {
        action: 'auth.loginFailed',
        entity: 'user',
        entityId: user?.id ?? null,
        details: { reason: user ? 'disabled' : 'unknownUser' },
      });
      return { kind: 'invalid' };
    }

    const counted = await trx
      .selectFrom('login_failures')
      .selectAll()
      .where('user_id', '=', user.id)
      .where('client', '=', client)
      .executeTakeFirst();
    if (counted?.locked_until && counted.locked_until > now) {
      await appendAudit(trx, actor(user.id), {
        action: 'auth.loginRefused',
        entity: 'user',
        entityId: user.id,
        details: { reason: 'locked', client, lockedUntil: counted.locked_until.toISOString() },
      });
      return { kind: 'locked', until: counted.locked_until };
    }

    // A password changed since it was checked above makes the check stale: count it as a failure.
    if (!passwordOk || user.password_hash !== candidate?.password_hash) {
      const recent = counted && !counted.locked_until && now.getTime() - counted.last_failed_at.getTime() < config.lockoutMinutes * MINUTE;
      const failures = (counted && recent ? counted.failures : 0) + 1;
      const locks = failures >= config.maxFailedLogins;
      const until = locks ? new Date(now.getTime() + config.lockoutMinutes * MINUTE) : null;
      const row = { failures: locks ? 0 : failures, last_failed_at: now, locked_until: until };
      await trx
        .insertInto('login_failures')
        .values({ user_id: user.id, client, ...row })
        .onConflict((oc) => oc.columns(['user_id', 'client']).doUpdateSet(row))
        .execute();
      if (until) {
        await appendAudit(trx, actor(user.id), {
          action: 'auth.locked',
          entity: 'user',
          entityId: user.id,
          details: { failures, client, lockedUntil: until.toISOString() },
        });
        return { kind: 'locked', until };
      }
      await appendAudit(trx, actor(user.id), {
        action: 'auth.loginFailed',
        entity: 'user',
        entityId: user.id,
        details: { reason: 'wrongPassword', failures, client },
      });
      return { kind: 'invalid' };
    }

    if (counted) await trx.deleteFrom('login_failures').where('user_id', '=', user.id).where('client', '=', client).execute();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + config.sessionMaxHours * 60 * MINUTE);
    await trx
      .insertInto('sessions')
      .values({
        token_hash: hashToken(token),
        user_id: user.id,
        created_at: now,
        last_seen_at: now,
        expires_at: expiresAt,
        ip: input.ip ?? null,
        user_agent: input.userAgent?.slice(0, 500) ?? null,
        // a user with a second factor has signed in only half way: the code comes next (sign-in.ts)
        second_factor_pending: user.totp_secret !== null,
      })
      .execute();
    await appendAudit(trx, actor(user.id), { action: 'auth.login', entity: 'user', entityId: user.id });
    return { kind: 'ok', result: { token, expiresAt, user: toPrincipal(user) } };
  });

  if (outcome.kind === 'ok' && candidate && needsRehash(candidate.password_hash, config.scrypt)) {
    // Raised scrypt parameters reach existing accounts at their next login, the only time the password is known.
    const rehashed = await hashPassword(password, config.scrypt);
    await db
      .updateTable('users')
      .set({ password_hash: rehashed })
      .where('id', '=', candidate.id)
      .where('password_hash', '=', candidate.password_hash)
      .execute();
  }
  if (outcome.kind === 'ok') return outcome.result;
  if (outcome.kind === 'locked') {
    const minutes = Math.max(1, Math.ceil((outcome.until.getTime() - now.getTime()) / MINUTE));
    throw new KaifangError({
      code: 'account_locked',
      zh: `从此地址登录的密码错误次数过多，该账户在此地址已锁定，请${minutes}分钟后再试（其他地址不受影响）`,
      en: `too many failed attempts from this address: the account is locked for this address, try again in ${minutes} minutes (other addresses are not affected)`,
      details: { lockedUntil: outcome.until.toISOString() },
    });
  }
  // The same words whether the username exists or not, so the answer does not reveal which do.
  throw new KaifangError({
    code: 'invalid_credentials',
    zh: `用户名或密码错误（从同一地址连续错误${config.maxFailedLogins}次，该账户将在此地址锁定${config.lockoutMinutes}分钟）`,
    en: `wrong username or password (${config.maxFailedLogins} failures in a row from one address lock the account for that address for ${config.lockoutMinutes} minutes)`,
  });
}

export type SessionCheck =
  | { ok: true; user: Principal; expiresAt: Date; secondFactorPending?: boolean }
  | { ok: false; reason: 'unknown' | 'idle' | 'expired' | 'disabled' };

/**
 * The user behind a session token, or why there is none. An ended session is deleted. Use is recorded
 * (last_seen) at most every `sessionTouchSeconds`. A check of the same session a moment ago is reused
 * (recent-sessions.ts) unless the session is due to end or to be touched.
 */
export async function authenticate(db: Db, token: string, options: ClockOptions = {}): Promise<SessionCheck> {
  const config = options.config ?? securityConfig();
  const now = options.now ?? new Date();
  if (!token) return { ok: false, reason: 'unknown' };
  const tokenHash = hashToken(token);
  const t = now.getTime();
  const seen = recentSession(tokenHash, t, config.sessionRecheckMs);
  if (seen && t < seen.expiresAt.getTime() && t - seen.lastSeenAt.getTime() < Math.min(config.sessionIdleMinutes * MINUTE, config.sessionTouchSeconds * 1000)) {
    return { ok: true, user: seen.user, expiresAt: seen.expiresAt, secondFactorPending: seen.secondFactorPending };
  }
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.last_seen_at', 'sessions.expires_at', 'sessions.second_factor_pending'])
    .where('sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'unknown' };

  const reason = row.disabled_at
    ? 'disabled'
    : now >= row.expires_at
      ? 'expired'
      : now.getTime() - row.last_seen_at.getTime() >= config.sessionIdleMinutes * MINUTE
        ? 'idle'
        : undefined;
  if (reason) {
    forgetSession(tokenHash);
    await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
    return { ok: false, reason };
  }
  let lastSeenAt = row.last_seen_at;
  if (now.getTime() - row.last_seen_at.getTime() >= config.sessionTouchSeconds * 1000) {
    await db.updateTable('sessions').set({ last_seen_at: now }).where('token_hash', '=', tokenHash).execute();
    lastSeenAt = now;
  }
  const user = toPrincipal(row);
  const secondFactorPending = row.second_factor_pending;
  rememberSession(tokenHash, { user, expiresAt: row.expires_at, lastSeenAt, checkedAt: t, secondFactorPending }, config.sessionRecheckMs);
  return { ok: true, user, expiresAt: row.expires_at, secondFactorPending };
}

/** Ends a session (the token stops working at once). */
export async function logout(db: Db, token: string, options: { ip?: string | null } = {}): Promise<void> {
  forgetSession(hashToken(token));
  await inTransaction(db, async (trx) => {
    const session = await trx
      .deleteFrom('sessions')
      .where('token_hash', '=', hashToken(token))
      .returning('user_id')
      .executeTakeFirst();
    if (!session) return;
    const user = await trx.selectFrom('users').select('username').where('id', '=', session.user_id).executeTakeFirst();
    await appendAudit(trx, { userId: session.user_id, name: user?.username ?? String(session.user_id), ip: options.ip ?? null }, {
      action: 'auth.logout',
      entity: 'user',
      entityId: session.user_id,
    });
  });
}

/**
 * Deletes login-failure counts that no longer count: the last failure and any lock more than `lockoutMinutes`
 * ago. Returns how many.
 */
export async function pruneLoginFailures(db: Db, options: ClockOptions = {}): Promise<number> {
  const config = options.config ?? securityConfig();
  const now = options.now ?? new Date();
  const before = new Date(now.getTime() - config.lockoutMinutes * MINUTE);
  const result = await db
    .deleteFrom('login_failures')
    .where('last_failed_at', '<=', before)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes sessions that have ended (idle or past their maximum age); returns how many. */
export async function purgeEndedSessions(db: Db, options: ClockOptions = {}): Promise<number> {
  const config = options.config ?? securityConfig();
  const now = options.now ?? new Date();
  const idleBefore = new Date(now.getTime() - config.sessionIdleMinutes * MINUTE);
  const result = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleBefore)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
