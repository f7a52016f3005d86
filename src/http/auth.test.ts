// Sessions over HTTP: login sets a safe cookie, /api/me says who you are, wrong passwords are 401 and lock the
// account for the address they came from (423), an idle session is 401 session_expired, logout ends the session at once.
import { beforeAll, expect, it } from 'vitest';
import { describeDatabases } from '../db/test-databases.ts';
import { createWorld, FAST_SECURITY, type World } from '../claims/fixture.ts';
import { countRows, login, platformApp, sessionCookie, TEST_PASSWORD, type TestPlatform } from './test-support.ts';

describeDatabases('http sessions', (t) => {
  let p: TestPlatform;
  let w: World;
  let now = new Date('2021-03-01T02:00:00Z');
  beforeAll(async () => {
    w = await createWorld(t.db);
    p = await platformApp(t.db, { security: { ...FAST_SECURITY, maxFailedLogins: 3 }, now: () => now });
    return () => p.app.close();
  });

  it('logs in with an httpOnly SameSite=Lax cookie and tells the enterprise user its enterprise', async () => {
    const res = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'cable', password: TEST_PASSWORD } });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'kaifang_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.secure).toBeFalsy(); // plain http in tests; https (X-Forwarded-Proto from a trusted proxy) sets Secure
    expect(res.json().user).toMatchObject({ username: 'cable', role: 'enterprise', enterpriseUscc: w.enterprises.cable, enterprise: { uscc: w.enterprises.cable, name: '苏州长缆光通信有限公司', areaId: 'shengze', industryClass: 'leading' } });
    const me = await p.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: sessionCookie(res) } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: w.users.cable.id, role: 'enterprise', areaId: null });
    const official = await p.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: await login(p.app, 'shengze') } });
    expect(official.json()).toMatchObject({ role: 'areaReviewer', areaId: 'shengze' });
    expect(official.json().enterprise).toBeUndefined();
  });

  it('behind HTTPS the cookie is Secure — when the proxy that says so is trusted (KAIFANG_TRUST_PROXY)', async () => {
    const viaProxy = { method: 'POST' as const, url: '/api/auth/login', headers: { 'x-forwarded-proto': 'https' }, payload: { username: 'finance', password: TEST_PASSWORD } };
    const proxied = await platformApp(t.db, { trustProxy: '127.0.0.1' }); // inject's requests come from 127.0.0.1
    try {
      const res = await proxied.app.inject(viaProxy);
      expect(res.cookies.find((c) => c.name === 'kaifang_session')!.secure).toBe(true);
    } finally {
      await proxied.app.close();
    }
    // an untrusted sender's X-Forwarded-Proto changes nothing
    expect((await p.app.inject(viaProxy)).cookies.find((c) => c.name === 'kaifang_session')!.secure).toBeFalsy();
  });

  it('limits login attempts per client address, whatever the usernames, before any password is checked', async () => {
    const limited = await platformApp(t.db, { security: { ...FAST_SECURITY, loginAttemptsPerMinute: 3 } });
    try {
      const attempt = (username: string, remoteAddress = '198.51.100.20') => limited.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { username, password: 'not-the-password' } });
      for (const u of ['finance', 'auditor', 'cable']) expect((await attempt(u)).statusCode).toBe(401);
      const before = await countRows(t.db, ['audit_log', 'sessions']);
      const refused = await attempt('textile');
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.json()).toMatchObject({ status: 429, code: 'rate_limited' });
      expect(refused.json().messageZh).toContain('每分钟最多3次');
      expect(await countRows(t.db, ['audit_log', 'sessions']), 'a refused attempt is neither audited nor counted').toEqual(before);
      expect((await attempt('textile', '198.51.100.21')).statusCode, 'another address is not held back').toBe(401);
    } finally {
      await limited.app.close();
    }
  });

  it('anonymous requests are 401 unauthenticated problems, before any input is looked at', async () => {
    const me = await p.app.inject({ method: 'GET', url: '/api/me' });
    expect(me.statusCode).toBe(401);
    expect(me.headers['content-type']).toContain('application/problem+json');
    expect(me.json()).toMatchObject({ code: 'unauthenticated', messageZh: '请先登录' });
    const bad = await p.app.inject({ method: 'POST', url: '/api/claims', payload: { nonsense: true } });
    expect(bad.statusCode).toBe(401);
    const forged = await p.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: 'kaifang_session=forged' } });
    expect(forged.json().code).toBe('unauthenticated');
  });

  it('a wrong password is 401 bad_credentials, the same answer as an unknown user; repeated failures lock (423)', async () => {
    const wrong = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'textile', password: 'not-the-password' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ code: 'bad_credentials' });
    expect(wrong.json().messageZh).toContain('用户名或密码错误');
    const unknown = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody-here', password: 'x' } });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().messageZh).toBe(wrong.json().messageZh);
    await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'textile', password: 'still-wrong' } });
    const locked = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'textile', password: 'again-wrong' } });
    expect(locked.statusCode).toBe(423);
    expect(locked.json()).toMatchObject({ code: 'account_locked' });
    // the right password is refused while locked
    const right = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'textile', password: TEST_PASSWORD } });
    expect(right.statusCode).toBe(423);
    expect(right.cookies.find((c) => c.name === 'kaifang_session')).toBeUndefined();
  });

  it('five wrong passwords from one address cannot shut an official out: the lock is per account and address', async () => {
    const attempt = (password: string, remoteAddress: string) => p.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, payload: { username: 'finance', password } });
    const attacker = '198.51.100.66';
    for (const guess of ['guess-1', 'guess-2']) expect((await attempt(guess, attacker)).statusCode).toBe(401);
    const locked = await attempt('guess-3', attacker);
    expect(locked.statusCode).toBe(423);
    expect(locked.json().messageEn).toContain('other addresses are not affected');
    expect((await attempt(TEST_PASSWORD, attacker)).statusCode, 'the attacker stays locked out').toBe(423);
    const official = await attempt(TEST_PASSWORD, '203.0.113.5');
    expect(official.statusCode, official.body).toBe(200);
    expect(official.cookies.find((c) => c.name === 'kaifang_session')).toBeDefined();
  });

  it('login input is schema-checked and names the field', async () => {
    const res = await p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'cable' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ path: 'body.password', code: 'schema_required' });
  });

  it('an idle session ends: 401 session_expired, and the cookie is cleared', async () => {
    const cookie = await login(p.app, 'auditor');
    expect((await p.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(200);
    const before = now;
    now = new Date(now.getTime() + (FAST_SECURITY.sessionIdleMinutes + 1) * 60_000);
    try {
      const res = await p.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('session_expired');
      expect(res.cookies.find((c) => c.name === 'kaifang_session')?.value).toBe('');
    } finally {
      now = before;
    }
  });

  it('logout ends the session at once (204), and is harmless without one', async () => {
    const cookie = await login(p.app, 'admin');
    const out = await p.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect((await p.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(401);
    expect((await p.app.inject({ method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204);
    const audit = await t.db.selectFrom('audit_log').select('action').where('actor_user_id', '=', w.users.admin.id).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['auth.login', 'auth.logout']));
  });
});
