import { beforeAll, expect, it } from 'vitest';
import { sealAuditChain, verifyAuditChain } from '../audit/audit-log.ts';
import { describeDatabases } from '../db/test-databases.ts';
import { createEnterprise } from '../enterprises/enterprises.ts';
import { generateUscc, seededRandom } from '../enterprises/uscc.ts';
import { ValidationError } from '../errors.ts';
import { DEFAULT_SECURITY_CONFIG, type SecurityConfig } from './security-config.ts';
import { authenticate, hashToken, login, loginClient, logout, pruneLoginFailures, purgeEndedSessions } from './sessions.ts';
import { createUser, setPassword, setUserDisabled, unlockUser } from './users.ts';

const config: SecurityConfig = {
  ...DEFAULT_SECURITY_CONFIG,
  maxFailedLogins: 3,
  lockoutMinutes: 15,
  sessionIdleMinutes: 30,
  sessionMaxHours: 12,
  sessionTouchSeconds: 60,
  // Cheap hashing keeps the suite fast; the production parameters are tested in passwords.test.ts.
  scrypt: { N: 2 ** 10, r: 8, p: 1, keyLength: 32 },
};
const admin = { userId: null, name: 'admin-test' };
const PASSWORD = 'Wujiang-open-2020';
const T0 = new Date('2020-06-01T09:00:00+08:00');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

let counter = 0;
async function newUser(db: Parameters<typeof createUser>[0], role: 'finance' | 'auditor' = 'finance') {
  return createUser(db, { username: `user${++counter}`, displayName: `用户${counter}`, password: PASSWORD, role }, { actor: admin, config });
}

