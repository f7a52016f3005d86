/**
 * What signing in takes beyond the password (sessions.ts `login` checks that, with its lockout):
 *
 * - **A password that must be changed.** An administrator's new account or reset gives a one-time password; a
 *   password printed in the README — the demo's — is known to everyone, so outside the demo an account that signs
 *   in with it is treated the same. Until the user picks their own (`changeOwnPassword`), the API answers 403
 *   `password_change_required` to everything else (http/auth.ts).
 * - **The second factor.** A user with TOTP on gets a session that is only half signed in (sessions
 *   .second_factor_pending) until `verifySecondFactor` accepts a code; meanwhile the API answers 401
 *   `second_factor_required` (second-factor.ts `verifySecondFactor`).
 * - **The last sign-in** (users.last_login_at) is written when the sign-in is complete.
 * - **Checks inside a session** — a code at sign-in or enrolment, the current password when changing it — count
 *   wrong answers against the session (sessions.check_failures): after `maxFailedLogins` the session ends, so a
 *   stolen session cannot be used to guess the password or the code.
 */
import { appendAudit, type AuditActor } from '../audit/audit-log.ts';
import { inTransaction, type Db } from '../db/transaction.ts';
import { KaifangError, ValidationError } from '../errors.ts';
import { checkPasswordStrength, hashPassword, verifyPassword } from './passwords.ts';
import { forgetSession, forgetSessionsOf } from './recent-sessions.ts';
import { securityConfig, type SecurityConfig } from './security-config.ts';
import { hashToken, type LoginResult } from './sessions.ts';
import type { Principal } from './users.ts';

/**
 * Passwords published with the software: the demo accounts' (README, and printed by `npm start`). Outside the
 * demo (`kaifang serve` without --demo) an account signing in with one must change it first. Kept here rather
 * than imported from the demo seed so that the server never loads the demo module when it is not seeding.
 */
export const PUBLISHED_PASSWORDS: readonly string[] = Object.freeze(['kaifang2020!']);

/** The session a request runs in (its token's hash: the token itself is never kept). */
export interface SessionRef {
  tokenHash: string;
}

export function sessionRef(token: string): SessionRef {
  return { tokenHash: hashToken(token) };
}

export interface SignInOptions {
  config?: SecurityConfig;
  now?: Date;
}

export interface PasswordSignIn {
  user: Principal;
  /** the code of the second factor is still to come */
  secondFactorPending: boolean;
}

/**
 * After `login` accepted the password: flags a published password for change (outside the demo), and records the
 * sign-in as the last one when no second factor is still to come.
 */
export async function completePasswordSignIn(
  db: Db,
  result: LoginResult,
  opts: { password: string; publishedPasswords: readonly string[]; ip?: string | null; now?: Date },
): Promise<PasswordSignIn> {
  const now = opts.now ?? new Date();
  const user = { ...result.user };
  const secondFactorPending = !!user.secondFactor;
  const published = opts.publishedPasswords.includes(opts.password) && !user.mustChangePassword;
  if (!secondFactorPending || published) {
    await inTransaction(db, async (trx) => {
      await trx
        .updateTable('users')
        .set({ ...(secondFactorPending ? {} : { last_login_at: now }), ...(published ? { must_change_password: true } : {}) })
        .where('id', '=', user.id)
        .execute();
      if (published) {
        await appendAudit(trx, { userId: user.id, name: user.username, ip: opts.ip ?? null }, {
          action: 'user.passwordChangeRequired',
          entity: 'user',
          entityId: user.id,
          details: { reason: 'publishedPassword' },
        });
      }
    });
    if (published) user.mustChangePassword = true;
  }
  return { user, secondFactorPending };
}

/**
 * A wrong answer to a check inside a session (a code, the current password): counted, audited, and when it is the
 * `maxFailedLogins`-th the session ends (401 `too_many_attempts`). Returns when the session goes on.
 */
export async function countFailedCheck(
  db: Db,
  session: SessionRef,
  user: Principal,
  what: string,
  options: { actor?: AuditActor; config?: SecurityConfig },
): Promise<void> {
  const config = options.config ?? securityConfig();
  const actor = options.actor ?? { userId: user.id, name: user.username };
  const ended = await inTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('sessions')
      .set((eb) => ({ check_failures: eb('check_failures', '+', 1) }))
      .where('token_hash', '=', session.tokenHash)
      .returning('check_failures')
      .executeTakeFirst();
    const failures = row?.check_failures ?? config.maxFailedLogins;
    const end = failures >= config.maxFailedLogins;
    if (end) await trx.deleteFrom('sessions').where('token_hash', '=', session.tokenHash).execute();
    await appendAudit(trx, actor, { action: end ? 'auth.sessionEndedAfterFailedChecks' : 'auth.checkFailed', entity: 'user', entityId: user.id, details: { check: what, failures } });
    return end;
  });
  if (ended) {
    forgetSession(session.tokenHash);
    throw new KaifangError({
      code: 'too_many_attempts',
      zh: `连续${config.maxFailedLogins}次输入错误，已退出登录；请重新登录`,
      en: `${config.maxFailedLogins} wrong answers in a row: you have been signed out; sign in again`,
    });
  }
}

