// Users and sign-in over HTTP, as the administrators and users of the web app do it: a district admin creates a
// department reviewer and an enterprise user (one-time passwords, shown once, never stored), the new users are
// made to change them before anything else; an enterprise's administrator adds and disables colleagues of its
// own USCC only; disable, enable, unlock, reset; every user changes their own password; officials turn on a TOTP
// second factor and are then asked for the code at sign-in; the demo password must be changed outside the demo.
import { beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeDatabases } from '../../db/test-databases.ts';
import { createWorld, FAST_SECURITY, type World } from '../../claims/fixture.ts';
import { createPlatformContext } from '../../claims/context.ts';
import { createUser } from '../../identity/users.ts';
import { currentCode } from '../../identity/second-factor.ts';
import { PUBLISHED_PASSWORDS } from '../../identity/sign-in.ts';
import { DEMO_PASSWORD } from '../../demo/seed.ts';
import { SYSTEM_ACTOR } from '../../audit/audit-log.ts';
import { buildApp } from '../app.ts';
import { platformRoutes } from '../platform.ts';
import { countRows, login, platformApp, sessionCookie, TEST_PASSWORD, testEngine, type TestPlatform } from '../test-support.ts';

const NEW_PASSWORD = 'Songling-river-2026';

describeDatabases('users and sign-in', (t) => {
  let p: TestPlatform;
  let w: World;
  let admin: string;
  beforeAll(async () => {
    w = await createWorld(t.db);
    p = await platformApp(t.db, { today: () => '2021-03-01' });
    admin = await login(p.app, 'admin');
    return () => p.app.close();
  });

  const as = (cookie: string | undefined, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    p.app.inject({ method, url, payload, headers: cookie ? { cookie } : {} });
  const signIn = (username: string, password: string) => p.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  const cookieOf = (res: LightMyRequestResponse) => sessionCookie(res);
  const auditOf = async (userId: number) =>
    (await t.db.selectFrom('audit_log').select(['action', 'details']).where('entity', '=', 'user').where('entity_id', '=', String(userId)).orderBy('id').execute());
  const TABLES = ['users', 'sessions', 'audit_log', 'idempotency_keys'];

  /** Signs in with the one-time password and changes it, as the web app makes the user do. */
  async function firstSignIn(username: string, oneTimePassword: string): Promise<string> {
    const res = await signIn(username, oneTimePassword);
    expect(res.statusCode).toBe(200);
    expect(res.json().user.mustChangePassword).toBe(true);
    const cookie = cookieOf(res);
    expect((await as(cookie, 'POST', '/api/me/password', { currentPassword: oneTimePassword, newPassword: NEW_PASSWORD })).statusCode).toBe(204);
    return cookie;
  }

  it('lets the admin set up a department reviewer who must change the one-time password before anything else', async () => {
    const res = await as(admin, 'POST', '/api/users', { username: 'Science.Li', displayName: '李科员', role: 'departmentReviewer', departmentId: 'science-technology-bureau' });
    expect(res.statusCode).toBe(201);
    const { user, oneTimePassword } = res.json();
    expect(user).toMatchObject({ username: 'science.li', role: 'departmentReviewer', departmentId: 'science-technology-bureau', status: 'active', mustChangePassword: true, lastLoginAt: null, secondFactor: false });
    expect(oneTimePassword).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{1,4})+$/);
    // shown once: nowhere in the database in clear, not in the audit record, not as a stored response
    const dump = JSON.stringify(await t.db.selectFrom('audit_log').selectAll().execute()) + JSON.stringify(await t.db.selectFrom('idempotency_keys').selectAll().execute()) + JSON.stringify(await t.db.selectFrom('users').selectAll().execute());
    expect(dump).not.toContain(oneTimePassword);

    const first = await signIn('science.li', oneTimePassword);
    expect(first.json().user).toMatchObject({ mustChangePassword: true, role: 'departmentReviewer' });
    const cookie = cookieOf(first);
    const refused = await as(cookie, 'GET', '/api/claims/queues');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'password_change_required' });
    expect(refused.json().messageZh).toContain('修改密码');
    expect((await as(cookie, 'GET', '/api/me')).json()).toMatchObject({ username: 'science.li', mustChangePassword: true });

    // wrong current password, then a new password against the rules: each names its field, nothing changes
    const before = await t.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
    const wrong = await as(cookie, 'POST', '/api/me/password', { currentPassword: 'not-it-at-all', newPassword: NEW_PASSWORD });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ code: 'wrong_password', errors: [{ path: 'currentPassword' }] });
    const weak = await as(cookie, 'POST', '/api/me/password', { currentPassword: oneTimePassword, newPassword: 'short' });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().errors[0]).toMatchObject({ path: 'newPassword', code: 'weak_password' });
    expect(weak.json().errors[0].messageZh).toContain('至少需要10个字符');
    const same = await as(cookie, 'POST', '/api/me/password', { currentPassword: oneTimePassword, newPassword: oneTimePassword });
    expect(same.json().errors[0]).toMatchObject({ path: 'newPassword', code: 'password_unchanged' });
    const demo = await as(cookie, 'POST', '/api/me/password', { currentPassword: oneTimePassword, newPassword: DEMO_PASSWORD });
    expect(demo.json().errors[0]).toMatchObject({ path: 'newPassword', code: 'weak_password' });
    expect(await t.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()).toEqual(before);

    expect((await as(cookie, 'POST', '/api/me/password', { currentPassword: oneTimePassword, newPassword: NEW_PASSWORD })).statusCode).toBe(204);
    // the same session goes on, now with everything its role allows
    expect((await as(cookie, 'GET', '/api/claims/queues')).statusCode).toBe(200);
    expect((await signIn('science.li', oneTimePassword)).statusCode).toBe(401);
    const again = await signIn('science.li', NEW_PASSWORD);
    expect(again.json().user.mustChangePassword).toBe(false);

    const listed = (await as(admin, 'GET', '/api/users?role=departmentReviewer&departmentId=science-technology-bureau')).json();
    const row = listed.items.find((u: { username: string }) => u.username === 'science.li');
    expect(row.lastLoginAt).not.toBeNull();
    expect(row.mustChangePassword).toBe(false);
    expect((await auditOf(user.id)).map((a) => a.action)).toEqual(['user.create', 'auth.login', 'auth.checkFailed', 'user.changePassword', 'auth.loginFailed', 'auth.login']);
  });

  it("binds an enterprise user to a USCC; the enterprise's administrator adds and disables colleagues of that USCC only", async () => {
    const created = await as(admin, 'POST', '/api/users', { username: 'cable-boss', displayName: '长缆 王总', role: 'enterprise', enterpriseUscc: w.enterprises.cable.toLowerCase(), enterpriseAdmin: true });
    expect(created.statusCode).toBe(201);
    expect(created.json().user).toMatchObject({ enterpriseUscc: w.enterprises.cable, enterpriseName: '苏州长缆光通信有限公司', enterpriseAdmin: true });
    // one administrator per enterprise
    const second = await as(admin, 'POST', '/api/users', { username: 'cable-boss2', displayName: '长缆 副总', role: 'enterprise', enterpriseUscc: w.enterprises.cable, enterpriseAdmin: true });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: 'enterprise_admin_exists' });

    const boss = await firstSignIn('cable-boss', created.json().oneTimePassword);
    expect((await as(boss, 'GET', '/api/me')).json()).toMatchObject({ enterpriseAdmin: true, enterpriseUscc: w.enterprises.cable });
    const mine = (await as(boss, 'GET', '/api/users?pageSize=100')).json();
    expect(mine.items.map((u: { username: string }) => u.username).sort()).toEqual(['cable', 'cable-boss']);

    // a colleague: role and USCC filled in from the administrator's own enterprise
    const colleague = await as(boss, 'POST', '/api/users', { username: 'cable-clerk', displayName: '长缆 出纳' });
    expect(colleague.statusCode).toBe(201);
    expect(colleague.json().user).toMatchObject({ role: 'enterprise', enterpriseUscc: w.enterprises.cable, enterpriseAdmin: false, mustChangePassword: true });

    // never another enterprise's user, an official, or a second administrator — and nothing stored when refused
    const plain = await login(p.app, 'textile');
    const before = await countRows(t.db, TABLES);
    const elsewhere = await as(boss, 'POST', '/api/users', { username: 'textile-spy', displayName: 'x', enterpriseUscc: w.enterprises.textile, role: 'areaReviewer', enterpriseAdmin: true });
    expect(elsewhere.statusCode).toBe(422);
    expect(elsewhere.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['enterpriseAdmin', 'enterpriseUscc', 'role']);
    expect((await as(boss, 'POST', `/api/users/${w.users.textile.id}/disable`)).statusCode).toBe(404);
    expect((await as(boss, 'POST', `/api/users/${w.users.finance.id}/reset-password`)).statusCode).toBe(404);
    expect((await as(boss, 'PATCH', `/api/users/${w.users.cable.id}`, { enterpriseAdmin: true })).statusCode).toBe(422);
    expect((await as(boss, 'POST', `/api/users/${created.json().user.id}/disable`)).json()).toMatchObject({ code: 'cannot_change_self' });
    // an enterprise user who is not the administrator keeps no accounts
    expect((await as(plain, 'GET', '/api/users')).statusCode).toBe(403);
    expect((await as(plain, 'POST', '/api/users', { username: 'textile-2', displayName: 'x' })).statusCode).toBe(403);
    expect(await countRows(t.db, TABLES)).toEqual(before);

    // disabling a colleague ends its session at once; enabling lets it back in
    const cable = await login(p.app, 'cable');
    const disabled = await as(boss, 'POST', `/api/users/${w.users.cable.id}/disable`);
    expect(disabled.json()).toMatchObject({ status: 'disabled' });
    expect((await as(cable, 'GET', '/api/me')).statusCode).toBe(401);
    expect((await signIn('cable', TEST_PASSWORD)).statusCode).toBe(401);
    expect((await as(admin, 'GET', `/api/users?status=disabled&enterpriseUscc=${w.enterprises.cable}`)).json().items.map((u: { username: string }) => u.username)).toEqual(['cable']);
    expect((await as(boss, 'POST', `/api/users/${w.users.cable.id}/enable`)).json()).toMatchObject({ status: 'active' });
    expect((await signIn('cable', TEST_PASSWORD)).statusCode).toBe(200);

    // the district admin names another administrator: the previous one steps down
    const moved = await as(admin, 'PATCH', `/api/users/${w.users.cable.id}`, { enterpriseAdmin: true });
    expect(moved.json()).toMatchObject({ enterpriseAdmin: true });
    expect((await as(admin, 'GET', `/api/users/${created.json().user.id}`)).json()).toMatchObject({ enterpriseAdmin: false });
    expect((await as(boss, 'GET', '/api/users')).statusCode).toBe(403);
    const audit = (await auditOf(w.users.cable.id)).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['user.disable', 'user.enable', 'user.update']));
  });

  it('refuses a bad new user naming every field, in Chinese and English, and stores nothing', async () => {
    const before = await countRows(t.db, TABLES);
    const res = await as(admin, 'POST', '/api/users', { username: 'x', displayName: '', role: 'areaReviewer', areaId: 'atlantis', departmentId: 'science-technology-bureau' });
    expect(res.statusCode).toBe(422);
    const errors = res.json().errors as Array<{ path: string; messageZh: string; messageEn: string }>;
    expect(errors.map((e) => e.path).sort()).toEqual(['areaId', 'departmentId', 'displayName', 'username']);
    for (const e of errors) expect(e.messageZh.length * e.messageEn.length).toBeGreaterThan(0);
    const noScope = await as(admin, 'POST', '/api/users', { username: 'no.scope', displayName: '无范围', role: 'enterprise' });
    expect(noScope.json().errors[0]).toMatchObject({ path: 'enterpriseUscc', code: 'scope_required' });
    const unknownDept = await as(admin, 'POST', '/api/users', { username: 'no.dept', displayName: '无部门', role: 'departmentReviewer', departmentId: 'ministry-of-magic' });
    expect(unknownDept.json().errors[0]).toMatchObject({ path: 'departmentId', code: 'unknown_department' });
    const taken = await as(admin, 'POST', '/api/users', { username: 'finance', displayName: '重名', role: 'finance' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'username_taken', errors: [{ path: 'username' }] });
    expect((await as(admin, 'GET', '/api/users?role=boss')).statusCode).toBe(422);
    expect(await countRows(t.db, TABLES)).toEqual(before);
  });

  it('resets a password to a one-time password, unlocks a locked account, and never lets the admin disable itself', async () => {
    const auditorSession = await login(p.app, 'auditor');
    const reset = await as(admin, 'POST', `/api/users/${w.users.auditor.id}/reset-password`);
    expect(reset.statusCode).toBe(200);
    const { oneTimePassword } = reset.json();
    expect((await as(auditorSession, 'GET', '/api/me')).statusCode, 'the reset ends its sessions').toBe(401);
    expect((await signIn('auditor', TEST_PASSWORD)).statusCode).toBe(401);
    await firstSignIn('auditor', oneTimePassword);

    for (let i = 0; i < FAST_SECURITY.maxFailedLogins; i++) await signIn('songling', 'wrong-password!');
    expect((await signIn('songling', TEST_PASSWORD)).statusCode).toBe(423);
    const locked = (await as(admin, 'GET', '/api/users?status=locked')).json().items;
    expect(locked.map((u: { username: string }) => u.username)).toEqual(['songling']);
    expect(locked[0].lockedUntil).not.toBeNull();
    expect((await as(admin, 'POST', `/api/users/${w.users.songlingReviewer.id}/unlock`)).json()).toMatchObject({ locked: false });
    expect((await signIn('songling', TEST_PASSWORD)).statusCode).toBe(200);

    expect((await as(admin, 'POST', `/api/users/${w.users.admin.id}/disable`)).json()).toMatchObject({ code: 'cannot_change_self' });
    expect((await as(admin, 'POST', `/api/users/${w.users.admin.id}/reset-password`)).json()).toMatchObject({ code: 'cannot_change_self' });
    expect((await auditOf(w.users.auditor.id)).map((a) => a.action)).toContain('user.resetPassword');
    expect((await auditOf(w.users.songlingReviewer.id)).map((a) => a.action)).toContain('user.unlock');
  });

  describe('the TOTP second factor', () => {
    it('is enrolled with the password and a code, then asked for at every sign-in, each code accepted once', async () => {
      const finance = await login(p.app, 'finance');
      const setup = await as(finance, 'POST', '/api/me/second-factor/setup');
      expect(setup.statusCode).toBe(200);
      const { secret, uri, qrSvg } = setup.json();
      expect(uri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
      expect(uri).toContain('finance');
      expect(qrSvg).toContain('<svg');
      // every code from one instant, so a 30-second step boundary passing during the test changes nothing
      const t0 = new Date();
      const code = (offsetSeconds = 0) => currentCode(secret, new Date(t0.getTime() + offsetSeconds * 1000));

      const wrongCode = await as(finance, 'POST', '/api/me/second-factor/enable', { password: TEST_PASSWORD, code: '000000' === code() ? '111111' : '000000' });
      expect(wrongCode.json()).toMatchObject({ code: 'wrong_code', errors: [{ path: 'code' }] });
      const wrongPassword = await as(finance, 'POST', '/api/me/second-factor/enable', { password: 'not-the-password', code: code() });
      expect(wrongPassword.json()).toMatchObject({ code: 'wrong_password', errors: [{ path: 'password' }] });
      expect((await as(finance, 'POST', '/api/me/second-factor/enable', { password: TEST_PASSWORD, code: 'abc' })).json()).toMatchObject({ code: 'invalid_code' });
      expect((await as(finance, 'POST', '/api/me/second-factor/enable', { password: TEST_PASSWORD, code: code() })).statusCode).toBe(204);
      expect((await as(finance, 'GET', '/api/me')).json()).toMatchObject({ secondFactor: true });

      // signing in: the password opens half a session; only the code completes it
      const first = await signIn('finance', TEST_PASSWORD);
      expect(first.json()).toMatchObject({ secondFactorRequired: true, user: { secondFactorPending: true } });
      const half = cookieOf(first);
      const waiting = await as(half, 'GET', '/api/claims/queues');
      expect(waiting.statusCode).toBe(401);
      expect(waiting.json()).toMatchObject({ code: 'second_factor_required' });
      expect((await as(half, 'GET', '/api/me')).json()).toMatchObject({ secondFactorPending: true });
      // the step of the enrolment code is used: the next step's code (accepted 30 s early) completes the sign-in
      const reused = await as(half, 'POST', '/api/auth/second-factor', { code: code() });
      expect(reused.json()).toMatchObject({ code: 'wrong_code' });
      const next = code(30);
      expect((await as(half, 'POST', '/api/auth/second-factor', { code: next })).statusCode).toBe(200);
      expect((await as(half, 'GET', '/api/claims/queues')).statusCode).toBe(200);
      // …and that code is spent
      const other = cookieOf(await signIn('finance', TEST_PASSWORD));
      expect((await as(other, 'POST', '/api/auth/second-factor', { code: next })).json()).toMatchObject({ code: 'wrong_code' });
      expect((await auditOf(w.users.finance.id)).map((a) => a.action)).toEqual(expect.arrayContaining(['user.secondFactor.offer', 'user.secondFactor.enable', 'auth.secondFactor', 'auth.checkFailed']));

      // the admin turns it off for a lost phone: the password alone signs in again
      expect((await as(admin, 'POST', `/api/users/${w.users.finance.id}/second-factor/reset`)).json()).toMatchObject({ secondFactor: false });
      expect((await signIn('finance', TEST_PASSWORD)).json().secondFactorRequired).toBe(false);
    });

    it('ends a session after too many wrong codes, and is not offered to enterprise accounts', async () => {
      const science = await login(p.app, 'science');
      const { secret } = (await as(science, 'POST', '/api/me/second-factor/setup')).json();
      expect((await as(science, 'POST', '/api/me/second-factor/enable', { password: TEST_PASSWORD, code: currentCode(secret) })).statusCode).toBe(204);
      const half = cookieOf(await signIn('science', TEST_PASSWORD));
      const valid = new Set([-30, 0, 30].map((d) => currentCode(secret, new Date(Date.now() + d * 1000))));
      const wrong = ['123456', '654321', '111111'].find((c) => !valid.has(c))!;
      for (let i = 1; i < FAST_SECURITY.maxFailedLogins; i++) expect((await as(half, 'POST', '/api/auth/second-factor', { code: wrong })).statusCode).toBe(422);
      const last = await as(half, 'POST', '/api/auth/second-factor', { code: wrong });
      expect(last.statusCode).toBe(401);
      expect(last.json()).toMatchObject({ code: 'too_many_attempts' });
      expect((await as(half, 'GET', '/api/me')).statusCode).toBe(401);
      // its owner turns it off with the password
      expect((await as(science, 'POST', '/api/me/second-factor/disable', { password: TEST_PASSWORD })).statusCode).toBe(204);

      const ent = await login(p.app, 'textile');
      const refused = await as(ent, 'POST', '/api/me/second-factor/setup');
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'second_factor_not_offered' });
    });
  });

  describe('the published demo password', () => {
    it('is on the list the server checks', () => {
      expect(PUBLISHED_PASSWORDS).toContain(DEMO_PASSWORD);
    });

    it('must be changed at first sign-in outside the demo, and may be kept in the demo', async () => {
      const u = await createUser(t.db, { username: 'demo-like', displayName: '演示账户', password: DEMO_PASSWORD, role: 'auditor' }, { actor: SYSTEM_ACTOR, config: FAST_SECURITY });
      const demoApp = await buildApp({ engine: testEngine(), webRoot: null, trustProxy: false, plugins: platformRoutes(createPlatformContext(t.db, testEngine()), { security: FAST_SECURITY, demo: true }) });
      try {
        const inDemo = await demoApp.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'demo-like', password: DEMO_PASSWORD } });
        expect(inDemo.json().user.mustChangePassword).toBe(false);
        expect((await demoApp.inject({ method: 'GET', url: '/api/audit', headers: { cookie: cookieOf(inDemo) } })).statusCode).toBe(200);
      } finally {
        await demoApp.close();
      }
      const outside = await signIn('demo-like', DEMO_PASSWORD);
      expect(outside.json().user.mustChangePassword).toBe(true);
      expect((await as(cookieOf(outside), 'GET', '/api/audit')).json()).toMatchObject({ code: 'password_change_required' });
      expect((await auditOf(u.id)).map((a) => a.details)).toContainEqual({ reason: 'publishedPassword' });
      await as(cookieOf(outside), 'POST', '/api/me/password', { currentPassword: DEMO_PASSWORD, newPassword: NEW_PASSWORD });
      expect((await signIn('demo-like', NEW_PASSWORD)).json().user.mustChangePassword).toBe(false);
    });
  });
});