describeDatabases('identity', (t) => {
  const uscc = generateUscc({ random: seededRandom(5) });
  beforeAll(async () => {
    await createEnterprise(t.db, { uscc, name: '吴江测试电子有限公司', areaId: 'jiangling', industryClass: 'highTech' }, { actor: admin });
  });

  it('creates users of each scoped role, storing a salted hash and never the password', async () => {
    const e = await createUser(t.db, { username: 'Factory.Boss', displayName: '王经理', password: PASSWORD, role: 'enterprise', enterpriseUscc: uscc.toLowerCase() }, { actor: admin, config });
    expect(e).toMatchObject({ username: 'factory.boss', role: 'enterprise', enterpriseUscc: uscc, areaId: null });
    const a = await createUser(t.db, { username: 'jiangling.review', displayName: '江陵初审', password: PASSWORD, role: 'areaReviewer', areaId: 'jiangling' }, { actor: admin, config });
    expect(a.areaId).toBe('jiangling');
    const d = await createUser(
      t.db,
      { username: 'commerce.review', displayName: '商务局', password: PASSWORD, role: 'departmentReviewer', departmentId: 'commerce' },
      { actor: admin, config, isDepartmentId: (id) => id === 'commerce' },
    );
    expect(d.departmentId).toBe('commerce');
    const row = await t.db.selectFrom('users').select('password_hash').where('id', '=', e.id).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
    const audit = await t.db.selectFrom('audit_log').select(['action', 'actor']).where('entity', '=', 'user').where('entity_id', '=', String(e.id)).execute();
    expect(audit).toEqual([{ action: 'user.create', actor: 'admin-test' }]);
  });

  it('reports every bad field of a new user at once and stores nothing', async () => {
    const before = (await t.db.selectFrom('users').select('id').execute()).length;
    const err = await createUser(
      t.db,
      { username: 'x', displayName: '', password: 'short', role: 'areaReviewer', areaId: 'atlantis', enterpriseUscc: uscc },
      { actor: admin, config },
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).errors.map((e) => [e.path, e.code])).toEqual([
      ['username', 'invalid_username'],
      ['displayName', 'invalid_display_name'],
      ['password', 'weak_password'],
      ['enterpriseUscc', 'scope_not_allowed'],
      ['areaId', 'unknown_area'],
    ]);
    await expect(
      createUser(t.db, { username: 'nobody.ent', displayName: 'x', password: PASSWORD, role: 'enterprise' }, { actor: admin, config }),
    ).rejects.toMatchObject({ path: 'enterpriseUscc', code: 'scope_required' });
    await expect(
      createUser(t.db, { username: 'ghost.ent', displayName: 'x', password: PASSWORD, role: 'enterprise', enterpriseUscc: '91440300708461136T' }, { actor: admin, config }),
    ).rejects.toMatchObject({ path: 'enterpriseUscc', code: 'unknown_enterprise' });
    await expect(
      createUser(t.db, { username: 'factory.boss', displayName: 'x', password: PASSWORD, role: 'finance' }, { actor: admin, config }),
    ).rejects.toMatchObject({ path: 'username', code: 'username_taken' });
    expect((await t.db.selectFrom('users').select('id').execute()).length).toBe(before);
  });

  it('logs in with the right password, storing only a hash of the session token', async () => {
    const u = await newUser(t.db);
    const session = await login(t.db, { username: u.username.toUpperCase(), password: PASSWORD, ip: '10.1.1.1' }, { config, now: T0 });
    expect(session.user).toEqual(u);
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.expiresAt).toEqual(minutes(12 * 60));
    const stored = await t.db.selectFrom('sessions').selectAll().where('user_id', '=', u.id).execute();
    expect(stored.map((s) => s.token_hash)).toEqual([hashToken(session.token)]);
    expect(JSON.stringify(stored)).not.toContain(session.token);
    expect(await authenticate(t.db, session.token, { config, now: minutes(1) })).toEqual({ ok: true, user: u, expiresAt: session.expiresAt, secondFactorPending: false });
    expect(await authenticate(t.db, session.token + 'x', { config, now: minutes(1) })).toEqual({ ok: false, reason: 'unknown' });
  });

  it('answers an unknown username exactly like a wrong password', async () => {
    const u = await newUser(t.db);
    const unknown = await login(t.db, { username: 'no.such.user', password: PASSWORD }, { config, now: T0 }).catch((e) => e);
    const wrong = await login(t.db, { username: u.username, password: 'wrong password!' }, { config, now: T0 }).catch((e) => e);
    expect(unknown.code).toBe('invalid_credentials');
    expect([unknown.code, unknown.messageZh, unknown.messageEn]).toEqual([wrong.code, wrong.messageZh, wrong.messageEn]);
  });

  it('locks the account after the configured failures, refuses even the right password until the lock runs out', async () => {
    const u = await newUser(t.db);
    const attempt = (password: string, at: Date) => login(t.db, { username: u.username, password }, { config, now: at }).catch((e) => e);
    expect((await attempt('wrong-1', minutes(0))).code).toBe('invalid_credentials');
    expect((await attempt('wrong-2', minutes(1))).code).toBe('invalid_credentials');
    const third = await attempt('wrong-3', minutes(2));
    expect(third.code).toBe('account_locked');
    expect(third.messageZh).toContain('15分钟后再试');
    expect((await attempt(PASSWORD, minutes(16))).code).toBe('account_locked');
    const ok = await attempt(PASSWORD, minutes(17));
    expect(ok.token).toBeTypeOf('string');
    // a successful login from the client clears its count
    expect(await t.db.selectFrom('login_failures').selectAll().where('user_id', '=', u.id).execute()).toEqual([]);
  });

  it('resets the failure count on success, so only failures in a row lock', async () => {
    const u = await newUser(t.db);
    const attempt = (password: string) => login(t.db, { username: u.username, password }, { config, now: T0 }).catch((e) => e);
    await attempt('wrong-1');
    await attempt('wrong-2');
    expect((await attempt(PASSWORD)).token).toBeDefined();
    expect((await attempt('wrong-3')).code).toBe('invalid_credentials');
    expect((await attempt('wrong-4')).code).toBe('invalid_credentials');
    expect((await attempt('wrong-5')).code).toBe('account_locked');
  });

  it('counts parallel guesses exactly: no guess slips past the limit', async () => {
    const u = await newUser(t.db);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => login(t.db, { username: u.username, password: `guess-${i}` }, { config, now: T0 }).catch((e) => e.code)),
    );
    expect(results.filter((c) => c === 'invalid_credentials')).toHaveLength(2);
    expect(results.filter((c) => c === 'account_locked')).toHaveLength(8);
    const audit = await t.db.selectFrom('audit_log').select('action').where('entity', '=', 'user').where('entity_id', '=', String(u.id)).execute();
    const count = (action: string) => audit.filter((r) => r.action === action).length;
    expect([count('auth.loginFailed'), count('auth.locked'), count('auth.loginRefused')]).toEqual([2, 1, 7]);
    await expect(login(t.db, { username: u.username, password: PASSWORD }, { config, now: T0 })).rejects.toMatchObject({ code: 'account_locked' });
    await unlockUser(t.db, u.id, { actor: admin });
    await expect(login(t.db, { username: u.username, password: PASSWORD }, { config, now: T0 })).resolves.toHaveProperty('token');
  });

  it('locks per account and client address: a guesser elsewhere cannot shut the owner out', async () => {
    const u = await newUser(t.db);
    const from = (ip: string, password: string, at = T0) => login(t.db, { username: u.username, password, ip }, { config, now: at }).catch((e) => e);
    const attacker = '198.51.100.7';
    expect((await from(attacker, 'guess-1')).code).toBe('invalid_credentials');
    expect((await from(attacker, 'guess-2')).code).toBe('invalid_credentials');
    const locked = await from(attacker, 'guess-3');
    expect(locked.code).toBe('account_locked');
    expect(locked.messageZh).toContain('此地址');
    // the owner, from the office, signs in at once — the lock is the attacker's
    expect((await from('203.0.113.9', PASSWORD)).token).toBeTypeOf('string');
    // and the owner's success does not lift the attacker's lock
    expect((await from(attacker, PASSWORD, minutes(1))).code).toBe('account_locked');
    expect((await from(attacker, PASSWORD, minutes(14))).code).toBe('account_locked');
    expect((await from(attacker, PASSWORD, minutes(16))).token).toBeTypeOf('string');
    const audit = await t.db.selectFrom('audit_log').select(['action', 'ip', 'details']).where('entity', '=', 'user').where('entity_id', '=', String(u.id)).where('action', '=', 'auth.locked').execute();
    expect(audit).toEqual([expect.objectContaining({ ip: attacker, details: expect.objectContaining({ client: attacker, failures: 3 }) })]);
  });

  it('counts an IPv6 client by its /64 network and an IPv4-mapped address as the IPv4 one', async () => {
    expect(loginClient('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(loginClient('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(loginClient('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(loginClient('::1')).toBe('0:0:0:0::/64');
    expect(loginClient('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(loginClient('192.0.2.1')).toBe('192.0.2.1');
    expect(loginClient(null)).toBe('');

    const u = await newUser(t.db);
    const from = (ip: string, password: string) => login(t.db, { username: u.username, password, ip }, { config, now: T0 }).catch((e) => e);
    // three addresses of one /64 are one client: the third failure locks it
    await from('2001:db8:5:6::1', 'guess-1');
    await from('2001:db8:5:6::2', 'guess-2');
    expect((await from('2001:db8:5:6:ffff::3', 'guess-3')).code).toBe('account_locked');
    expect((await from('2001:db8:5:6::4', PASSWORD)).code).toBe('account_locked');
    // the next /64 is another client
    expect((await from('2001:db8:5:7::1', PASSWORD)).token).toBeTypeOf('string');
  });

  it('forgets failures older than the lockout period, and housekeeping deletes the stale counts', async () => {
    const u = await newUser(t.db);
    const attempt = (password: string, at: Date) => login(t.db, { username: u.username, password, ip: '192.0.2.50' }, { config, now: at }).catch((e) => e);
    await attempt('wrong-1', minutes(0));
    await attempt('wrong-2', minutes(1));
    // 15 minutes after the last failure the count starts again: this is failure 1, not 3
    expect((await attempt('wrong-3', minutes(16))).code).toBe('invalid_credentials');
    expect((await attempt('wrong-4', minutes(17))).code).toBe('invalid_credentials');
    expect((await attempt('wrong-5', minutes(18))).code).toBe('account_locked');
    const rows = () => t.db.selectFrom('login_failures').select('client').where('user_id', '=', u.id).execute();
    await pruneLoginFailures(t.db, { config, now: minutes(30) });
    expect(await rows(), 'still locked until 33 min').toHaveLength(1);
    await pruneLoginFailures(t.db, { config, now: minutes(34) });
    expect(await rows()).toEqual([]);
  });

  it("an administrator's unlock and a new password lift the locks of every client", async () => {
    const u = await newUser(t.db);
    const from = (ip: string, password: string) => login(t.db, { username: u.username, password, ip }, { config, now: T0 }).catch((e) => e);
    for (const ip of ['192.0.2.60', '192.0.2.61']) for (let i = 0; i < 3; i++) await from(ip, `wrong-${i}`);
    expect((await from('192.0.2.60', PASSWORD)).code).toBe('account_locked');
    await unlockUser(t.db, u.id, { actor: admin });
    expect((await from('192.0.2.60', PASSWORD)).token).toBeTypeOf('string');
    expect((await from('192.0.2.61', PASSWORD)).token).toBeTypeOf('string');
    for (let i = 0; i < 3; i++) await from('192.0.2.62', `wrong-${i}`);
    await setPassword(t.db, u.id, 'Another-good-pass-2021', { actor: admin, config });
    expect((await from('192.0.2.62', 'Another-good-pass-2021')).token).toBeTypeOf('string');
  });

  it('ends a session after the idle timeout, while use keeps it alive', async () => {
    const u = await newUser(t.db);
    const { token } = await login(t.db, { username: u.username, password: PASSWORD }, { config, now: T0 });
    expect((await authenticate(t.db, token, { config, now: minutes(29) })).ok).toBe(true);
    // Used at 29 min, so 58 min is 29 min idle: still alive.
    expect((await authenticate(t.db, token, { config, now: minutes(58) })).ok).toBe(true);
    expect(await authenticate(t.db, token, { config, now: minutes(88) })).toEqual({ ok: false, reason: 'idle' });
    expect(await authenticate(t.db, token, { config, now: minutes(89) })).toEqual({ ok: false, reason: 'unknown' });
  });

  it('ends even a busy session at its maximum age', async () => {
    const u = await newUser(t.db);
    const { token } = await login(t.db, { username: u.username, password: PASSWORD }, { config, now: T0 });
    for (let m = 20; m < 12 * 60; m += 20) expect((await authenticate(t.db, token, { config, now: minutes(m) })).ok).toBe(true);
    expect(await authenticate(t.db, token, { config, now: minutes(12 * 60) })).toEqual({ ok: false, reason: 'expired' });
  });

  it('ends sessions at logout, password change and when the account is disabled', async () => {
    const u = await newUser(t.db);
    const open = async () => (await login(t.db, { username: u.username, password: PASSWORD }, { config, now: T0 })).token;
    // Each session is used first, so this process remembers its check (recent-sessions.ts): ending it must forget it.
    const a = await open();
    expect((await authenticate(t.db, a, { config, now: T0 })).ok).toBe(true);
    await logout(t.db, a, { ip: '10.1.1.2' });
    expect((await authenticate(t.db, a, { config, now: T0 })).ok).toBe(false);

    const b = await open();
    expect((await authenticate(t.db, b, { config, now: T0 })).ok).toBe(true);
    await setPassword(t.db, u.id, 'A-new-passphrase', { actor: admin, config });
    expect((await authenticate(t.db, b, { config, now: T0 })).ok).toBe(false);
    await expect(login(t.db, { username: u.username, password: PASSWORD }, { config, now: T0 })).rejects.toMatchObject({ code: 'invalid_credentials' });
    const c = (await login(t.db, { username: u.username, password: 'A-new-passphrase' }, { config, now: T0 })).token;

    expect((await authenticate(t.db, c, { config, now: T0 })).ok).toBe(true);
    await setUserDisabled(t.db, u.id, true, { actor: admin });
    expect((await authenticate(t.db, c, { config, now: T0 })).ok).toBe(false);
    await expect(login(t.db, { username: u.username, password: 'A-new-passphrase' }, { config, now: T0 })).rejects.toMatchObject({ code: 'invalid_credentials' });

    const actions = await t.db.selectFrom('audit_log').select('action').where('entity_id', '=', String(u.id)).orderBy('id').execute();
    expect(actions.map((r) => r.action)).toEqual([
      'user.create', 'auth.login', 'auth.logout', 'auth.login', 'user.setPassword', 'auth.loginFailed', 'auth.login', 'user.disable', 'auth.loginFailed',
    ]);
  });

  it('reuses a check of the same session for sessionRecheckMs, then asks the database again', async () => {
    const u = await newUser(t.db);
    const { token } = await login(t.db, { username: u.username, password: PASSWORD }, { config, now: T0 });
    expect((await authenticate(t.db, token, { config, now: T0 })).ok).toBe(true);
    // Ended behind this process's back (another server process logging it out): within the window the check is
    // reused, after it the database answers.
    await t.db.deleteFrom('sessions').where('token_hash', '=', hashToken(token)).execute();
    const at = (ms: number) => ({ config, now: new Date(T0.getTime() + ms) });
    expect(await authenticate(t.db, token, at(config.sessionRecheckMs - 1))).toMatchObject({ ok: true, user: { id: u.id } });
    expect(await authenticate(t.db, token, at(config.sessionRecheckMs))).toEqual({ ok: false, reason: 'unknown' });

    // Turned off, every request asks the database.
    const off = { ...config, sessionRecheckMs: 0 };
    const second = await login(t.db, { username: u.username, password: PASSWORD }, { config: off, now: T0 });
    expect((await authenticate(t.db, second.token, { config: off, now: T0 })).ok).toBe(true);
    await t.db.deleteFrom('sessions').where('token_hash', '=', hashToken(second.token)).execute();
    expect(await authenticate(t.db, second.token, { config: off, now: T0 })).toEqual({ ok: false, reason: 'unknown' });
  });

  it('re-hashes a password made with older parameters at the next login', async () => {
    const u = await newUser(t.db);
    const stronger = { ...config, scrypt: { ...config.scrypt, N: 2 ** 11 } };
    await login(t.db, { username: u.username, password: PASSWORD }, { config: stronger, now: T0 });
    const row = await t.db.selectFrom('users').select('password_hash').where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.password_hash.startsWith('scrypt$2048$')).toBe(true);
    await expect(login(t.db, { username: u.username, password: PASSWORD }, { config: stronger, now: T0 })).resolves.toHaveProperty('token');
  });

  it('purges ended sessions and leaves a verifiable audit chain behind all of this', async () => {
    const purged = await purgeEndedSessions(t.db, { config, now: minutes(24 * 60) });
    expect(purged).toBeGreaterThan(0);
    expect(await t.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
    await sealAuditChain(t.db);
    expect(await verifyAuditChain(t.db)).toMatchObject({ ok: true, pending: { count: 0 } });
  });
});