/**
 * The user changes their own password: the current one, and a new one by the platform's rules that is neither
 * the current one nor a published one. The other sessions of the user end; this one goes on. Clears a
 * one-time password's obligation.
 */
export async function changeOwnPassword(
  db: Db,
  session: SessionRef,
  user: Principal,
  input: { currentPassword?: unknown; newPassword?: unknown },
  options: SignInOptions & { actor: AuditActor; publishedPasswords?: readonly string[] },
): Promise<void> {
  const config = options.config ?? securityConfig();
  const now = options.now ?? new Date();
  const errors: KaifangError[] = [];
  if (typeof input.currentPassword !== 'string' || input.currentPassword === '') {
    errors.push(new KaifangError({ code: 'required', zh: '请填写当前密码', en: 'enter the current password', path: 'currentPassword' }));
  }
  try {
    checkPasswordStrength(input.newPassword, config, user.username);
    if (input.newPassword === input.currentPassword) {
      errors.push(new KaifangError({ code: 'password_unchanged', zh: '新密码不能与当前密码相同', en: 'the new password must differ from the current one', path: 'newPassword' }));
    } else if ((options.publishedPasswords ?? PUBLISHED_PASSWORDS).includes(input.newPassword as string)) {
      errors.push(new KaifangError({ code: 'weak_password', zh: '不能使用公开的演示密码', en: 'the published demo password cannot be used', path: 'newPassword' }));
    }
  } catch (e) {
    if (!(e instanceof KaifangError)) throw e;
    errors.push(new KaifangError({ code: e.code, zh: `新密码：${e.messageZh}`, en: `new password: ${e.messageEn}`, path: 'newPassword' }));
  }
  if (errors.length > 0) throw new ValidationError(errors);

  const row = await db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
  if (!(await verifyPassword(input.currentPassword as string, row.password_hash))) {
    await countFailedCheck(db, session, user, 'currentPassword', options);
    throw new KaifangError({ code: 'wrong_password', zh: '当前密码不正确', en: 'the current password is wrong', path: 'currentPassword' });
  }
  const hash = await hashPassword(input.newPassword as string, config.scrypt);
  await inTransaction(db, async (trx) => {
    const done = await trx
      .updateTable('users')
      .set({ password_hash: hash, must_change_password: false, password_changed_at: now })
      .where('id', '=', user.id)
      .where('password_hash', '=', row.password_hash)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw new KaifangError({ code: 'conflict', zh: '密码已在别处被修改，请重新登录', en: 'the password was changed elsewhere meanwhile; sign in again' });
    // Whoever held the old password elsewhere is signed out; this session goes on.
    await trx.deleteFrom('sessions').where('user_id', '=', user.id).where('token_hash', '!=', session.tokenHash).execute();
    await trx.updateTable('sessions').set({ check_failures: 0 }).where('token_hash', '=', session.tokenHash).execute();
    await trx.deleteFrom('login_failures').where('user_id', '=', user.id).execute();
    await appendAudit(trx, options.actor, { action: 'user.changePassword', entity: 'user', entityId: user.id, details: user.mustChangePassword ? { wasRequired: true } : {} });
  });
  forgetSessionsOf(user.id);
}

/** What a half-finished sign-in still allows: the routes that declare the step open (http/auth.ts). */
export type SignInStep = 'secondFactor' | 'passwordChange';

/**
 * Why a request of a signed-in user must wait, or null: first the code of the second factor (401
 * `second_factor_required`), then a password to change (403 `password_change_required`). `open` lists the steps
 * the route is part of.
 */
export function signInGate(user: Principal, secondFactorPending: boolean, open: readonly SignInStep[] = []): KaifangError | null {
  if (secondFactorPending && !open.includes('secondFactor')) {
    return new KaifangError({ code: 'second_factor_required', zh: '请先输入动态验证码完成登录', en: 'enter the code of your authenticator app to finish signing in' });
  }
  if (user.mustChangePassword && !secondFactorPending && !open.includes('passwordChange')) {
    return new KaifangError({
      code: 'password_change_required',
      zh: '请先修改密码：当前密码是一次性密码或公开的演示密码，修改前不能进行其他操作',
      en: 'change your password first: it is a one-time or published password, and nothing else is possible until it is changed',
    });
  }
  return null;
}
