/**
 * The optional second factor: TOTP (RFC 6238) with an authenticator app, for officials and administrators
 * (enterprise accounts are not offered one). The `otpauth` library computes and checks the codes; the parameters
 * are the ones every authenticator app reads the same way — SHA-1, 6 digits, 30-second steps — since several
 * apps silently ignore anything else and then show codes that never match.
 *
 * - Enrolment is two steps: `offerSecondFactor` makes a secret and keeps it aside (users.totp_pending_secret), the
 *   app shows its otpauth:// URI (and a QR code); `enableSecondFactor` takes the account's password and a code
 *   from the app, so only someone who holds both the password and the device switches it on — a session left
 *   open on a shared desk cannot tie the account to a stranger's phone.
 * - A code is accepted one step early or late (a phone's clock 30 s off), and never twice: the step of the last
 *   code accepted is kept (users.totp_last_step), so a code read over a shoulder is worthless once used.
 * - Wrong codes and wrong passwords here count against the session (sign-in.ts `countFailedCheck`): after
 *   `maxFailedLogins` of them the session ends and the password is asked again (with its own lockout).
 * - The secret is stored as it is: the server must compute the codes. Someone who reads the database learns the
 *   secrets, but not the passwords (scrypt hashes), and needs both.
 */
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { appendAudit, type AuditActor } from '../audit/audit-log.ts';
import { inTransaction, type Db } from '../db/transaction.ts';
import { KaifangError } from '../errors.ts';
import { verifyPassword } from './passwords.ts';
import { forgetSession, forgetSessionsOf } from './recent-sessions.ts';
import type { SecurityConfig } from './security-config.ts';
import { countFailedCheck, type SessionRef, type SignInOptions } from './sign-in.ts';
import type { Principal } from './users.ts';

/** The name an authenticator app shows above the code. */
export const TOTP_ISSUER = 'Kaifang 开放';
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** steps either side of now whose code is still accepted */
const WINDOW = 1;

function totp(secretBase32: string, label = 'user'): TOTP {
  return new TOTP({ issuer: TOTP_ISSUER, label, algorithm: 'SHA1', digits: DIGITS, period: PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** The code an app shows at `now` (tests, and nothing else, need to compute one). */
export function currentCode(secretBase32: string, now: Date = new Date()): string {
  return totp(secretBase32).generate({ timestamp: now.getTime() });
}

/** A code as people type it: 6 digits, spaces allowed ("123 456"). Throws `invalid_code` naming `path`. */
export function parseCode(code: unknown, path = 'code'): string {
  const c = typeof code === 'string' ? code.replace(/\s+/g, '') : '';
  if (!/^\d{6}$/.test(c)) throw new KaifangError({ code: 'invalid_code', zh: '动态验证码须为6位数字', en: 'the code must be 6 digits', path });
  return c;
}

/**
 * The time step of `code` when it is valid at `now` (within one step) and newer than `lastStep`; null otherwise.
 * The step, not the code, is what is remembered: the same 6 digits may come back at a later step legitimately.
 */
export function acceptedStep(secretBase32: string, code: string, lastStep: number | null, now: Date): number | null {
  const delta = totp(secretBase32).validate({ token: code, timestamp: now.getTime(), window: WINDOW });
  if (delta === null) return null;
  const step = Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
  return lastStep !== null && step <= lastStep ? null : step;
}

export interface SecondFactorOffer {
  /** base32, for typing into an app by hand */
  secret: string;
  /** otpauth://totp/… for the app */
  uri: string;
  /** the URI as a QR code (SVG) */
  qrSvg: string;
}

export interface SecondFactorOptions {
  actor: AuditActor;
  session: SessionRef;
  config?: SecurityConfig;
  now?: Date;
}

function notOffered(): KaifangError {
  return new KaifangError({ code: 'second_factor_not_offered', zh: '动态验证码（第二重验证）仅适用于工作人员和管理员账户', en: 'the second factor (TOTP) is for officials and administrators' });
}

async function userRow(db: Db, id: number) {
  const row = await db.selectFrom('users').select(['id', 'username', 'role', 'password_hash', 'totp_secret', 'totp_pending_secret']).where('id', '=', id).executeTakeFirst();
  if (!row) throw new KaifangError({ code: 'not_found', zh: '用户不存在', en: 'no such user' });
  return row;
}

/** Makes a new secret for `user` and keeps it aside until a code from the app confirms it. */
export async function offerSecondFactor(db: Db, user: Principal, options: { actor: AuditActor }): Promise<SecondFactorOffer> {
  if (user.role === 'enterprise') throw notOffered();
  const row = await userRow(db, user.id);
  if (row.totp_secret) {
    throw new KaifangError({ code: 'second_factor_enabled', zh: '动态验证码已启用；如需更换手机，请先停用再重新绑定', en: 'the second factor is already on; to move it to another phone, turn it off first' });
  }
  const secret = new Secret({ size: 20 }).base32;
  const uri = totp(secret, row.username).toString();
  await inTransaction(db, async (trx) => {
    await trx.updateTable('users').set({ totp_pending_secret: secret }).where('id', '=', user.id).execute();
    await appendAudit(trx, options.actor, { action: 'user.secondFactor.offer', entity: 'user', entityId: user.id });
  });
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret, uri, qrSvg };
}

async function checkPassword(db: Db, hash: string, password: unknown, user: Principal, options: SecondFactorOptions, what: string): Promise<void> {
  if (typeof password !== 'string' || password === '' || !(await verifyPassword(password, hash))) {
    await countFailedCheck(db, options.session, user, what, options);
    throw new KaifangError({ code: 'wrong_password', zh: '密码不正确', en: 'the password is wrong', path: 'password' });
  }
}

/** Switches the second factor on: the account's password and a code from the app for the offered secret. */
export async function enableSecondFactor(db: Db, user: Principal, input: { password?: unknown; code?: unknown }, options: SecondFactorOptions): Promise<void> {
  if (user.role === 'enterprise') throw notOffered();
  const now = options.now ?? new Date();
  const code = parseCode(input.code);
  const row = await userRow(db, user.id);
  if (row.totp_secret) throw new KaifangError({ code: 'second_factor_enabled', zh: '动态验证码已启用', en: 'the second factor is already on' });
  if (!row.totp_pending_secret) {
    throw new KaifangError({ code: 'second_factor_not_offered_yet', zh: '请先生成绑定二维码，再输入手机上显示的验证码', en: 'start the enrolment first (the QR code), then enter the code the app shows' });
  }
  await checkPassword(db, row.password_hash, input.password, user, options, 'secondFactorEnable');
  const step = acceptedStep(row.totp_pending_secret, code, null, now);
  if (step === null) {
    await countFailedCheck(db, options.session, user, 'secondFactorEnable', options);
    throw new KaifangError({ code: 'wrong_code', zh: '验证码不正确：请确认手机时间准确，输入当前显示的6位数字', en: 'the code is wrong: check the phone’s clock and enter the 6 digits it shows now', path: 'code' });
  }
  await inTransaction(db, async (trx) => {
    const done = await trx
      .updateTable('users')
      .set({ totp_secret: row.totp_pending_secret, totp_pending_secret: null, totp_last_step: step })
      .where('id', '=', user.id)
      .where('totp_pending_secret', '=', row.totp_pending_secret!)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw new KaifangError({ code: 'conflict', zh: '绑定已在别处变更，请重新生成二维码', en: 'the enrolment changed meanwhile; start again' });
    // Sessions opened elsewhere with the password alone end: from now on the code is part of signing in.
    await trx.deleteFrom('sessions').where('user_id', '=', user.id).where('token_hash', '!=', options.session.tokenHash).execute();
    await trx.updateTable('sessions').set({ check_failures: 0 }).where('token_hash', '=', options.session.tokenHash).execute();
    await appendAudit(trx, options.actor, { action: 'user.secondFactor.enable', entity: 'user', entityId: user.id });
  });
  forgetSessionsOf(user.id);
}

/** Switches the user's own second factor off (the account's password again). */
export async function disableSecondFactor(db: Db, user: Principal, input: { password?: unknown }, options: SecondFactorOptions): Promise<void> {
  const row = await userRow(db, user.id);
  if (!row.totp_secret && !row.totp_pending_secret) {
    throw new KaifangError({ code: 'second_factor_off', zh: '未启用动态验证码', en: 'the second factor is not on' });
  }
  await checkPassword(db, row.password_hash, input.password, user, options, 'secondFactorDisable');
  await inTransaction(db, async (trx) => {
    await trx.updateTable('users').set({ totp_secret: null, totp_pending_secret: null, totp_last_step: null }).where('id', '=', user.id).execute();
    await trx.updateTable('sessions').set({ check_failures: 0 }).where('token_hash', '=', options.session.tokenHash).execute();
    await appendAudit(trx, options.actor, { action: 'user.secondFactor.disable', entity: 'user', entityId: user.id });
  });
  forgetSessionsOf(user.id);
}

/** The code of the second factor, for a session signed in with the password: the session is then complete. */
export async function verifySecondFactor(db: Db, session: SessionRef, user: Principal, code: unknown, options: SignInOptions & { actor: AuditActor }): Promise<void> {
  const now = options.now ?? new Date();
  const digits = parseCode(code);
  const row = await db.selectFrom('users').select(['totp_secret', 'totp_last_step']).where('id', '=', user.id).executeTakeFirst();
  const step = row?.totp_secret ? acceptedStep(row.totp_secret, digits, row.totp_last_step === null ? null : Number(row.totp_last_step), now) : null;
  const accepted =
    step !== null &&
    (await inTransaction(db, async (trx) => {
      // Only a step newer than the last one used: two requests with one code at once, one wins.
      const used = await trx
        .updateTable('users')
        .set({ totp_last_step: step, last_login_at: now })
        .where('id', '=', user.id)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) return false;
      await trx.updateTable('sessions').set({ second_factor_pending: false, check_failures: 0 }).where('token_hash', '=', session.tokenHash).execute();
      await appendAudit(trx, options.actor, { action: 'auth.secondFactor', entity: 'user', entityId: user.id });
      return true;
    }));
  if (accepted) {
    forgetSession(session.tokenHash);
    return;
  }
  await countFailedCheck(db, session, user, 'secondFactor', options);
  throw new KaifangError({ code: 'wrong_code', zh: '动态验证码不正确或已使用过：请输入手机上当前显示的6位数字', en: 'the code is wrong or was used already: enter the 6 digits the app shows now', path: 'code' });
}
